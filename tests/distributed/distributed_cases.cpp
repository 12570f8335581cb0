// tests/distributed/distributed_cases.cpp
#include "tests/distributed/distributed_cases.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/record.hpp"
#include "gen/gen_job.hpp"
#include "gen/rank_slice.hpp"
#include "gen/record_generator.hpp"
#include "io/manifest.hpp"
#include "partition/splitter.hpp"
#include "tests/support/temp_dir.hpp"
#include "validate/partition_validator.hpp"
#include "validate/report.hpp"
#include "validate/validate_job.hpp"

namespace rs::test {

namespace {

// A directory every rank can see: rank 0 creates it, the others learn its path.
class SharedDir {
 public:
  explicit SharedDir(Comm& comm) : comm_(comm) {
    if (comm.rank() == 0) owner_ = std::make_unique<TempDir>();
    path_ = comm.AllGather(comm.rank() == 0 ? owner_->path() : "")[0];
  }
  ~SharedDir() { Barrier(); }  // nobody may still be reading when rank 0 removes it
  void Barrier() { comm_.AllGather(""); }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  Comm& comm_;
  std::unique_ptr<TempDir> owner_;
  std::string path_;
};

std::string Generate(gen::GenMode mode, u128 start, uint64_t count) {
  std::string s(count * kRecordSize, '\0');
  gen::GenerateRecords(mode, start, count, reinterpret_cast<uint8_t*>(s.data()));
  return s;
}

std::string SortedByKey(const std::string& data) {
  size_t n = data.size() / kRecordSize;
  std::vector<size_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    return CompareKeys(reinterpret_cast<const uint8_t*>(&data[a * kRecordSize]),
                       reinterpret_cast<const uint8_t*>(&data[b * kRecordSize])) < 0;
  });
  std::string out;
  for (size_t i : idx) out.append(data, i * kRecordSize, kRecordSize);
  return out;
}

void Silent(const std::string&) {}

// What valsort prints for one file: the single-file path, itself checked against the spec.
validate::ValidateOutcome SingleFileOutcome(const std::string& path) {
  auto s = validate::ValidatePartition({path}, {}, nullptr, RecordShape{});
  if (!s.ok()) return {"", s.status().message(), 1};
  if (s->records == 0) return {"", validate::kNoRecordsMessage, 1};
  auto r = validate::MakeReport(*s);
  return {r.text, "", r.exit_code};
}

// Rank 0 writes `parts[r]` as "<prefix>.r" for every rank; everyone waits for it.
void WriteParts(SharedDir& dir, Comm& comm, const std::string& prefix, const std::vector<std::string>& parts) {
  if (comm.rank() == 0) {
    for (size_t r = 0; r < parts.size(); ++r) WriteFile(dir.File(prefix + "." + std::to_string(r)), parts[r]);
  }
  dir.Barrier();
}

// Splits records into comm.size() parts at the given record cut points (sorted, may repeat).
std::vector<std::string> SplitAt(const std::string& data, std::vector<size_t> cuts, int parts) {
  cuts.resize(size_t(parts - 1), data.size() / kRecordSize);
  std::vector<std::string> out;
  size_t prev = 0;
  for (size_t c : cuts) {
    out.push_back(data.substr(prev * kRecordSize, (c - prev) * kRecordSize));
    prev = c;
  }
  out.push_back(data.substr(prev * kRecordSize));
  return out;
}

void ExpectSameAsConcatenation(Comm& comm, SharedDir& dir, const std::string& prefix,
                               const std::vector<std::string>& parts, const std::string& what) {
  WriteParts(dir, comm, prefix, parts);
  validate::ValidateJobOptions opt;
  opt.paths = {{dir.path()}, {prefix + ".{rank}"}};
  validate::ValidateOutcome got = validate::RunValidateJob(comm, opt);
  if (comm.rank() == 0) {
    std::string all;
    for (const auto& p : parts) all += p;
    WriteFile(dir.File(prefix + ".all"), all);
    validate::ValidateOutcome want = SingleFileOutcome(dir.File(prefix + ".all"));
    EXPECT_EQ(got.report, want.report) << what << " with " << comm.size() << " ranks";
    EXPECT_EQ(got.exit_code, want.exit_code) << what;
    EXPECT_EQ(got.error, want.error) << what;
  }
  dir.Barrier();
}

}  // namespace

