// validate/partition_validator.hpp — validates one partition file: reads it in blocks on the
// caller's TBB arena, validates each block, and combines the block summaries in order (as
// valsort -t does). Called by one thread per rank.
#pragma once

#include <string>

#include "core/status.hpp"
#include "validate/summary.hpp"

namespace rs::validate {

// A missing or unreadable file, or a size that is not a multiple of 100 ("partial record found
// at end"), is an error naming the path. An empty file gives a summary with zero records.
Result<Summary> ValidatePartition(const std::string& path);

}  // namespace rs::validate
