// gen/partition_writer.hpp — generates one partition and writes it to disk, generation on TBB
// overlapped with O_DIRECT writes on writer threads. Called by one thread per rank.
#pragma once

#include <string>

#include "core/checksum.hpp"
#include "core/status.hpp"
#include "gen/record_generator.hpp"

namespace rs::gen {

struct PartitionWriteResult {
  Checksum128 checksum;
  bool direct_refused = false;  // the filesystem refused O_DIRECT; buffered I/O was used
};

// Writes records first .. first+count-1 to `path`: under a temporary name, renamed into place
// only when complete and synced. The path "/dev/null" generates without writing (as gensort).
// Runs on the caller's TBB arena.
Result<PartitionWriteResult> GeneratePartition(GenMode mode, u128 first, uint64_t count,
                                               const std::string& path, bool direct);

}  // namespace rs::gen
