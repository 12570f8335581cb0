// tests/validate/valsort_cases_test.cpp — the valsort reference cases V01-V27 of docs/gensort-spec.md §12.2 on
// inputs built here, through the real file path (ValidatePartition, RunValidateJob).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/comm.hpp"
#include "core/config.hpp"
#include "core/dataset_paths.hpp"
#include "gen/record_generator.hpp"
#include "io/manifest.hpp"
#include "tests/support/sha256.hpp"
#include "tests/support/temp_dir.hpp"
#include "validate/partition_validator.hpp"
#include "validate/report.hpp"
#include "validate/summary.hpp"
#include "validate/validate_job.hpp"

namespace rs::validate {
namespace {

using gen::GenMode;
using test::ReadFile;
using test::Sha256Hex;
using test::TempDir;
using test::WriteFile;

constexpr GenMode kPlain{false, false};
constexpr GenMode kAscii{true, false};
constexpr GenMode kSkew{false, true};
constexpr GenMode kAsciiSkew{true, true};

constexpr uint64_t kMillion = 1000000;

// docs/gensort-spec.md §12.1 (generated inputs) and §12.2 (sorted inputs, V20 summaries).
constexpr char kG1000Sha[] = "f524474116510d1debac6d38152e793a7e3cb71b1dd2bb45b6610e3c17698177";
constexpr char kG1mSha[] = "515ea89a091c2a746500f46edd54dc5626878b4e9308d00ecf91656e8e3c3028";
constexpr char kA1mSha[] = "f0521447a8c0928e6591308bbb3198e1d844a105f31ebe823f6ed80c743aef68";
constexpr char kS1mSha[] = "26c04b085341da0e8315cf26ba9347c08a1b143974831cde20704348a6417f08";
constexpr char kAs1mSha[] = "6412ad20e9729e0cc711c3ab0cb1cdab195be80737df7f8d96279a54964d51f7";
constexpr char kG1000sSha[] = "dfa3bccf620f355643837e487639c0f546469757cb1ffdd4d46bae9fe85293be";
constexpr char kG1msSha[] = "e3a83e3f15d2cb3fd414046d6c10d3f525921150c4f824dac25556e466b099d3";
constexpr char kA1msSha[] = "b249eafb367b87aa35fdf55526302a72a5481d9d73376af44343d6187d56ca16";
constexpr char kS1msSha[] = "90551da5f92b2a9f672a2019a3065f68697db647b92da719a9d35820a396ba27";
constexpr char kAs1msSha[] = "ce78e28dbae6be665b3e5ebb69b9706372e78ffaa75286b24f9c694460b77613";
constexpr std::array<const char*, 4> kSpSumSha = {"e43acdd876435b15f622f6aae091df22d95715fd3d7257713b81c76f487802b7",
                                                  "603f1f8037c72cb1c8e338d07758f9e3c0b2b456dcc00ac31cbc5ff14577c076",
                                                  "369daa1b56f59693a22fe16bc6f1f54546e278606cfbc013a9c4dea2f5d861e0",
                                                  "6557a70ef363c9a1374643839ef9dfb9dcbba29456fe44af60f50276f641244e"};
constexpr std::array<const char*, 4> kSpChecksum = {"7714226a13", "7912e0dccc", "80d50e2a8f", "79675f47e7"};
constexpr uint64_t kG1000Checksum = 0x1ea6370b955;
constexpr uint64_t kG1mChecksum = 0x7a0e0d4868cd4;

// ---- Inputs ------------------------------------------------------------------------------------

std::string Generate(GenMode mode, uint64_t count) {
  std::string out(count * kRecordSize, '\0');
  gen::GenerateRecords(mode, 0, count, reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

// Records stably sorted by their 10-byte key as unsigned bytes (ties keep generation order),
// as the spec's sorted reference files are.
std::string SortByKey(const std::string& data) {
  struct Entry {
    uint64_t hi;  // key bytes 0-7, big-endian
    uint16_t lo;  // key bytes 8-9, big-endian
    uint32_t index;
  };
  const uint64_t n = data.size() / kRecordSize;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  std::vector<Entry> entries(n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint8_t* key = bytes + i * kRecordSize;
    uint64_t hi = 0;
    for (int b = 0; b < 8; ++b) hi = hi << 8 | key[b];
    entries[i] = {hi, uint16_t(key[8] << 8 | key[9]), uint32_t(i)};
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    return a.index < b.index;
  });
  std::string out;
  out.reserve(data.size());
  for (const Entry& e : entries) out.append(data, size_t(e.index) * kRecordSize, kRecordSize);
  return out;
}

std::string Rec(const std::string& data, uint64_t i) { return data.substr(i * kRecordSize, kRecordSize); }

const std::string& G1000() {
  static const std::string* data = new std::string(Generate(kPlain, 1000));
  return *data;
}
const std::string& G1000s() {
  static const std::string* data = new std::string(SortByKey(G1000()));
  return *data;
}
const std::string& G1ms() {
  static const std::string* data = new std::string(SortByKey(Generate(kPlain, kMillion)));
  return *data;
}

// Partition k (0..3) of g1000s: records 250k .. 250k+249 (spec V20).
std::string SpData(int k) { return G1000s().substr(size_t(k) * 250 * kRecordSize, 250 * kRecordSize); }

// Standard CRC-32 written from docs/gensort-spec.md §7 (reflected 0xEDB88320, init and final XOR 0xFFFFFFFF),
// to derive checksums of edited inputs that the spec does not list.
uint32_t ReferenceCrc32(const std::string& bytes) {
  uint32_t c = 0xFFFFFFFF;
  for (unsigned char b : bytes) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%" PRIx64, v);
  return buf;
}

// ---- Expected reports (docs/gensort-spec.md §8) ----------------------------------------------------------------

std::string SuccessReport(const std::string& records, const std::string& checksum, const std::string& dups) {
  return "Records: " + records + "\nChecksum: " + checksum + "\nDuplicate keys: " + dups +
         "\nSUCCESS - all records are in order\n";
}

std::string ErrorReport(const std::string& first, const std::string& records, const std::string& checksum,
                        const std::string& unordered) {
  return "First unordered record is record " + first + "\nRecords: " + records + "\nChecksum: " + checksum +
         "\nERROR - there are " + unordered + " unordered records\n";
}

// The 280 summary bytes of docs/gensort-spec.md §9, encoded here: little-endian host, each 128-bit field as the
// high word (zero for these values) followed by the low word.
std::string SpecSummaryBytes(uint64_t first_unordered, uint64_t unordered, uint64_t records, uint64_t dups,
                             uint64_t checksum, const std::string& first, const std::string& last) {
  std::string out;
  for (uint64_t v : {first_unordered, unordered, records, dups, checksum}) {
    out.append(8, '\0');
    for (int b = 0; b < 8; ++b) out.push_back(char(uint8_t(v >> (8 * b))));
  }
  return out + first + last;
}

std::string Bytes(const Summary& s) {
  auto b = s.Serialize();
  return std::string(b.begin(), b.end());
}

std::string Concat(const std::vector<Summary>& parts) {
  std::string out;
  for (const Summary& s : parts) out += Bytes(s);
  return out;
}

// ---- Running the validator ---------------------------------------------------------------------

Result<Summary> ValidateBytes(const std::string& data) {
  TempDir dir;
  std::string path = dir.File("input.dat");
  WriteFile(path, data);
  return ValidatePartition({path}, {}, nullptr, RecordShape{});
}

// Report of ValidatePartition on `data` written to a file; a failed validation becomes a text that
// matches no expected report.
Report ReportFor(const std::string& data) {
  Result<Summary> s = ValidateBytes(data);
  if (!s.ok()) return Report{"validation failed: " + s.status().message() + "\n", -1};
  return MakeReport(*s);
}

ValidateOutcome RunOnFile(const TempDir& dir, const std::string& name, ValidateJobOptions options = {}) {
  LocalComm comm;
  options.paths = DatasetPaths{{dir.path()}, {name}};
  return RunValidateJob(comm, options);
}

ValidateOutcome RunOnSummaryFile(const std::string& path, const std::string& summary_out = "") {
  LocalComm comm;
  ValidateJobOptions options;
  options.summaries_in = path;
  options.summary_out = summary_out;
  return RunValidateJob(comm, options);
}

void PatchFile(const std::string& path, uint64_t offset, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(std::streamoff(offset));
  f.write(bytes.data(), std::streamsize(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

// ---- Inputs match the spec ---------------------------------------------------------------------

TEST(ValsortInputsTest, G1000AndSortedG1000MatchSpecHashes) {
  EXPECT_EQ(Sha256Hex(G1000()), kG1000Sha);
  EXPECT_EQ(Sha256Hex(G1000s()), kG1000sSha);
}

TEST(ValsortInputsTest, ReferenceCrcMatchesSpec) {
  EXPECT_EQ(ReferenceCrc32(Rec(G1000(), 0)), 0x9ea593a0u);
  uint64_t sum = 0;
  for (uint64_t i = 0; i < 1000; ++i) sum += ReferenceCrc32(Rec(G1000(), i));
  EXPECT_EQ(sum, kG1000Checksum);
}

// ---- Record mode, 1000 records -----------------------------------------------------------------

TEST(ValsortCasesTest, V01UnsortedG1000) {
  Report r = ReportFor(G1000());
  EXPECT_EQ(r.text,
            "First unordered record is record 2\n"
            "Records: 1000\n"
            "Checksum: 1ea6370b955\n"
            "ERROR - there are 483 unordered records\n");
  EXPECT_EQ(r.exit_code, 1);
}

TEST(ValsortCasesTest, V03SortedG1000) {
  Report r = ReportFor(G1000s());
  EXPECT_EQ(r.text,
            "Records: 1000\n"
            "Checksum: 1ea6370b955\n"
            "Duplicate keys: 0\n"
            "SUCCESS - all records are in order\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ValsortCasesTest, V11PartialRecord) {
  TempDir dir;
  std::string path = dir.File("v11.dat");
  WriteFile(path, G1000s().substr(0, 1050));
  Result<Summary> s = ValidatePartition({path}, {}, nullptr, RecordShape{});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("partial record found at end"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find(path), std::string::npos) << s.status().message();

  ValidateOutcome out = RunOnFile(dir, "v11.dat");
  EXPECT_NE(out.error.find("partial record found at end"), std::string::npos) << out.error;
  EXPECT_EQ(out.report, "");
  EXPECT_EQ(out.exit_code, 1);
}

TEST(ValsortCasesTest, V12EmptyFile) {
  TempDir dir;
  WriteFile(dir.File("v12.dat"), "");
  Result<Summary> s = ValidatePartition({dir.File("v12.dat")}, {}, nullptr, RecordShape{});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->records, u128(0));

  ValidateOutcome out = RunOnFile(dir, "v12.dat");
  EXPECT_NE(out.error.find("there must be at least one record to be validated"), std::string::npos) << out.error;
  EXPECT_EQ(out.report, "");
  EXPECT_EQ(out.exit_code, 1);
}

TEST(ValsortCasesTest, MissingFile) {
  TempDir dir;
  std::string path = dir.File("missing.dat");
  ValidateOutcome out = RunOnFile(dir, "missing.dat");
  EXPECT_NE(out.error.find(path), std::string::npos) << out.error;
  EXPECT_NE(out.error.find("No such file or directory"), std::string::npos) << out.error;
  EXPECT_EQ(out.report, "");
  EXPECT_EQ(out.exit_code, 1);
}

TEST(ValsortCasesTest, V13FirstRecordOnly) {
  Report r = ReportFor(Rec(G1000s(), 0));
  EXPECT_EQ(r.text, SuccessReport("1", "98bd0a6c", "0"));
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ValsortCasesTest, V14RecordsDuplicatedInPlace) {
  std::string data;
  for (uint64_t i = 0; i < 1000; ++i) {
    data += Rec(G1000s(), i);
    if (i == 10 || i == 500) data += Rec(G1000s(), i);
  }
  ASSERT_EQ(data.size(), 1002 * kRecordSize);
  Report r = ReportFor(data);
  EXPECT_EQ(r.text, SuccessReport("1002", "1ead3c669cd", "2"));
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ValsortCasesTest, V15KeyCopiedFromPredecessor) {
  std::string data = G1000s();
  data.replace(101 * kRecordSize, kKeySize, data, 100 * kRecordSize, kKeySize);
  Report r = ReportFor(data);
  EXPECT_EQ(r.text, SuccessReport("1000", "1eb1c8a54e0", "1"));
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ValsortCasesTest, V17TwoRecordsSwapped) {
  std::string data = G1000s();
  data.replace(100 * kRecordSize, 2 * kRecordSize, Rec(G1000s(), 101) + Rec(G1000s(), 100));
  Report r = ReportFor(data);
  EXPECT_EQ(r.text, ErrorReport("101", "1000", "1ea6370b955", "1"));
  EXPECT_EQ(r.exit_code, 1);
}

TEST(ValsortCasesTest, V18Reversed) {
  std::string data;
  for (uint64_t i = 1000; i-- > 0;) data += Rec(G1000s(), i);
  Report r = ReportFor(data);
  // The checksum does not depend on order (docs/gensort-spec.md §7).
  EXPECT_EQ(r.text, ErrorReport("1", "1000", "1ea6370b955", "999"));
  EXPECT_EQ(r.exit_code, 1);
}

TEST(ValsortCasesTest, SummaryOutIsWrittenForUnsortedInput) {
  // docs/gensort-spec.md §9: -o writes the summary even if the input is out of order.
  TempDir dir;
  WriteFile(dir.File("g1000.dat"), G1000());
  ValidateJobOptions options;
  options.summary_out = dir.File("g1000.sum");
  ValidateOutcome out = RunOnFile(dir, "g1000.dat", options);
  EXPECT_EQ(out.report, ErrorReport("2", "1000", "1ea6370b955", "483"));
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(ReadFile(dir.File("g1000.sum")),
            SpecSummaryBytes(2, 483, 1000, 0, kG1000Checksum, Rec(G1000(), 0), Rec(G1000(), 999)));
}

// ---- Record mode, 1 000 000 records ------------------------------------------------------------

TEST(ValsortMillionTest, V04UnsortedG1m) {
  std::string g1m = Generate(kPlain, kMillion);
  ASSERT_EQ(Sha256Hex(g1m), kG1mSha);
  Report r = ReportFor(g1m);
  EXPECT_EQ(r.text, ErrorReport("2", "1000000", "7a0e0d4868cd4", "499452"));
  EXPECT_EQ(r.exit_code, 1);
}

TEST(ValsortMillionTest, V07SortedAscii) {
  std::string a1m = Generate(kAscii, kMillion);
  ASSERT_EQ(Sha256Hex(a1m), kA1mSha);
  std::string a1ms = SortByKey(a1m);
  a1m.clear();
  ASSERT_EQ(Sha256Hex(a1ms), kA1msSha);
  Report r = ReportFor(a1ms);
  EXPECT_EQ(r.text, SuccessReport("1000000", "7a19cff467438", "0"));
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ValsortMillionTest, V10UnsortedAndV08SortedSkew) {
  std::string s1m = Generate(kSkew, kMillion);
  ASSERT_EQ(Sha256Hex(s1m), kS1mSha);
  Report unsorted = ReportFor(s1m);
  EXPECT_EQ(unsorted.text, ErrorReport("2", "1000000", "79f9a7e6de673", "500445"));
  EXPECT_EQ(unsorted.exit_code, 1);

  std::string s1ms = SortByKey(s1m);
  s1m.clear();
  ASSERT_EQ(Sha256Hex(s1ms), kS1msSha);
  Report sorted = ReportFor(s1ms);
  EXPECT_EQ(sorted.text, SuccessReport("1000000", "79f9a7e6de673", "0"));
  EXPECT_EQ(sorted.exit_code, 0);
}

TEST(ValsortMillionTest, V09SortedAsciiSkewHas35Duplicates) {
  std::string as1m = Generate(kAsciiSkew, kMillion);
  ASSERT_EQ(Sha256Hex(as1m), kAs1mSha);
  std::string as1ms = SortByKey(as1m);
  as1m.clear();
  ASSERT_EQ(Sha256Hex(as1ms), kAs1msSha);
  Report r = ReportFor(as1ms);
  EXPECT_EQ(r.text, SuccessReport("1000000", "7a135fbce6df2", "35"));
  EXPECT_EQ(r.exit_code, 0);
}

// g1ms written once; the tests edit a few records in place and restore them.
class SortedMillionFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    WriteFile(dir_->File(kName), G1ms());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string Path() { return dir_->File(kName); }

  // Validates the file after writing `edited` over records first.., then restores them.
  static Report ReportWithEdit(uint64_t first, const std::string& edited) {
    PatchFile(Path(), first * kRecordSize, edited);
    Result<Summary> s = ValidatePartition({Path()}, {}, nullptr, RecordShape{});
    PatchFile(Path(), first * kRecordSize, G1ms().substr(first * kRecordSize, edited.size()));
    if (!s.ok()) return Report{"validation failed: " + s.status().message() + "\n", -1};
    return MakeReport(*s);
  }

  static constexpr char kName[] = "g1ms.dat";
  static TempDir* dir_;
};

TempDir* SortedMillionFileTest::dir_ = nullptr;

TEST_F(SortedMillionFileTest, V05SortedG1m) {
  ASSERT_EQ(Sha256Hex(G1ms()), kG1msSha);
  Result<Summary> s = ValidatePartition({Path()}, {}, nullptr, RecordShape{});
  ASSERT_TRUE(s.ok()) << s.status().message();
  Report r = MakeReport(*s);
  EXPECT_EQ(r.text, SuccessReport("1000000", "7a0e0d4868cd4", "0"));
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(SortedMillionFileTest, V05SameReportForAnyThreadCount) {
  for (int threads : {1, 2, 0}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ValidateJobOptions options;
    options.threads = threads;
    ValidateOutcome out = RunOnFile(*dir_, kName, options);
    EXPECT_EQ(out.report, SuccessReport("1000000", "7a0e0d4868cd4", "0"));
    EXPECT_EQ(out.error, "");
    EXPECT_EQ(out.exit_code, 0);
  }
}

TEST_F(SortedMillionFileTest, SwapAtBlockBoundaryCountsOnce) {
  // The file is read in buffers of 20480 records (2,048,000 bytes at the default 2 MiB transfer
  // size); records 40959 and 40960 straddle a buffer boundary, so the disorder is only seen when
  // the buffer summaries are combined.
  const uint64_t block = DiskOptions{}.record_transfer_size(RecordShape{}) / kRecordSize;
  ASSERT_EQ(block, 20480u);
  ASSERT_EQ(40960 % block, 0u);
  ASSERT_EQ(983040 % block, 0u);
  ASSERT_GT(983040 + block, 1000000u);  // 983040 starts the last, partial buffer
  Report r = ReportWithEdit(40959, Rec(G1ms(), 40960) + Rec(G1ms(), 40959));
  EXPECT_EQ(r.text, ErrorReport("40960", "1000000", "7a0e0d4868cd4", "1"));
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(SortedMillionFileTest, SwapsNearBlockBoundaries) {
  struct Case {
    uint64_t swap_at;  // records swap_at and swap_at+1 are swapped
    const char* first_unordered;
  };
  const Case cases[] = {
      {40958, "40959"},    // last two records of block 0
      {40960, "40961"},    // first two records of block 1: index offset by the block start
      {81919, "81920"},    // boundary between blocks 1 and 2
      {983039, "983040"},  // boundary before the last, partial block
      {999998, "999999"},  // last two records of the file
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("swap at " + std::to_string(c.swap_at));
    Report r = ReportWithEdit(c.swap_at, Rec(G1ms(), c.swap_at + 1) + Rec(G1ms(), c.swap_at));
    EXPECT_EQ(r.text, ErrorReport(c.first_unordered, "1000000", "7a0e0d4868cd4", "1"));
    EXPECT_EQ(r.exit_code, 1);
  }
}

TEST_F(SortedMillionFileTest, TwoBoundarySwapsReportTheFirst) {
  PatchFile(Path(), 983039 * kRecordSize, Rec(G1ms(), 983040) + Rec(G1ms(), 983039));
  Report r = ReportWithEdit(40959, Rec(G1ms(), 40960) + Rec(G1ms(), 40959));
  PatchFile(Path(), 983039 * kRecordSize, G1ms().substr(983039 * kRecordSize, 2 * kRecordSize));
  EXPECT_EQ(r.text, ErrorReport("40960", "1000000", "7a0e0d4868cd4", "2"));
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(SortedMillionFileTest, EqualKeysAcrossBlockBoundaryAreOneDuplicate) {
  // Record 40960 (first of block 1) gets the key of record 40959 (last of block 0).
  std::string edited = Rec(G1ms(), 40960);
  edited.replace(0, kKeySize, G1ms(), 40959 * kRecordSize, kKeySize);
  uint64_t checksum = kG1mChecksum - ReferenceCrc32(Rec(G1ms(), 40960)) + ReferenceCrc32(edited);
  Report r = ReportWithEdit(40960, edited);
  EXPECT_EQ(r.text, SuccessReport("1000000", Hex(checksum), "1"));
  EXPECT_EQ(r.exit_code, 0);
}

// ---- Partition summaries (V20-V27) -------------------------------------------------------------

// Summaries of sp0..sp3 (4 x 250 records of g1000s), each through ValidatePartition.
const std::vector<Summary>& SpSummaries() {
  static const std::vector<Summary>* parts = [] {
    auto* out = new std::vector<Summary>();
    for (int k = 0; k < 4; ++k) {
      Result<Summary> s = ValidateBytes(SpData(k));
      EXPECT_TRUE(s.ok()) << s.status().message();
      out->push_back(s.ok() ? *s : Summary{});
    }
    return out;
  }();
  return *parts;
}

std::vector<Summary> SpInOrder(std::initializer_list<int> order) {
  std::vector<Summary> parts;
  for (int k : order) parts.push_back(SpSummaries()[size_t(k)]);
  return parts;
}

// Checks a combination three ways: Combine, ParseSummaries of the concatenated file, and
// RunValidateJob with --summaries (valsort -s).
void ExpectCombined(const std::vector<Summary>& parts, const std::string& want_text, int want_exit) {
  Report direct = MakeReport(Combine(parts));
  EXPECT_EQ(direct.text, want_text);
  EXPECT_EQ(direct.exit_code, want_exit);

  std::string all = Concat(parts);
  ASSERT_EQ(all.size(), parts.size() * 280);
  Result<std::vector<Summary>> parsed = ParseSummaries(all, RecordShape{});
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  Report reparsed = MakeReport(Combine(*parsed));
  EXPECT_EQ(reparsed.text, want_text);
  EXPECT_EQ(reparsed.exit_code, want_exit);

  TempDir dir;
  WriteFile(dir.File("all.sum"), all);
  ValidateOutcome out = RunOnSummaryFile(dir.File("all.sum"));
  EXPECT_EQ(out.report, want_text);
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(out.exit_code, want_exit);
}

class ValsortSummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int k = 0; k < 4; ++k) {
      ASSERT_EQ(Sha256Hex(Bytes(SpSummaries()[size_t(k)])), kSpSumSha[size_t(k)]) << "sp" << k << ".sum";
    }
  }
};

TEST(ValsortPartitionTest, V20PartitionSummariesMatchSpec) {
  TempDir dir;
  for (int k = 0; k < 4; ++k) {
    SCOPED_TRACE("sp" + std::to_string(k));
    std::string name = "sp" + std::to_string(k) + ".dat";
    WriteFile(dir.File(name), SpData(k));
    std::string want = SuccessReport("250", kSpChecksum[size_t(k)], "0");

    Result<Summary> s = ValidatePartition({dir.File(name)}, {}, nullptr, RecordShape{});
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ(MakeReport(*s).text, want);
    EXPECT_EQ(Sha256Hex(Bytes(*s)), kSpSumSha[size_t(k)]);

    // valsort -o spK.sum spK.dat
    ValidateJobOptions options;
    options.summary_out = dir.File("sp" + std::to_string(k) + ".sum");
    ValidateOutcome out = RunOnFile(dir, name, options);
    EXPECT_EQ(out.report, want);
    EXPECT_EQ(out.error, "");
    EXPECT_EQ(out.exit_code, 0);
    std::string written = ReadFile(options.summary_out);
    EXPECT_EQ(written.size(), 280u);
    EXPECT_EQ(Sha256Hex(written), kSpSumSha[size_t(k)]);
  }
}

TEST_F(ValsortSummaryTest, V22InOrder) {
  ExpectCombined(SpInOrder({0, 1, 2, 3}), SuccessReport("1000", "1ea6370b955", "0"), 0);
}

TEST_F(ValsortSummaryTest, V23Order0213) {
  ExpectCombined(SpInOrder({0, 2, 1, 3}), ErrorReport("500", "1000", "1ea6370b955", "1"), 1);
}

TEST_F(ValsortSummaryTest, V24Order3210) {
  ExpectCombined(SpInOrder({3, 2, 1, 0}), ErrorReport("250", "1000", "1ea6370b955", "3"), 1);
}

TEST_F(ValsortSummaryTest, V25SwapInsidePartition2) {
  std::string sp2 = SpData(2);
  std::string r10 = sp2.substr(10 * kRecordSize, kRecordSize);
  std::string r11 = sp2.substr(11 * kRecordSize, kRecordSize);
  sp2.replace(10 * kRecordSize, 2 * kRecordSize, r11 + r10);
  Result<Summary> p2 = ValidateBytes(sp2);
  ASSERT_TRUE(p2.ok()) << p2.status().message();
  Report partition = MakeReport(*p2);
  EXPECT_EQ(partition.text, ErrorReport("11", "250", "80d50e2a8f", "1"));
  EXPECT_EQ(partition.exit_code, 1);

  std::vector<Summary> parts = SpInOrder({0, 1});
  parts.push_back(*p2);
  parts.push_back(SpSummaries()[3]);
  ExpectCombined(parts, ErrorReport("511", "1000", "1ea6370b955", "1"), 1);
}

TEST_F(ValsortSummaryTest, V26Partition1StartsWithCopyOfPartition0Last) {
  std::string sp1 = Rec(SpData(0), 249) + SpData(1);
  Result<Summary> p1 = ValidateBytes(sp1);
  ASSERT_TRUE(p1.ok()) << p1.status().message();
  EXPECT_EQ(MakeReport(*p1).exit_code, 0);

  std::vector<Summary> parts = {SpSummaries()[0], *p1, SpSummaries()[2], SpSummaries()[3]};
  ExpectCombined(parts, SuccessReport("1001", "1eaebde6285", "1"), 0);
}

TEST(ValsortPartitionTest, V27BadSummaryFiles) {
  Result<std::vector<Summary>> partial = ParseSummaries(std::string(300, '\x01'), RecordShape{});
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(partial.status().message(), "partial partition summary found at end");
  Result<std::vector<Summary>> empty = ParseSummaries("", RecordShape{});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "there must be at least one record to be validated");

  TempDir dir;
  WriteFile(dir.File("partial.sum"), std::string(300, '\x01'));
  ValidateOutcome out = RunOnSummaryFile(dir.File("partial.sum"));
  EXPECT_NE(out.error.find("partial partition summary found at end"), std::string::npos) << out.error;
  EXPECT_EQ(out.report, "");
  EXPECT_EQ(out.exit_code, 1);

  WriteFile(dir.File("empty.sum"), "");
  out = RunOnSummaryFile(dir.File("empty.sum"));
  EXPECT_NE(out.error.find("there must be at least one record to be validated"), std::string::npos) << out.error;
  EXPECT_EQ(out.report, "");
  EXPECT_EQ(out.exit_code, 1);
}

TEST_F(ValsortSummaryTest, SummaryOutOfWholeFileEqualsCombinedPartitions) {
  TempDir dir;
  WriteFile(dir.File("g1000s.dat"), G1000s());
  ValidateJobOptions options;
  options.summary_out = dir.File("whole.sum");
  ValidateOutcome out = RunOnFile(dir, "g1000s.dat", options);
  EXPECT_EQ(out.report, SuccessReport("1000", "1ea6370b955", "0"));
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(out.exit_code, 0);
  std::string whole = ReadFile(dir.File("whole.sum"));
  ASSERT_EQ(whole.size(), 280u);
  EXPECT_EQ(whole, SpecSummaryBytes(0, 0, 1000, 0, kG1000Checksum, Rec(G1000s(), 0), Rec(G1000s(), 999)));

  // valsort -o on the concatenated summaries: byte-identical to the whole file's summary.
  std::string sha = Sha256Hex(whole);
  EXPECT_EQ(Sha256Hex(Bytes(Combine(SpInOrder({0, 1, 2, 3})))), sha);
  WriteFile(dir.File("all.sum"), Concat(SpInOrder({0, 1, 2, 3})));
  out = RunOnSummaryFile(dir.File("all.sum"), dir.File("combined.sum"));
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(Sha256Hex(ReadFile(dir.File("combined.sum"))), sha);

  // A tree: (0,1) and (2,3) combined first, then the two results.
  WriteFile(dir.File("01.sum"), Concat(SpInOrder({0, 1})));
  WriteFile(dir.File("23.sum"), Concat(SpInOrder({2, 3})));
  EXPECT_EQ(RunOnSummaryFile(dir.File("01.sum"), dir.File("01.out")).exit_code, 0);
  EXPECT_EQ(RunOnSummaryFile(dir.File("23.sum"), dir.File("23.out")).exit_code, 0);
  WriteFile(dir.File("tree.sum"), ReadFile(dir.File("01.out")) + ReadFile(dir.File("23.out")));
  out = RunOnSummaryFile(dir.File("tree.sum"), dir.File("tree.out"));
  EXPECT_EQ(out.report, SuccessReport("1000", "1ea6370b955", "0"));
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(Sha256Hex(ReadFile(dir.File("tree.out"))), sha);
}

// ---- Expected totals (--expect-checksum, --manifest) -------------------------------------------

class ValidateExpectTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteFile(dir_.File("g1000s.dat"), G1000s()); }
  TempDir dir_;
};

TEST_F(ValidateExpectTest, RightChecksumPasses) {
  ValidateJobOptions options;
  options.expect_checksum = u128(kG1000Checksum);
  ValidateOutcome out = RunOnFile(dir_, "g1000s.dat", options);
  EXPECT_EQ(out.report, SuccessReport("1000", "1ea6370b955", "0"));
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(out.exit_code, 0);
}

TEST_F(ValidateExpectTest, WrongChecksumFails) {
  ValidateJobOptions options;
  options.expect_checksum = u128(kG1000Checksum + 1);
  ValidateOutcome out = RunOnFile(dir_, "g1000s.dat", options);
  EXPECT_EQ(out.report, SuccessReport("1000", "1ea6370b955", "0"));
  EXPECT_NE(out.error.find("checksum mismatch"), std::string::npos) << out.error;
  EXPECT_EQ(out.exit_code, 1);
}

TEST_F(ValidateExpectTest, DroppedRecordFailsChecksum) {
  std::string dropped = G1000s();
  dropped.erase(500 * kRecordSize, kRecordSize);
  WriteFile(dir_.File("dropped.dat"), dropped);
  ValidateJobOptions options;
  options.expect_checksum = u128(kG1000Checksum);
  ValidateOutcome out = RunOnFile(dir_, "dropped.dat", options);
  // Still in order, so only the checksum can tell that a record is missing.
  EXPECT_NE(out.report.find("Records: 999\n"), std::string::npos) << out.report;
  EXPECT_NE(out.report.find("SUCCESS - all records are in order\n"), std::string::npos) << out.report;
  EXPECT_NE(out.error.find("checksum mismatch"), std::string::npos) << out.error;
  EXPECT_EQ(out.exit_code, 1);
}

TEST_F(ValidateExpectTest, ManifestTotalsAreChecked) {
  Manifest m;
  m.records = 1000;
  m.checksum = Checksum128(kG1000Checksum);
  m.partitions.push_back(ManifestPartition{0, 0, 1000, Checksum128(kG1000Checksum), {"g1000s.dat"}});
  ASSERT_TRUE(m.Save(dir_.File("manifest.json")).ok());
  ValidateJobOptions options;
  options.manifest = dir_.File("manifest.json");

  ValidateOutcome good = RunOnFile(dir_, "g1000s.dat", options);
  EXPECT_EQ(good.error, "");
  EXPECT_EQ(good.exit_code, 0);

  std::string dropped = G1000s();
  dropped.erase(500 * kRecordSize, kRecordSize);
  WriteFile(dir_.File("dropped.dat"), dropped);
  ValidateOutcome bad = RunOnFile(dir_, "dropped.dat", options);
  EXPECT_NE(bad.error.find("mismatch"), std::string::npos) << bad.error;
  EXPECT_EQ(bad.exit_code, 1);
}

}  // namespace
}  // namespace rs::validate
