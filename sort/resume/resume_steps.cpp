// sort/resume/resume_steps.cpp — splitters, resume points and journaled merges.
#include "sort/resume/resume_steps.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/checksum.hpp"
#include "core/config.hpp"
#include "core/unique_fd.hpp"
#include "io/file.hpp"
#include "io/job_files.hpp"
#include "sort/external/range_source.hpp"
#include "sort/job/read_distribute.hpp"

namespace rs::sort {
namespace {

// FNV-1a over the boundaries: equal on every rank when the kept splitters are the same.
uint64_t BoundaryHash(const std::vector<partition::SplitKey>& keys) {
  uint64_t h = 14695981039346656037ULL;
  auto mix = [&](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 1099511628211ULL;
    }
  };
  for (const auto& k : keys) {
    for (size_t i = 0; i < k.key.size(); ++i) mix(k.key.data()[i], 1);
    mix(k.rank, 4);
    mix(k.position, 8);
  }
  return h;
}

// Minimum and maximum over the ranks of one value, by two byte-wise minimums (big-endian).
std::pair<uint64_t, uint64_t> MinMax(Comm& comm, uint64_t v) {
  std::vector<uint8_t> b(16);
  for (size_t i = 0; i < 8; ++i) {
    b[i] = uint8_t(v >> (56 - 8 * i));
    b[8 + i] = uint8_t(~v >> (56 - 8 * i));
  }
  comm.AllReduceMinBytes(b, 8);
  uint64_t mn = 0, not_max = 0;
  for (size_t i = 0; i < 8; ++i) {
    mn = mn << 8 | b[i];
    not_max = not_max << 8 | b[8 + i];
  }
  return {mn, ~not_max};
}

// The last checkpoint at or before every destination's first needed ordinal, and whose position
// a direct read can start at; `first_gap` per destination (empty for threepass: one stream).
const ReadCheckpoint* LastUsable(const WorkJournal& journal, const std::vector<uint64_t>& first_gap, uint64_t records) {
  const ReadCheckpoint* best = nullptr;
  for (const auto& cp : journal.checkpoints()) {
    if (cp.counts.size() != first_gap.size()) continue;
    // Checkpoints fall at the ends of read buffers: record blocks, or the partition's end.
    bool ok = (cp.position * journal.shape().size) % journal.shape().Block() == 0 || cp.position == records;
    for (size_t d = 0; d < first_gap.size() && ok; ++d) ok = cp.counts[d] <= first_gap[d];
    if (ok && (!best || cp.position > best->position)) best = &cp;
  }
  return best;
}

}  // namespace

Result<std::unique_ptr<partition::Splitter>> TwopassSplitter(Comm& comm, const SortOptions& opt, const SortInput& input,
                                                             WorkJournal& journal, std::vector<std::string>* notices,
                                                             const std::vector<uint64_t>& shares) {
  const int ranks = comm.size();
  // The uniform splitter, and one rank's, are the same every time: nothing to keep.
  if (opt.splitters == SplitterKind::kUniform || ranks == 1) return SplitterFromDisk(comm, opt, input, notices, shares);
  uint64_t have = journal.splitters() ? 1 : 0;
  comm.AllReduceSum({&have, 1});
  const uint64_t mine = journal.splitters() ? BoundaryHash(*journal.splitters()) : 0;
  const auto [lo, hi] = MinMax(comm, mine);
  if (have == uint64_t(ranks) && lo == hi) {
    return partition::MakeSplitterFromBoundaries(ranks, *journal.splitters(), opt.shape);
  }
  auto splitter = SplitterFromDisk(comm, opt, input, notices, shares);
  if (!splitter.ok()) return splitter.status();
  Status st;
  const auto& found = (*splitter)->boundaries();
  const bool differ = journal.splitters() ? *journal.splitters() != found : !journal.runs().empty();
  if (differ) {
    notices->push_back("the kept runs were formed with other splitters than every rank kept: they are formed again");
    st = journal.Reset();
  }
  if (st.ok()) st = journal.RecordSplitters(found);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  return splitter;
}

