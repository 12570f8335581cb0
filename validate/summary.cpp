// validate/summary.cpp
#include "validate/summary.hpp"

#include <cstring>
#include <optional>

namespace rs::validate {

namespace {
void Put128(uint8_t* out, u128 v) {
  uint64_t hi = Hi64(v), lo = Lo64(v);
  std::memcpy(out, &hi, 8);
  std::memcpy(out + 8, &lo, 8);
}
u128 Get128(const uint8_t* in) {
  uint64_t hi, lo;
  std::memcpy(&hi, in, 8);
  std::memcpy(&lo, in + 8, 8);
  return MakeU128(hi, lo);
}

// The shape a non-gensort summary's header names, or nothing when the bytes carry no header.
std::optional<RecordShape> HeaderShape(const uint8_t* b, size_t available) {
  if (available < Summary::kHeaderBytes || std::memcmp(b, Summary::kMagic, 8) != 0) return std::nullopt;
  RecordShape s;
  std::memcpy(&s.size, b + 8, 4);
  std::memcpy(&s.key_size, b + 12, 4);
  std::memcpy(&s.key_offset, b + 16, 4);
  return s;
}
}  // namespace

std::vector<uint8_t> Summary::Serialize() const {
  std::vector<uint8_t> b(Bytes(shape));
  uint8_t* p = b.data();
  if (!shape.IsGensort()) {
    std::memcpy(p, kMagic, 8);
    std::memcpy(p + 8, &shape.size, 4);
    std::memcpy(p + 12, &shape.key_size, 4);
    std::memcpy(p + 16, &shape.key_offset, 4);
    p += kHeaderBytes;
  }
  Put128(p + 0, first_unordered);
  Put128(p + 16, unordered);
  Put128(p + 32, records);
  Put128(p + 48, duplicates);
  Put128(p + 64, checksum.value());
  std::memcpy(p + 80, first.data(), shape.size);
  std::memcpy(p + 80 + shape.size, last.data(), shape.size);
  return b;
}

Summary Summary::Deserialize(const uint8_t* b, const RecordShape& shape) {
  Summary s(shape);
  if (!shape.IsGensort()) b += kHeaderBytes;
  s.first_unordered = Get128(b + 0);
  s.unordered = Get128(b + 16);
  s.records = Get128(b + 32);
  s.duplicates = Get128(b + 48);
  s.checksum = Checksum128(Get128(b + 64));
  std::memcpy(s.first.data(), b + 80, shape.size);
  std::memcpy(s.last.data(), b + 80 + shape.size, shape.size);
  return s;
}

Summary Combine(std::span<const Summary> parts) {
  Summary total(parts.empty() ? RecordShape{} : parts.front().shape);
  bool started = false;
  for (const Summary& p : parts) {
    if (p.records == 0) continue;
    if (!started) {
      total = p;
      started = true;
      continue;
    }
    // The boundary is compared like two adjacent records of the concatenated file.
    int cmp = total.shape.CompareKeys(total.last.data(), p.first.data());
    if (cmp == 0) total.duplicates += 1;
    if (cmp > 0) {
      if (total.unordered == 0) total.first_unordered = total.records;
      total.unordered += 1;
    } else if (total.unordered == 0 && p.first_unordered != 0) {
      total.first_unordered = total.records + p.first_unordered;
    }
    total.unordered += p.unordered;
    total.records += p.records;
    total.duplicates += p.duplicates;
    total.checksum += p.checksum;
    total.last = p.last;
  }
  return total;
}

Result<std::vector<Summary>> ParseSummaries(const std::string& bytes, const RecordShape& shape) {
  if (bytes.empty()) return Status::Error("there must be at least one record to be validated");
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t each = Summary::Bytes(shape);
  // A file of another shape is named as such, not read as valsort summaries or as a partial one:
  // when it starts with a header of a valid shape whose summaries it holds a whole number of
  // (a 90-byte record's summary is 280 bytes too). No valsort summary starts with "rsummary": its
  // first_unordered would be at least 2^64.
  const std::optional<RecordShape> found = HeaderShape(data, bytes.size());
  const bool other_shape =
      found && !(*found == shape) && found->Check().ok() && bytes.size() % Summary::Bytes(*found) == 0;
  if (other_shape) {
    return Status::Error(StatusCode::kInvalidInput, "the summaries are of records " + found->ToString() +
                                                        " (R/K/O), the flags say " + shape.ToString() + " (give " +
                                                        found->Flags() + ")");
  }
  if (bytes.size() % each != 0) return Status::Error("partial partition summary found at end");
  std::vector<Summary> out;
  for (size_t off = 0; off < bytes.size(); off += each) {
    if (!shape.IsGensort() && !(HeaderShape(data + off, each) == std::optional<RecordShape>(shape))) {
      return Status::Error(
          StatusCode::kInvalidInput,
          "summary " + std::to_string(off / each) + " does not start with the header of records " + shape.ToString());
    }
    out.push_back(Summary::Deserialize(data + off, shape));
  }
  return out;
}

}  // namespace rs::validate
