// validate/summary.cpp
#include "validate/summary.hpp"

#include <cstring>

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
}  // namespace

std::array<uint8_t, Summary::kBytes> Summary::Serialize() const {
  std::array<uint8_t, kBytes> b{};
  Put128(b.data() + 0, first_unordered);
  Put128(b.data() + 16, unordered);
  Put128(b.data() + 32, records);
  Put128(b.data() + 48, duplicates);
  Put128(b.data() + 64, checksum.value());
  std::memcpy(b.data() + 80, first.data(), kRecordSize);
  std::memcpy(b.data() + 180, last.data(), kRecordSize);
  return b;
}

Summary Summary::Deserialize(const uint8_t* b) {
  Summary s;
  s.first_unordered = Get128(b + 0);
  s.unordered = Get128(b + 16);
  s.records = Get128(b + 32);
  s.duplicates = Get128(b + 48);
  s.checksum = Checksum128(Get128(b + 64));
  std::memcpy(s.first.data(), b + 80, kRecordSize);
  std::memcpy(s.last.data(), b + 180, kRecordSize);
  return s;
}

Summary Combine(std::span<const Summary> parts) {
  Summary total;
  bool started = false;
  for (const Summary& p : parts) {
    if (p.records == 0) continue;
    if (!started) {
      total = p;
      started = true;
      continue;
    }
    // The boundary is compared like two adjacent records of the concatenated file.
    int cmp = CompareKeys(total.last.data(), p.first.data());
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

Result<std::vector<Summary>> ParseSummaries(const std::string& bytes) {
  if (bytes.empty()) return Status::Error("there must be at least one record to be validated");
  if (bytes.size() % Summary::kBytes != 0) return Status::Error("partial partition summary found at end");
  std::vector<Summary> out;
  for (size_t off = 0; off < bytes.size(); off += Summary::kBytes) {
    out.push_back(Summary::Deserialize(reinterpret_cast<const uint8_t*>(bytes.data()) + off));
  }
  return out;
}

}  // namespace rs::validate