Result<ResumePoint> TwopassResumePoint(Comm& comm, const WorkJournal& journal, const Coverage& kept, uint64_t records) {
  const int ranks = comm.size();
  std::vector<std::string> to(static_cast<size_t>(ranks));
  for (int s = 0; s < ranks; ++s) to[size_t(s)] = Coverage::EncodeIntervals(kept.Of(s));
  const std::vector<std::string> got = comm.AllToAll(to);  // got[d]: what rank d kept of this rank's records
  ResumePoint p;
  Status st;
  std::vector<uint64_t> first_gap(size_t(ranks), 0);
  for (int d = 0; d < ranks && st.ok(); ++d) {
    auto iv = Coverage::DecodeIntervals(got[size_t(d)]);
    if (!iv.ok()) {
      st = iv.status().WithContext("--resume: what rank " + std::to_string(d) + " kept");
      break;
    }
    first_gap[size_t(d)] = !iv->empty() && iv->front().begin == 0 ? iv->front().end : 0;
    p.skips = p.skips || !iv->empty();
    p.cursors.emplace_back(std::move(*iv));
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  if (const ReadCheckpoint* cp = LastUsable(journal, first_gap, records)) {
    p.position = cp->position;
    p.sum = cp->sum;
    p.routed = cp->counts;
  }
  return p;
}

ResumePoint LocalResumePoint(const WorkJournal& journal, const Coverage& kept, uint64_t records) {
  ResumePoint p;
  const std::vector<uint64_t> first_gap{kept.FirstGap(0)};
  if (const ReadCheckpoint* cp = LastUsable(journal, first_gap, records)) {
    p.position = cp->position;
    p.sum = cp->sum;
    p.routed = cp->counts;
  }
  p.skips = !kept.Of(0).empty();
  p.cursors.emplace_back(kept.Of(0));
  return p;
}

Status VerifyKeptFile(const std::vector<std::string>& members, uint64_t records, uint32_t crc, const DiskOptions& disk,
                      const RecordShape& shape) {
  auto src = RangeSource::Open(members, disk, shape, disk.queue_depth, 0, records, nullptr);
  if (!src.ok()) return src.status();
  (*src)->ExpectCrc(crc, "kept work file " + members.front());
  while ((*src)->Get()) {
  }
  return (*src)->status();
}

Result<uint32_t> WriteKeyIndex(const std::string& path, const KeyIndex& index) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kPrivateFileMode));
  if (fd.get() < 0) return Status::FromErrno(errno, path, "create key index");
  const uint8_t* bytes = index.bytes().data();
  const size_t size = index.bytes().size();
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd.get(), bytes + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, path, "write key index");
    done += size_t(n);
  }
  if (::fsync(fd.get()) != 0) return Status::FromErrno(errno, path, "fsync key index");
  return uint32_t(Crc32(0, bytes, size));
}

Result<KeyIndex> ReadKeyIndex(const std::string& path, uint64_t keys, uint32_t crc, uint32_t key_size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return Status::FromErrno(errno, path, "open key index");
  std::vector<uint8_t> packed(keys * key_size);
  uint8_t* bytes = packed.data();
  const size_t size = packed.size();
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd.get(), bytes + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, path, "read key index");
    if (n == 0) break;
    done += size_t(n);
  }
  if (done != size || Crc32(0, bytes, size) != crc) {
    return Status::Error(path + ": kept key index is damaged (its checksum differs from the journaled one)");
  }
  return KeyIndex(key_size, std::move(packed));
}

bool AgreeToRedo(Comm& comm, bool damaged, bool failed_otherwise) {
  uint64_t flags[2] = {damaged ? 1U : 0U, failed_otherwise ? 1U : 0U};
  comm.AllReduceSum(flags);
  return flags[0] > 0 && flags[1] == 0;
}

Result<SortReport> RunAgainIfDamaged(const SortOptions& options,
                                     const std::function<Result<SortReport>(const SortOptions&, bool* redo)>& attempt) {
  bool redo = false;
  auto report = attempt(options, &redo);
  if (!redo) return report;
  SortOptions again = options;
  again.resume = true;
  return attempt(again, nullptr);  // a second damage fails the sort
}

void KeepMerges(WorkJournal& journal, RunMergeOptions* options, bool* damaged) {
  RunMergeOptions* mo = options;
  mo->on_merged = [&journal](const SortedRun& merged, uint32_t crc, const std::vector<SortedRun>& inputs) {
    KeptRun k{BaseName(merged.members.front()), merged.records, crc, merged.level, {}};
    for (const auto& in : inputs) {
      auto it = journal.runs().find(BaseName(in.members.front()));
      if (it != journal.runs().end()) k.cover.Add(it->second.cover);
    }
    std::vector<std::string> replaces;
    replaces.reserve(inputs.size());
    for (const auto& in : inputs) replaces.push_back(BaseName(in.members.front()));
    return journal.RecordRun(k, replaces);  // one line: the merged run in, its inputs out
  };
  mo->on_damaged = [&journal, damaged](const SortedRun& run) {
    *damaged = true;
    (void)journal.DropRun(BaseName(run.members.front()), true);
  };
}

}  // namespace rs::sort
