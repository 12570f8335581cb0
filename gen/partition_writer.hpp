// gen/partition_writer.hpp — generates one partition and streams it to a DiskSink: chunks are
// generated in parallel on TBB and handed to the sink in order, so generation overlaps with
// async (O_DIRECT, striped) writes. Called by one thread per rank.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/status.hpp"
#include "gen/gen_spec.hpp"
#include "river/disk_options.hpp"
#include "river/disk_sink.hpp"

namespace rs::gen {

struct PartitionWriteResult {
  Checksum128 checksum;
  std::vector<std::string> notices;  // one line each (engine fallback, O_DIRECT refused)
  // Complete and synced under temporary names; the caller publishes it (with the other ranks'
  // partitions and the manifest: all or none). Null for /dev/null.
  std::unique_ptr<DiskSink> sink;
};

// Writes records first .. first+count-1 of `spec` to the striped partition `members` (one path per
// directory), under temporary names, complete and synced but not yet published. The single
// member "/dev/null" generates without writing (as gensort). `disk` is narrowed to the shape's
// record streams (DiskOptions::ForRecords). Runs on the caller's TBB arena.
Result<PartitionWriteResult> GeneratePartition(const GenSpec& spec, u128 first, uint64_t count,
                                               const std::vector<std::string>& members, const DiskOptions& disk);

}  // namespace rs::gen
