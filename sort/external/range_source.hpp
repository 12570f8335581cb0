// sort/external/range_source.hpp — a Source of records [first, first + count) of a striped file of records
// (a sorted run, a work file): whole records per buffer, with its own small pool of `reads + 1`
// buffers so that the k inputs of a merge never starve each other (a shared pool would let one
// input read ahead into every buffer while the merge waits on another). With reads = 2 that is
// double buffering: one buffer merged while the next arrives. Get() from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/record_shape.hpp"
#include "river/disk_options.hpp"
#include "river/disk_source.hpp"

namespace rs::sort {

class RangeSource final : public Source {
 public:
  // Records of `shape`; disk.transfer_size must be whole shape.Block()s
  // (DiskOptions::record_transfer_size), and disk.direct false where the shape has no aligned block.
  static Result<std::unique_ptr<RangeSource>> Open(const std::vector<std::string>& members, const DiskOptions& disk,
                                                   const RecordShape& shape, unsigned reads, uint64_t first,
                                                   uint64_t count, std::vector<std::string>* notices);
  std::optional<Buffer> Get() override;
  Status status() const override;
  // Checks the range's bytes against a CRC-32 as they are read (a kept run, read back by a
  // resumed sort): after the last byte, a mismatch ends the source with an error naming `what`,
  // and damaged() turns true.
  void ExpectCrc(uint32_t crc, std::string what) {
    expect_crc_ = crc;
    verify_ = true;
    what_ = std::move(what);
  }
  bool damaged() const { return damaged_; }
  // Memory one source takes: its pool, and its I/O thread and ring (measured, core/config.hpp).
  static uint64_t Bytes(const DiskOptions& disk, unsigned reads) {
    return MemPool::Bytes(disk.transfer_size, reads + 1) + config::external::kStreamOverheadBytes;
  }

 private:
  RangeSource() = default;
  std::unique_ptr<MemPool> pool_;
  std::unique_ptr<DiskSource> source_;  // after pool_: destroyed first
  uint64_t skip_ = 0;                   // bytes before the first record, in the first buffer
  uint64_t left_ = 0;                   // bytes still to deliver
  Status status_;
  bool verify_ = false, damaged_ = false;
  uint32_t expect_crc_ = 0, crc_ = 0;
  std::string what_;
};

}  // namespace rs::sort