bool OnEveryRank(Comm& comm, bool ok) {
  for (const std::string& v : comm.AllGather(ok ? "1" : "0")) {
    if (v != "1") return false;
  }
  return true;
}

void PartitionedGenMatchesSingleFile(Comm& comm) {
  SharedDir dir(comm);
  const u128 big = u128(1) << 64;
  struct Case {
    uint64_t records;
    u128 start;
  };
  for (Case c : {Case{1000, 0}, Case{1003, 7}, Case{2, 0}, Case{997, big - 500}, Case{0, 0}}) {
    for (gen::GenMode mode :
         {gen::GenMode{false, false}, gen::GenMode{true, false}, gen::GenMode{false, true}, gen::GenMode{true, true}}) {
      gen::GenJobOptions opt;
      opt.records = c.records;
      opt.start = c.start;
      opt.spec.mode = mode;
      opt.paths = {{dir.path()}, {"p.{rank}"}};
      opt.threads = 1;
      auto result = gen::RunGenJob(comm, opt, Silent);
      EXPECT_TRUE(result.ok()) << result.status().message();
      if (!OnEveryRank(comm, result.ok())) continue;  // nothing to compare; every rank goes on
      std::string label = std::to_string(c.records) + " records from " + ToDecimal(c.start) +
                          (mode.ascii ? " ascii" : "") + (mode.skew ? " skew" : "");
      std::string want = Generate(mode, c.start, c.records);
      Checksum128 want_sum;
      want_sum.AddRecords(reinterpret_cast<const uint8_t*>(want.data()), c.records, kRecordSize);
      EXPECT_EQ(result->checksum, want_sum) << label;
      if (comm.rank() == 0) {
        std::string got;
        for (int r = 0; r < comm.size(); ++r) got += ReadFile(dir.File("p." + std::to_string(r)));
        EXPECT_TRUE(got == want) << label << ": concatenated partitions differ from the single file";
        // Only EXPECTs and guards here: returning early on rank 0 would strand the other ranks.
        auto m = Manifest::Load(result->manifest_path);
        EXPECT_TRUE(m.ok()) << m.status().message();
        EXPECT_EQ(m->records, c.records);
        EXPECT_EQ(m->checksum, want_sum);
        EXPECT_EQ(int(m->partitions.size()), comm.size());
        for (int r = 0; r < comm.size() && r < int(m->partitions.size()); ++r) {
          auto slice = gen::SliceForRank(c.start, c.records, r, comm.size());
          EXPECT_TRUE(m->partitions[r].start == slice.first) << label << " rank " << r;
          EXPECT_EQ(m->partitions[r].records, slice.count) << label << " rank " << r;
        }
      }
      dir.Barrier();
    }
  }
}

void DistributedValidateMatchesSingleFile(Comm& comm) {
  SharedDir dir(comm);
  const int p = comm.size();
  const std::string raw = Generate({}, 0, 1000);
  const std::string sorted = SortedByKey(raw);
  // Even cuts, and cuts that leave one partition empty.
  std::vector<size_t> even, with_empty;
  for (int r = 1; r < p; ++r) even.push_back(size_t(1000) * r / p);
  for (int r = 1; r < p; ++r) with_empty.push_back(r == 1 ? 0 : size_t(1000) * r / p);
  ExpectSameAsConcatenation(comm, dir, "sorted", SplitAt(sorted, even, p), "sorted");
  ExpectSameAsConcatenation(comm, dir, "unsorted", SplitAt(raw, even, p), "unsorted");
  ExpectSameAsConcatenation(comm, dir, "empty", SplitAt(sorted, with_empty, p), "one empty partition");

  // Out-of-order boundary: the partitions in reverse rank order.
  auto parts = SplitAt(sorted, even, p);
  std::reverse(parts.begin(), parts.end());
  ExpectSameAsConcatenation(comm, dir, "reversed", parts, "partitions in reverse order");

  // Duplicate key across a boundary: partition 1 starts with a copy of partition 0's last record.
  parts = SplitAt(sorted, even, p);
  if (p > 1) parts[1].insert(0, parts[0].substr(parts[0].size() - kRecordSize));
  ExpectSameAsConcatenation(comm, dir, "dupboundary", parts, "duplicate key across a boundary");

  // Disorder inside the last partition after a clean boundary.
  parts = SplitAt(sorted, even, p);
  std::string& last = parts.back();
  std::swap_ranges(last.begin() + 10 * kRecordSize, last.begin() + 11 * kRecordSize, last.begin() + 11 * kRecordSize);
  ExpectSameAsConcatenation(comm, dir, "innerswap", parts, "two records swapped in the last partition");

  // All partitions empty: valsort's "at least one record" error on every rank.
  ExpectSameAsConcatenation(comm, dir, "allempty", std::vector<std::string>(size_t(p)), "all partitions empty");
}

