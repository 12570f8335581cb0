// validate/record_validator.hpp — validates a block of whole records in memory: order of keys,
// duplicate keys, record count and checksum, as valsort does. Pure function, any thread.
#pragma once

#include <cstdint>

#include "core/record_shape.hpp"
#include "validate/summary.hpp"

namespace rs::validate {

// Summary of `count` consecutive records of `shape` (first_unordered is an index within the
// block). The checksum sums the CRC-32 of each whole record, as valsort does for 100-byte ones.
Summary ValidateRecords(const uint8_t* records, uint64_t count, const RecordShape& shape);

}  // namespace rs::validate
