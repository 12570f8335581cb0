// validate/partition_validator.hpp — validates one partition: a DiskSource reads it (striped,
// async) in buffers of whole records, each buffer is validated in parallel on the caller's TBB
// arena, and the buffer summaries are combined in order (as valsort -t does). Called by one
// thread per rank.
#pragma once

#include <string>
#include <vector>

#include "core/status.hpp"
#include "river/disk_options.hpp"
#include "validate/summary.hpp"

namespace rs::validate {

// A missing or unreadable file, or a size that is not a multiple of the record size ("partial
// record found at end"), is an error naming the path. An empty partition gives a summary with zero records.
// members: the partition's member files, one per directory. Notices (engine fallback, O_DIRECT
// refused) are appended to *notices when given.
// Memory ValidatePartition takes for its buffers when it runs in an arena of `threads` threads
// (0: one per core), for budgets that must hold a validation.
uint64_t ValidatePartitionBytes(const DiskOptions& options, int threads, const RecordShape& shape);

Result<Summary> ValidatePartition(const std::vector<std::string>& members, const DiskOptions& options,
                                  std::vector<std::string>* notices, const RecordShape& shape);

}  // namespace rs::validate
