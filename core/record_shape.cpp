// core/record_shape.cpp
#include "core/record_shape.hpp"

#include <numeric>

#include "core/config.hpp"

namespace rs {

Status RecordShape::Check() const {
  if (size < kMinSize || size > kMaxSize) {
    return Status::Error(StatusCode::kInvalidInput, "--record-size " + std::to_string(size) + ": allowed " +
                                                        std::to_string(kMinSize) + " .. " + std::to_string(kMaxSize));
  }
  if (key_offset >= size) {
    return Status::Error(StatusCode::kInvalidInput, "--key-offset " + std::to_string(key_offset) + ": allowed 0 .. " +
                                                        std::to_string(size - 1) + " (inside a " +
                                                        std::to_string(size) + "-byte record)");
  }
  if (key_size < 1 || key_size > size - key_offset) {
    return Status::Error(StatusCode::kInvalidInput, "--key-size " + std::to_string(key_size) + ": allowed 1 .. " +
                                                        std::to_string(size - key_offset) + " (record size " +
                                                        std::to_string(size) + " minus key offset " +
                                                        std::to_string(key_offset) + ")");
  }
  return Status::Ok();
}

uint64_t RecordShape::AlignedBlock() const {
  const uint64_t lcm = std::lcm(uint64_t(size), uint64_t(config::kDirectAlignment));
  return lcm <= config::kMaxRecordBlock ? lcm : 0;
}

uint64_t RecordShape::Block() const {
  const uint64_t aligned = AlignedBlock();
  return aligned != 0 ? aligned : size;
}

std::string RecordShape::ToString() const {
  return std::to_string(size) + "/" + std::to_string(key_size) + "/" + std::to_string(key_offset);
}

std::string RecordShape::Flags() const {
  return "--record-size " + std::to_string(size) + " --key-size " + std::to_string(key_size) + " --key-offset " +
         std::to_string(key_offset);
}

}  // namespace rs