void ManifestCheckCatchesLostRecord(Comm& comm) {
  SharedDir dir(comm);
  gen::GenJobOptions g;
  g.records = 5003;
  g.paths = {{dir.path()}, {"in.{rank}"}};
  auto made = gen::RunGenJob(comm, g, Silent);
  EXPECT_TRUE(made.ok()) << made.status().message();
  if (!OnEveryRank(comm, made.ok())) return;  // no input to check against; every rank returns

  // "Sort" on rank 0 (the test's stand-in for a sort) into out.{rank}, then validate against
  // the input manifest: records and checksum agree.
  std::string all;
  if (comm.rank() == 0) {
    for (int r = 0; r < comm.size(); ++r) all += ReadFile(dir.File("in." + std::to_string(r)));
  }
  std::vector<size_t> cuts;
  for (int r = 1; r < comm.size(); ++r) cuts.push_back(size_t(5003) * r / comm.size());
  std::vector<std::string> parts;
  if (comm.rank() == 0) parts = SplitAt(SortedByKey(all), cuts, comm.size());
  WriteParts(dir, comm, "out", parts);
  validate::ValidateJobOptions v;
  v.paths = {{dir.path()}, {"out.{rank}"}};
  v.manifest = made->manifest_path;
  auto ok = validate::RunValidateJob(comm, v);
  EXPECT_EQ(ok.exit_code, 0) << ok.error;
  EXPECT_EQ(ok.error, "");

  // Drop the last record of the last partition: order still holds, the count and checksum don't.
  if (comm.rank() == 0) parts.back().resize(parts.back().size() - kRecordSize);
  WriteParts(dir, comm, "out", parts);
  auto lost = validate::RunValidateJob(comm, v);
  EXPECT_EQ(lost.exit_code, 1);
  EXPECT_NE(lost.error.find("record count mismatch"), std::string::npos) << lost.error;
  EXPECT_NE(lost.report.find("SUCCESS"), std::string::npos) << "order alone cannot see a lost record";
}

void MissingPartitionNamesTheRank(Comm& comm) {
  SharedDir dir(comm);
  const int missing = comm.size() - 1;
  if (comm.rank() == 0) {
    for (int r = 0; r < comm.size(); ++r) {
      if (r != missing) WriteFile(dir.File("m." + std::to_string(r)), Generate({}, 0, 10));
    }
  }
  dir.Barrier();
  validate::ValidateJobOptions v;
  v.paths = {{dir.path()}, {"m.{rank}"}};
  auto out = validate::RunValidateJob(comm, v);
  EXPECT_EQ(out.exit_code, 1);
  std::string want = "rank " + std::to_string(missing) + ": " + dir.File("m." + std::to_string(missing)) +
                     ": No such file or directory";
  EXPECT_EQ(out.error, want);
}

namespace {

// A value every rank can compute for any (rank, index, salt): the collectives' inputs.
uint64_t Mix(uint64_t a, uint64_t b, uint64_t c) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull ^ c;
  z ^= z >> 31;
  return z * 0x94D049BB133111EBull;
}

}  // namespace

