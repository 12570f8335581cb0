// tests/fuzz/validate_fuzz.cpp — libFuzzer target for validate/: the record validator
// (ValidateRecords) and the summary combiner (Combine, valsort -s), on arbitrary bytes.
// Input: byte 0 picks the mode (bit 0: records or summaries), bytes 1 and 2 pick split points,
// the rest is the payload. Every broken invariant prints what broke and aborts (a crash).
//
// Records mode: the payload's whole records are validated
//   - exactly as a plain memcmp/RecordCrc reference does (order, duplicates, first unordered
//     record, count, checksum, first and last record);
//   - split into 2 or 3 partitions at the chosen points (any may be empty) and combined in order,
//     left-nested, right-nested and with empty summaries between: the same summary as the whole;
//   - the summary survives Serialize/Deserialize, and the report's exit status is 1 iff unordered.
// Summaries mode: the payload is a valsort -s file of 280-byte summaries
//   - ParseSummaries refuses an empty or partial file with valsort's messages;
//   - each summary re-serializes to its exact bytes; Combine skips empty summaries and is a left
//     fold (any prefix combined first gives the same total); MakeReport does not crash;
//   - each summary made consistent (counts that records could produce) and combined agrees with
//     a direct model of the concatenation, and with combining any prefix and suffix separately.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/checksum.hpp"
#include "core/record.hpp"
#include "core/uint128.hpp"
#include "validate/record_validator.hpp"
#include "validate/report.hpp"
#include "validate/summary.hpp"

namespace {

using rs::u128;
using rs::validate::Combine;
using rs::validate::Summary;

void Require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "validate_fuzz: invariant broken: %s\n", what);
  std::abort();
}

void RequireSame(const Summary& got, const Summary& want, const char* what) {
  if (got == want) return;
  std::fprintf(stderr,
               "validate_fuzz: %s\n  got:  records %s unordered %s first_unordered %s duplicates %s checksum %s\n"
               "  want: records %s unordered %s first_unordered %s duplicates %s checksum %s\n",
               what, rs::ToDecimal(got.records).c_str(), rs::ToDecimal(got.unordered).c_str(),
               rs::ToDecimal(got.first_unordered).c_str(), rs::ToDecimal(got.duplicates).c_str(),
               got.checksum.ToString().c_str(), rs::ToDecimal(want.records).c_str(),
               rs::ToDecimal(want.unordered).c_str(), rs::ToDecimal(want.first_unordered).c_str(),
               rs::ToDecimal(want.duplicates).c_str(), want.checksum.ToString().c_str());
  Require(false, "summaries differ (first/last records compared too)");
}

void CheckReport(const Summary& s) {
  if (s.records == 0) return;
  rs::validate::Report r = rs::validate::MakeReport(s);
  Require(r.exit_code == (s.unordered != 0 ? 1 : 0), "report exit status is 1 iff a record is unordered");
  Require(r.text.find("Records: " + rs::ToDecimal(s.records) + "\n") != std::string::npos, "report has the count");
  Require(r.text.find("Checksum: " + s.checksum.ToString() + "\n") != std::string::npos, "report has the checksum");
}

// valsort's definitions, spelled out plainly.
Summary ReferenceSummary(const uint8_t* recs, uint64_t count) {
  Summary s;
  if (count == 0) return s;
  rs::Checksum128 sum;
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* rec = recs + i * rs::kRecordSize;
    if (i > 0) {
      int cmp = rs::CompareKeys(rec, rec - rs::kRecordSize);
      if (cmp == 0) s.duplicates += 1;
      if (cmp < 0) {
        if (s.unordered == 0) s.first_unordered = i;
        s.unordered += 1;
      }
    }
    sum.AddRecord(rec);
  }
  s.records = count;
  s.checksum = sum;
  std::memcpy(s.first.data(), recs, rs::kRecordSize);
  std::memcpy(s.last.data(), recs + (count - 1) * rs::kRecordSize, rs::kRecordSize);
  return s;
}

void FuzzRecords(uint8_t a, uint8_t b, const uint8_t* payload, size_t size) {
  const uint64_t count = size / rs::kRecordSize;
  // Exactly the whole records on the heap, so reading past the last one is an ASan error.
  std::unique_ptr<uint8_t[]> buf(new uint8_t[count * rs::kRecordSize]);
  if (count > 0) std::memcpy(buf.get(), payload, count * rs::kRecordSize);
  const uint8_t* recs = buf.get();
  auto at = [&](uint64_t i) { return recs + i * rs::kRecordSize; };

  const Summary whole = rs::validate::ValidateRecords(recs, count, rs::RecordShape{});
  RequireSame(whole, ReferenceSummary(recs, count), "ValidateRecords differs from the reference");
  RequireSame(Summary::Deserialize(whole.Serialize().data(), rs::RecordShape{}), whole,
              "Serialize/Deserialize round trip");
  CheckReport(whole);

  uint64_t c1 = a % (count + 1), c2 = b % (count + 1);
  if (c1 > c2) std::swap(c1, c2);
  const Summary s0 = rs::validate::ValidateRecords(at(0), c1, rs::RecordShape{});
  const Summary s1 = rs::validate::ValidateRecords(at(c1), c2 - c1, rs::RecordShape{});
  const Summary s2 = rs::validate::ValidateRecords(at(c2), count - c2, rs::RecordShape{});
  const Summary head = rs::validate::ValidateRecords(at(0), c2, rs::RecordShape{});
  RequireSame(Combine(std::vector<Summary>{head, s2}), whole, "two partitions combined");
  RequireSame(Combine(std::vector<Summary>{s0, s1, s2}), whole, "three partitions combined");
  RequireSame(Combine(std::vector<Summary>{Combine(std::vector<Summary>{s0, s1}), s2}), whole,
              "three partitions combined left-nested");
  RequireSame(Combine(std::vector<Summary>{s0, Combine(std::vector<Summary>{s1, s2})}), whole,
              "three partitions combined right-nested");
  RequireSame(Combine(std::vector<Summary>{Summary{}, s0, Summary{}, s1, s2, Summary{}}), whole,
              "empty partitions between");
}

