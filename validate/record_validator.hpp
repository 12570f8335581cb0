// validate/record_validator.hpp — validates a block of whole records in memory: order of keys,
// duplicate keys, record count and checksum, as valsort does. Pure function, any thread.
#pragma once

#include <cstdint>

#include "validate/summary.hpp"

namespace rs::validate {

// Summary of `count` consecutive records (first_unordered is an index within the block).
Summary ValidateRecords(const uint8_t* records, uint64_t count);

}  // namespace rs::validate