void CollectivesMatchTheirDefinitions(Comm& comm) {
  const int p = comm.size(), me = comm.rank();
  for (size_t len : {size_t(0), size_t(1), size_t(7), size_t(5000)}) {
    // Sums and prefix sums (values small enough that no sum wraps).
    std::vector<uint64_t> sum(len), scan(len);
    for (size_t i = 0; i < len; ++i) sum[i] = scan[i] = Mix(uint64_t(me), i, 1) >> 20;
    comm.AllReduceSum(sum);
    comm.ExScanSum(scan);
    size_t wrong_sum = 0, wrong_scan = 0;
    for (size_t i = 0; i < len; ++i) {
      uint64_t all = 0, before = 0;
      for (int q = 0; q < p; ++q) {
        all += Mix(uint64_t(q), i, 1) >> 20;
        if (q < me) before += Mix(uint64_t(q), i, 1) >> 20;
      }
      wrong_sum += sum[i] != all;
      wrong_scan += scan[i] != before;
    }
    EXPECT_EQ(wrong_sum, 0u) << "AllReduceSum, length " << len;
    EXPECT_EQ(wrong_scan, 0u) << "ExScanSum, length " << len;
    // Minima of elements of several widths; few byte values, so that ties and long common prefixes occur.
    for (size_t width : {size_t(1), size_t(22), size_t(30)}) {
      std::vector<uint8_t> mine(len * width), want(len * width);
      auto element = [&](int q, size_t i, uint8_t* out) {
        for (size_t b = 0; b < width; ++b) out[b] = uint8_t(Mix(uint64_t(q), i, b) % 3);
      };
      for (size_t i = 0; i < len; ++i) {
        element(me, i, &mine[i * width]);
        element(0, i, &want[i * width]);
        std::vector<uint8_t> other(width);
        for (int q = 1; q < p; ++q) {
          element(q, i, other.data());
          if (std::memcmp(other.data(), &want[i * width], width) < 0)
            std::memcpy(&want[i * width], other.data(), width);
        }
      }
      comm.AllReduceMinBytes(mine, width);
      EXPECT_TRUE(mine == want) << "AllReduceMinBytes, length " << len << ", width " << width;
    }
  }
  // All-to-all: piece (q -> r) has a length that depends on both, some empty, one large.
  auto piece = [&](int from, int to) {
    const size_t n = (from + to) % 3 == 0       ? 0
                     : from == 0 && to == p - 1 ? 300000
                                                : size_t(Mix(uint64_t(from), uint64_t(to), 7) % 2000);
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = char(Mix(uint64_t(from), uint64_t(to), i));
    return s;
  };
  std::vector<std::string> to(static_cast<size_t>(p));
  for (int r = 0; r < p; ++r) to[size_t(r)] = piece(me, r);
  const std::vector<std::string> from = comm.AllToAll(to);
  EXPECT_EQ(from.size(), size_t(p));
  for (int q = 0; q < p && q < int(from.size()); ++q)
    EXPECT_TRUE(from[size_t(q)] == piece(q, me)) << "AllToAll from " << q;
  // All-gather of unequal contributions, one far larger than the rest.
  const std::vector<std::string> all = comm.AllGather(piece(me, me == 0 ? p - 1 : me));
  EXPECT_EQ(all.size(), size_t(p));
  for (int q = 0; q < p && q < int(all.size()); ++q) {
    EXPECT_TRUE(all[size_t(q)] == piece(q, q == 0 ? p - 1 : q)) << "AllGather from " << q;
  }
  // Gather of the same to each root in turn: the root gets everything, the others nothing.
  for (int root = 0; root < p; ++root) {
    const std::vector<std::string> got = comm.Gather(piece(me, me == 0 ? p - 1 : me), root);
    if (me != root) {
      EXPECT_TRUE(got.empty()) << "Gather to " << root << " gave rank " << me << " " << got.size();
      continue;
    }
    EXPECT_EQ(got.size(), size_t(p));
    for (int q = 0; q < p && q < int(got.size()); ++q) {
      EXPECT_TRUE(got[size_t(q)] == piece(q, q == 0 ? p - 1 : q)) << "Gather to " << root << " from " << q;
    }
  }
}