// A summary that records could have produced (small counts, first_unordered set iff unordered),
// from arbitrary fields; the checksum and the first and last records stay as they are.
Summary MakeConsistent(Summary s) {
  const uint64_t records = rs::Lo64(s.records) % (uint64_t(1) << 40);
  s.records = records;
  if (records == 0) return s;  // an empty partition: Combine must ignore every other field
  const uint64_t unordered = rs::Lo64(s.unordered) % records;  // record 0 is never unordered
  s.unordered = unordered;
  s.first_unordered = unordered == 0 ? 0 : 1 + rs::Lo64(s.first_unordered) % (records - unordered);
  s.duplicates = rs::Lo64(s.duplicates) % (records - unordered);
  return s;
}

// The concatenation of consistent summaries, from the definitions: every boundary between
// non-empty partitions is one more comparison of adjacent records.
Summary ModelCombine(const std::vector<Summary>& parts) {
  Summary total;
  bool started = false;
  for (const Summary& p : parts) {
    if (p.records == 0) continue;
    u128 offset = total.records;
    if (!started) {
      total.first = p.first;
    } else {
      int cmp = rs::CompareKeys(total.last.data(), p.first.data());
      if (cmp == 0) total.duplicates += 1;
      if (cmp > 0) {
        if (total.unordered == 0) total.first_unordered = offset;
        total.unordered += 1;
      }
    }
    if (total.unordered == 0 && p.unordered != 0) total.first_unordered = offset + p.first_unordered;
    total.unordered += p.unordered;
    total.duplicates += p.duplicates;
    total.records += p.records;
    total.checksum += p.checksum;
    total.last = p.last;
    started = true;
  }
  return total;
}

void FuzzSummaries(uint8_t a, const uint8_t* payload, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(payload), size);
  auto parsed = rs::validate::ParseSummaries(bytes, rs::RecordShape{});
  if (size == 0) {
    Require(!parsed.ok() && parsed.status().message() == rs::validate::kNoRecordsMessage, "empty file refused");
    return;
  }
  if (size % Summary::kBytes != 0) {
    // Bytes that are whole summaries of another record shape (a header of that shape first) are
    // refused as such; anything else with valsort's message.
    Require(!parsed.ok() && (parsed.status().message() == "partial partition summary found at end" ||
                             (std::memcmp(payload, Summary::kMagic, 8) == 0 &&
                              parsed.status().message().starts_with("the summaries are of records "))),
            "partial summary refused");
    return;
  }
  // Whole 280-byte units are valsort summaries, unless they start with the header of another
  // record shape whose summaries they are (then refused as such).
  if (!parsed.ok()) {
    Require(std::memcmp(payload, Summary::kMagic, 8) == 0 &&
                parsed.status().message().starts_with("the summaries are of records "),
            "whole summaries parse");
    return;
  }
  const std::vector<Summary>& parts = *parsed;
  Require(parts.size() == size / Summary::kBytes, "one summary per 280 bytes");
  for (size_t i = 0; i < parts.size(); ++i) {
    auto again = parts[i].Serialize();
    Require(std::memcmp(again.data(), payload + i * Summary::kBytes, Summary::kBytes) == 0,
            "a summary re-serializes to its bytes");
  }

  // Arbitrary fields: no crash, empty summaries skipped, a left fold.
  const Summary total = Combine(parts);
  CheckReport(total);
  std::vector<Summary> nonempty;
  for (const Summary& p : parts)
    if (p.records != 0) nonempty.push_back(p);
  RequireSame(Combine(nonempty), total, "empty summaries are skipped");
  const size_t k = a % (parts.size() + 1);
  std::vector<Summary> folded{Combine(std::span<const Summary>(parts.data(), k))};
  bool prefix_empty = true;
  for (size_t i = 0; i < k; ++i) prefix_empty = prefix_empty && parts[i].records == 0;
  // (A prefix whose record counts wrap to 0 in 128 bits would be skipped; only garbage does that.)
  if (folded[0].records != 0 || prefix_empty) {
    folded.insert(folded.end(), parts.begin() + k, parts.end());
    RequireSame(Combine(folded), total, "Combine is a left fold");
  }

  // Consistent summaries: the model, and any prefix and suffix combined separately.
  std::vector<Summary> c;
  for (const Summary& p : parts) c.push_back(MakeConsistent(p));
  const Summary ct = Combine(c);
  RequireSame(ct, ModelCombine(c), "Combine differs from the model of the concatenation");
  CheckReport(ct);
  for (size_t cut = 0; cut <= c.size(); ++cut) {
    Summary left = Combine(std::span<const Summary>(c.data(), cut));
    Summary right = Combine(std::span<const Summary>(c.data() + cut, c.size() - cut));
    RequireSame(Combine(std::vector<Summary>{left, right}), ct, "prefix and suffix combined separately");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  if (data[0] & 1) {
    FuzzSummaries(data[1], data + 3, size - 3);
  } else {
    FuzzRecords(data[1], data[2], data + 3, size - 3);
  }
  return 0;
}
