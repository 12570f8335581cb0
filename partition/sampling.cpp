// partition/sampling.cpp — drawing the sample (from memory or from a striped partition on disk),
// the sample size the default bound needs, and the bound itself (partition/splitter.hpp).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "core/config.hpp"
#include "core/uint128.hpp"
#include "io/io_engine.hpp"
#include "io/striped_file.hpp"
#include "partition/splitter.hpp"

namespace rs::partition {

namespace {

// Positions are drawn by a splitmix64 stream and mapped to [0, count) by a 64x64 multiply (bias
// below count / 2^64): the same positions for the same (seed, rank) on every platform.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// n positions in [0, count), uniform and independent (with replacement), sorted so that reads
// and memory accesses go forward.
std::vector<uint64_t> DrawPositions(uint64_t count, uint32_t rank, uint64_t n, uint64_t seed) {
  uint64_t mix = seed;
  uint64_t state = SplitMix64(&mix) ^ (uint64_t(rank) * 0xD1B54A32D192ED03ull);
  std::vector<uint64_t> positions(n);
  for (auto& p : positions) p = uint64_t((u128(SplitMix64(&state)) * count) >> 64);
  std::sort(positions.begin(), positions.end());
  return positions;
}

// The name of a partition in messages: its only member, or the first one and how many there are.
std::string PartitionName(const std::vector<std::string>& members) {
  if (members.size() == 1) return members[0];
  std::string s = members[0];
  s += " (striped over ";
  s += std::to_string(members.size());
  s += " files)";
  return s;
}

// The probability bound of docs/partition.md#the-bound: with a sample of s records (proportional
// over the ranks) cut every s/P samples, some part holds more than (1 + ε)·N/P records with
// probability at most min over the grids tried of
//     windows · exp(−(μ − A + A·ln(A/μ)))   (Chernoff's lower tail; 1 when A >= μ)
// where a grid has spacing g = ⌈γ·N/P⌉ records, windows = ⌈N/g⌉ windows of L = ⌊(1 + ε)·N/P − g⌋
// records start on it, μ = s·L/N is the least mean count of samples in one, and A = s/P + 2 the
// most samples a part holds (rounding included). A part longer than (1 + ε)·N/P contains one of
// the windows, which then holds at most A samples.
double FailureProbability(int parts, uint64_t total_records, uint64_t total_sample, double eps) {
  const double p = double(parts), n = double(total_records), s = double(total_sample);
  const double m = n / p, a = s / p + 2;
  double best = 1.0;
  for (double c : {0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3}) {
    const double g = std::max(1.0, std::ceil(c * eps * m));
    const double len = std::floor((1 + eps) * m - g);
    if (len <= 0) continue;
    const double mu = s * len / n;
    if (a >= mu) continue;
    const double windows = std::ceil(n / g);
    best = std::min(best, windows * std::exp(-(mu - a + a * std::log(a / mu))));
  }
  return best;
}

// E[max of n independent standard normals], by Blom's approximation Φ⁻¹((n − 0.375)/(n + 0.25)):
// 0.59 for n = 2 (exactly 0.56), 1.05 for 4 (1.03), 3.23 for 1,000 (3.24): within 2 % from n = 4 on. Φ⁻¹ by
// bisection on erfc, which the standard library has.
double ExpectedMaxOfNormals(int n) {
  const double q = (double(n) - 0.375) / (double(n) + 0.25);
  double lo = -10, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < q ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace

std::vector<SplitKey> SampleRecords(const uint8_t* records, uint64_t count, uint32_t rank, uint64_t n, uint64_t seed,
                                    const RecordShape& shape) {
  std::vector<SplitKey> sample;
  if (count == 0 || n == 0) return sample;
  const size_t size = shape.size;
  if (n >= count) {
    sample.reserve(count);
    for (uint64_t i = 0; i < count; ++i) sample.push_back(MakeSplitKey(records + i * size, rank, i, shape));
    return sample;
  }
  sample.reserve(n);
  for (uint64_t p : DrawPositions(count, rank, n, seed)) {
    sample.push_back(MakeSplitKey(records + p * size, rank, p, shape));
  }
  return sample;
}

Result<std::vector<SplitKey>> SampleInput(const std::vector<std::string>& members, const DiskOptions& options,
                                          uint32_t rank, uint64_t n, uint64_t seed, const RecordShape& shape,
                                          std::vector<std::string>* notices) {
  auto opened = StripedFile::OpenRead(members, options.stripe_unit, /*direct=*/false);
  if (!opened.ok()) return opened.status();
  const StripedFile& file = *opened;
  const uint64_t size = shape.size, key_size = shape.key_size;
  if (file.size() % size != 0) {
    return Status::Error(PartitionName(members) + ": size " + std::to_string(file.size()) + " is not a multiple of " +
                         std::to_string(size) + " bytes (--record-size)");
  }
  const uint64_t count = file.size() / size;
  const std::vector<int> fds = file.fds();
  std::vector<SplitKey> sample;
  if (count == 0 || n == 0) return sample;

  if (n >= count) {
    // Census: every record, read sequentially in transfer-size chunks of whole records.
    sample.reserve(count);
    const uint64_t chunk_records = std::max<uint64_t>(1, options.record_transfer_size(shape) / size);
    std::vector<uint8_t> buf(chunk_records * size);
    for (uint64_t first = 0; first < count; first += chunk_records) {
      const uint64_t k = std::min(chunk_records, count - first);
      auto got = file.ReadAt(first * size, k * size, buf.data());
      if (!got.ok()) return got.status();
      for (uint64_t i = 0; i < k; ++i) sample.push_back(MakeSplitKey(buf.data() + i * size, rank, first + i, shape));
    }
    return sample;
  }

  // Random records: one read of the K-byte key each (two or more where the key straddles a stripe
  // unit), queue_depth of them in flight on an I/O engine, so that uncached reads overlap on the
  // disk; a read of a cached page costs ~1 µs, mostly the system call.
  const std::vector<uint64_t> positions = DrawPositions(count, rank, n, seed);
  std::vector<uint8_t> keys(n * key_size);
  std::vector<IoRequest> requests;
  requests.reserve(n);
  std::vector<StripeExtent> extents;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t offset = positions[i] * size + shape.key_offset;
    extents.clear();
    file.Map(offset, key_size, &extents);
    for (const StripeExtent& e : extents) {
      IoRequest q;
      q.op = IoOp::kRead;
      q.file = e.member;
      q.buf = keys.data() + i * key_size + (e.logical_offset - offset);
      q.len = uint32_t(e.len);
      q.offset = e.member_offset;
      q.tag = requests.size();
      requests.push_back(q);
    }
  }
  std::string notice;
  auto engine = MakeIoEngine(options.engine, options.queue_depth, &notice);
  if (!engine.ok()) return engine.status();
  if (!notice.empty() && notices != nullptr) notices->push_back(notice);
  IoEngine& io = **engine;
  RS_RETURN_IF_ERROR(io.Register(fds, {}));
  // Uncached, each key costs one page from disk; without this hint readahead turns it into up to
  // 128 KiB. The hint is on our own descriptors only.
  for (int fd : fds) (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
  Status status;
  size_t next = 0;
  std::vector<IoCompletion> done;
  while (next < requests.size() || io.outstanding() > 0) {
    // After an error, only drain what is in flight.
    while (status.ok() && next < requests.size() && io.outstanding() < io.depth()) io.Submit(requests[next++]);
    status.Update(io.Flush());
    if (io.outstanding() == 0) break;
    done.clear();
    Status waited = io.Wait(&done);
    if (!waited.ok()) return waited;  // the engine is unusable; nothing more will complete
    for (const IoCompletion& c : done) {
      const IoRequest& q = requests[c.tag];
      const std::string& path = file.member_path(q.file);
      if (c.result < 0) {
        status.Update(Status::FromErrno(int(-c.result), path, "read"));
      } else if (uint64_t(c.result) != q.len) {
        status.Update(Status::Error(path + ": ends early at offset " + std::to_string(q.offset) + " (file changed?)"));
      }
    }
  }
  RS_RETURN_IF_ERROR(status);
  sample.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    sample[i].key = Key(keys.data() + i * key_size, key_size);
    sample[i].rank = rank;
    sample[i].position = positions[i];
  }
  return sample;
}

uint64_t DefaultSampleSize(int parts, uint64_t total_records) {
  if (parts <= 1 || total_records == 0) return 0;
  // The least samples per part that meet the default bound, by doubling then bisection (the
  // failure probability falls as the sample grows).
  const uint64_t p = uint64_t(parts);
  auto enough = [&](uint64_t per_part) {
    return per_part * p >= total_records ||
           FailureProbability(parts, total_records, per_part * p, kDefaultImbalanceSlack) <= kDefaultFailureProbability;
  };
  uint64_t hi = 64;
  while (!enough(hi)) hi *= 2;
  uint64_t lo = hi / 2;  // not enough (or 32, which never is)
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    (enough(mid) ? hi : lo) = mid;
  }
  return std::min(hi * p, total_records);
}

uint64_t InMemorySampleSize(int parts, uint64_t total_records, uint32_t record_size) {
  const uint64_t bound = DefaultSampleSize(parts, total_records);
  if (parts <= 1 || bound >= total_records) return bound;
  // The a per part that minimizes a·c + T·g(P)/√a (docs/partition.md#a-larger-sample-from-memory),
  // T the work on a part's N/P·R bytes and c a sample's cost, T/c = N/P·R / kInMemorySampleBytes:
  // a = (g(P)·T/(2c))^(2/3).
  const double part_bytes = double(total_records) / double(parts) * double(record_size);
  const double best = std::pow(ExpectedMaxOfNormals(parts) * part_bytes / config::kInMemorySampleBytes / 2, 2.0 / 3);
  const uint64_t per_part =
      std::clamp<uint64_t>(uint64_t(std::ceil(best)), bound / uint64_t(parts), config::kMaxInMemorySamplePerPart);
  return std::min(total_records, std::max(bound, per_part * uint64_t(parts)));
}

uint64_t RankSampleSize(uint64_t total_sample, uint64_t total_records, uint64_t local_records) {
  if (total_records == 0 || local_records == 0 || total_sample == 0) return 0;
  const u128 share = (u128(total_sample) * local_records + total_records - 1) / total_records;
  return share >= local_records ? local_records : uint64_t(share);
}

double ImbalanceBound(int parts, uint64_t total_records, uint64_t total_sample, double failure_probability) {
  if (parts <= 1 || total_records == 0) return 1.0;
  const double p = double(parts), n = double(total_records);
  if (total_sample >= total_records) {
    return double((total_records + uint64_t(parts) - 1) / uint64_t(parts)) * p / n;
  }
  if (total_sample == 0) return p;
  // The least ε whose failure probability is within the one asked for (bisection; it falls as ε grows).
  double lo = 0, hi = p - 1;
  if (FailureProbability(parts, total_records, total_sample, hi) > failure_probability) return p;
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    (FailureProbability(parts, total_records, total_sample, mid) <= failure_probability ? hi : lo) = mid;
  }
  return std::min(p, 1 + hi);
}

}  // namespace rs::partition