void TransportDeliversEverything(Comm& comm, Transport& t, MemPool& send_pool, std::chrono::milliseconds pause) {
  const int p = comm.size(), me = comm.rank();
  // The last rank sends nothing (a rank with no input); the others send `per_peer` buffers of
  // varying sizes to every rank.
  const uint64_t per_peer = me == p - 1 && p > 1 ? 0 : 40;
  auto size_of = [&](int from, int to, uint64_t seq) {
    return size_t(24 + (seq * 7919 + size_t(to) * 104729 + size_t(from) * 1299709) % (send_pool.buffer_size() - 24));
  };
  auto byte_at = [](int from, uint64_t seq, size_t i) { return uint8_t(from * 31 + seq * 7 + i); };
  std::thread sender([&] {
    for (uint64_t seq = 0; seq < per_peer; ++seq) {
      if (pause.count() > 0 && seq % 10 == 9) std::this_thread::sleep_for(pause);
      for (int to = 0; to < p; ++to) {
        Buffer b = send_pool.Get();
        size_t n = size_of(me, to, seq);
        uint64_t header[3] = {uint64_t(me), uint64_t(to), seq};
        std::memcpy(b.data(), header, sizeof header);
        for (size_t i = sizeof header; i < n; ++i) b.data()[i] = byte_at(me, seq, i);
        b.set_size(n);
        t.Send(to, std::move(b));
      }
    }
    t.FinishSending();
  });
  std::vector<uint64_t> next(size_t(p), 0);
  uint64_t bad = 0;
  while (auto r = t.Receive()) {
    uint64_t header[3];
    std::memcpy(header, r->buffer.data(), sizeof header);
    int from = int(header[0]);
    uint64_t seq = header[2];
    bool ok = from == r->from && header[1] == uint64_t(me) && seq == next[size_t(from)] &&
              r->buffer.size() == size_of(from, me, seq);
    for (size_t i = sizeof header; ok && i < r->buffer.size(); ++i) ok = r->buffer.data()[i] == byte_at(from, seq, i);
    if (!ok) ++bad;
    if (from >= 0 && from < p) ++next[size_t(from)];
  }
  sender.join();
  EXPECT_TRUE(t.status().ok()) << t.status().message();
  EXPECT_EQ(bad, 0u) << "rank " << me << ": buffers out of order, misrouted or corrupted";
  for (int from = 0; from < p; ++from) {
    uint64_t want = from == p - 1 && p > 1 ? 0 : 40;
    EXPECT_EQ(next[size_t(from)], want) << "rank " << me << " from " << from;
  }
}

