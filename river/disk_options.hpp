// river/disk_options.hpp — the knobs of a disk stream, checked in one place so every command
// refuses bad values with the same one-line reason.
#pragma once

#include <algorithm>
#include <string>

#include "core/config.hpp"
#include "core/record_shape.hpp"
#include "core/status.hpp"
#include "io/io_engine.hpp"

namespace rs {

struct DiskOptions {
  uint64_t transfer_size = config::kTransferSize;
  unsigned queue_depth = config::kQueueDepth;
  EngineKind engine = EngineKind::kAuto;
  bool direct = true;  // O_DIRECT where the filesystem accepts it
  uint64_t stripe_unit = config::kStripeUnit;

  // Bytes per buffer for a stream of records: whole records that are also whole 4 KiB blocks
  // (multiples of lcm(R, 4096): 102,400 bytes for gensort's records), at most transfer_size, at
  // least one block; whole records only for shapes without such a block (RecordShape::Block()).
  uint64_t record_transfer_size(const RecordShape& shape) const {
    const uint64_t block = shape.Block();
    return std::max<uint64_t>(1, transfer_size / block) * block;
  }

  // The options of a stream of `shape`'s records: buffers of record_transfer_size(shape), and the
  // page cache for shapes whose records cannot keep O_DIRECT's 4 KiB alignment.
  DiskOptions ForRecords(const RecordShape& shape) const {
    DiskOptions o = *this;
    o.transfer_size = record_transfer_size(shape);
    if (shape.AlignedBlock() == 0) o.direct = false;
    return o;
  }

  // The options a stream really uses: buffered streams cap their depth (config::kBufferedQueueDepth).
  DiskOptions Effective() const {
    DiskOptions o = *this;
    if (!direct) o.queue_depth = std::min(queue_depth, config::kBufferedQueueDepth);
    return o;
  }

  Status Check() const {
    if (transfer_size < config::kDirectAlignment || transfer_size > (uint64_t(1) << 30)) {
      return Status::Error("--transfer-size " + std::to_string(transfer_size) +
                           ": allowed 4096 .. 1G (a multiple of 4096 with O_DIRECT)");
    }
    if (direct && transfer_size % config::kDirectAlignment != 0) {
      return Status::Error("--transfer-size " + std::to_string(transfer_size) +
                           ": with O_DIRECT it must be a multiple of 4096 bytes");
    }
    if (queue_depth == 0 || queue_depth > config::kMaxQueueDepth) {
      return Status::Error("--queue-depth " + std::to_string(queue_depth) + ": allowed 1 .. " +
                           std::to_string(config::kMaxQueueDepth));
    }
    if (stripe_unit < config::kDirectAlignment || (direct && stripe_unit % config::kDirectAlignment != 0)) {
      return Status::Error("--stripe-unit " + std::to_string(stripe_unit) +
                           ": allowed 4096 or more (a multiple of 4096 with O_DIRECT)");
    }
    return Status::Ok();
  }
};

}  // namespace rs