namespace {

// The body of SortsEverythingOver*: `maker` empty means the sort's own MPI transport of `kind`;
// `want_transport` is the backend the report must name.
void SortsEverything(Comm& comm, const MakerForRun& maker, const std::string& algo, TransportKind kind,
                     ExchangeSchedule schedule, double scale, const std::string& want_transport) {
  SharedDir dir(comm);
  const int p = comm.size();
  struct Case {
    std::string name;
    uint64_t records;
    gen::GenMode mode;
    bool all_equal;   // every key the same, payloads distinct
    bool empty_last;  // the last rank's input partition is empty
    sort::SplitterKind splitter;
  };
  const std::vector<Case> cases = {
      {"uniform", 10007, {}, false, false, sort::SplitterKind::kSample},
      {"uniform-split", 10007, {}, false, false, sort::SplitterKind::kUniform},
      {"skew", 20011, {false, true}, false, false, sort::SplitterKind::kSample},
      {"ascii", 9001, {true, false}, false, false, sort::SplitterKind::kSample},
      {"ascii-skew", 9001, {true, true}, false, true, sort::SplitterKind::kSample},
      {"equal", 5003, {}, true, false, sort::SplitterKind::kSample},
      {"empty-rank", 7919, {}, false, true, sort::SplitterKind::kSample},
      {"tiny", 3, {}, false, false, sort::SplitterKind::kSample},
  };
  // The out-of-core sorts get a budget that makes several runs per rank and a fan-in of 2, so
  // the merges go in levels; they get 3·P times the records, so every rank has several runs.
  const bool external = algo != "onepass";
  int deepest_merge = 0;  // rank 0: the most merge levels any case needed (the report's details)
  int run = 0;
  for (Case c : cases) {
    if (external) c.records *= 3 * uint64_t(p);  // several runs per rank at every P
    c.records = std::max<uint64_t>(std::min<uint64_t>(c.records, 3), uint64_t(double(c.records) * scale));
    // Rank 0 writes the input partitions: gensort data cut at uneven points, or all-equal keys.
    std::string all = Generate(c.mode, 1000, c.records);
    if (c.all_equal) {
      for (uint64_t i = 0; i < c.records; ++i) std::memcpy(&all[i * kRecordSize], "EQUALKEYS!", kKeySize);
    }
    Checksum128 want;
    want.AddRecords(reinterpret_cast<const uint8_t*>(all.data()), c.records, kRecordSize);
    std::vector<size_t> cuts;
    for (int r = 1; r < p; ++r) {  // uneven cuts, non-decreasing, within the data
      size_t cut = c.empty_last && r == p - 1 ? c.records : c.records * size_t(r) / size_t(p) + size_t(r) % 3;
      cuts.push_back(std::max(cuts.empty() ? 0 : cuts.back(), std::min<size_t>(cut, c.records)));
    }
    std::vector<std::string> parts;
    if (comm.rank() == 0) parts = SplitAt(all, cuts, p);
    WriteParts(dir, comm, c.name, parts);
    // The input's copies go before the sort: rank 0 would hold them (48 MB at P = 4) on top of the
    // sort's budget, which the sort checks its peak RSS against.
    std::vector<std::string>().swap(parts);
    std::string().swap(all);

    sort::SortOptions opt;
    opt.in = {{dir.path()}, {c.name + ".{rank}"}};
    opt.out = {{dir.path()}, {c.name + ".out.{rank}"}};
    opt.splitters = c.splitter;
    opt.transport = kind;
    opt.exchange.schedule = schedule;
    opt.exchange.max_sends_in_flight = 3;
    opt.exchange.posted_receives = 3;
    opt.disk.transfer_size = 256 * 1024;  // several buffers per rank even for small inputs
    opt.threads = 2;
    opt.algo = algo;
    if (external) {
      opt.disk.transfer_size = 100 * 1024;  // 1024 records per buffer
      opt.disk.queue_depth = 2;
      opt.memory = 4 << 20;
      opt.fan_in = 2;
    }
    auto report = sort::RunSort(comm, opt, maker ? maker(run++) : sort::TransportMaker());
    EXPECT_TRUE(report.ok()) << algo << " " << c.name << ": " << report.status().message();
    if (!OnEveryRank(comm, report.ok())) continue;  // no output to validate; every rank goes on
    EXPECT_EQ(report->records, c.records) << c.name;
    EXPECT_EQ(report->transport, want_transport) << c.name << ": the backend that carried the exchange";
    EXPECT_EQ(report->checksum, want.ToString()) << c.name << ": the input checksum the sort computed";
    if (external && comm.rank() == 0) {
      deepest_merge = std::max(deepest_merge, nlohmann::json::parse(report->details_json).value("merge_levels", 0));
    }
    if (algo == "threepass" && comm.rank() == 0) {  // exact: every rank ⌊N/P⌋ or ⌈N/P⌉
      for (int r = 0; r < p; ++r) {
        EXPECT_EQ(report->ranks[size_t(r)].records_out,
                  c.records * uint64_t(r + 1) / uint64_t(p) - c.records * uint64_t(r) / uint64_t(p))
            << c.name << " rank " << r;
      }
    } else if (c.splitter == sort::SplitterKind::kSample && c.records >= uint64_t(p) * 100 && comm.rank() == 0) {
      uint64_t s = partition::DefaultSampleSize(p, c.records);
      EXPECT_LE(report->imbalance, partition::ImbalanceBound(p, c.records, s) + 1e-9) << c.name;
    }
    validate::ValidateJobOptions v;
    v.paths = opt.out;
    v.expect_checksum = want.value();
    auto outcome = validate::RunValidateJob(comm, v);
    EXPECT_EQ(outcome.exit_code, 0) << c.name << " with " << p << " ranks: " << outcome.report << outcome.error;
    EXPECT_NE(outcome.report.find("Records: " + std::to_string(c.records) + "\n"), std::string::npos)
        << c.name << ": " << outcome.report;
  }
  if (external && comm.rank() == 0) {  // the budget and fan-in really forced merges in levels
    EXPECT_GE(deepest_merge, 2) << algo << " with " << p << " ranks never merged in levels";
  }
}

}  // namespace

void SortsEverythingOverMpi(Comm& comm, const std::string& algo, TransportKind kind, ExchangeSchedule schedule,
                            double scale) {
  SortsEverything(comm, MakerForRun(), algo, kind, schedule, scale, kind == TransportKind::kRma ? "rma" : "mpi");
}

void SortsEverythingOverLoopback(Comm& comm, const MakerForRun& maker, const std::string& algo,
                                 ExchangeSchedule schedule) {
  SortsEverything(comm, maker, algo, TransportKind::kMpi, schedule, 1.0, "loopback");
}

}  // namespace rs::test
