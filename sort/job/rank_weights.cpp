// sort/job/rank_weights.cpp — calibration and shares.
#include "sort/job/rank_weights.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/config.hpp"
#include "river/disk_source.hpp"
#include "sort/report/phase_clock.hpp"

namespace rs::sort {
namespace {

std::string Fixed(double v, int digits) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

}  // namespace

Result<RankWeights> DecideRankWeights(Comm& comm, const SortOptions& opt, const SortInput& input,
                                      const DiskOptions& disk, uint64_t budget, bool keep_read) {
  const int ranks = comm.size();
  RankWeights w;
  std::vector<double> speed(size_t(ranks), 1.0);
  if (!opt.weights.empty()) {
    if (opt.weights.size() != size_t(ranks)) {
      return Status::Error("--weights: " + std::to_string(opt.weights.size()) + " weights for " +
                           std::to_string(ranks) + " ranks (give one per rank)");
    }
    speed = opt.weights;
    w.notice = "--weights: ";
  } else if (opt.balance == Balance::kSpeed) {
    Status st;
    // The partition's first record blocks, at most a quarter of the budget.
    const uint64_t block = disk.transfer_size;  // whole records and 4 KiB blocks
    const uint64_t cap = std::min(config::balance::kCalibrationBytes, budget / 4);
    const uint64_t len = std::min(cap, input.bytes) / block * block;
    double rate = 0;
    if (len > 0) {
      auto pool = MemPool::Create(disk.transfer_size, len / block + 1);
      if (!pool.ok()) {
        st = pool.status();
      } else {
        w.pool = std::move(*pool);
        // The rate of the second half only: the first includes opening the files, the queue
        // filling, and whatever burst a throttle lets through before it bites. With fewer than
        // two queues' worth of buffers all may be in flight at once, so the whole read is timed.
        auto src = DiskSource::Open(opt.in.Members(comm.rank()), disk, w.pool.get(), nullptr, 0, len);
        const bool halves = len / block >= 2 * uint64_t(std::max(disk.queue_depth, 1u));
        uint64_t got = 0, half_at = 0;
        double t_half = PhaseClock::Now();
        if (src.ok()) {
          while (auto b = (*src)->Get()) {
            got += b->size();
            if (halves && half_at == 0 && got >= len / 2) {
              half_at = got;
              t_half = PhaseClock::Now();
            }
            w.preloaded.push_back(std::move(*b));
          }
          st = (*src)->status();
        } else {
          st = src.status();
        }
        const double t = PhaseClock::Now() - t_half;
        if (st.ok() && got > half_at) {
          w.read_mbps = double(got - half_at) / 1e6 / std::max(t, 1e-6);
          rate = w.read_mbps;
        }
      }
      if (!st.ok()) st = st.WithContext("--balance speed: calibration");
      if (keep_read && st.ok()) {
        w.preloaded_bytes = len;
      } else {
        w.preloaded.clear();
      }
    }
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
    const auto all = comm.AllGather(Fixed(rate, 3));
    double known = 0;
    std::string measured;
    for (size_t r = 0; r < all.size(); ++r) {
      speed[r] = std::strtod(all[r].c_str(), nullptr);
      known = std::max(known, speed[r]);
      if (r < 16) measured += (r ? ", " : "") + Fixed(speed[r], 1);
    }
    if (all.size() > 16) measured += ", ...";
    // A rank with no input measured nothing: it counts as the fastest (it has no disk to wait on
    // for reading; its writes are the sort's anyway).
    for (auto& s : speed)
      if (s <= 0) s = known > 0 ? known : 1.0;
    // Equal ranks measure up to ~30 % apart here (4 ranks on one disk: 350-474 MB/s,
    // results/balance-*): a rate within kNoiseFraction of the fastest counts as the fastest, so
    // that noise does not load one fast rank more than its equals.
    for (auto& s : speed)
      if (s >= config::balance::kNoiseFraction * known) s = known;
    w.notice = "--balance speed: measured read MB/s per rank [" + measured + "]; within " +
               std::to_string(int(config::balance::kNoiseFraction * 100)) + " % of the fastest counts as the fastest: ";
  } else {
    return w;
  }
  for (double s : speed) {
    if (!(s > 0) || !std::isfinite(s)) return Status::Error("--weights: every weight must be a positive number");
  }
  const double top = *std::max_element(speed.begin(), speed.end());
  double sum = 0;
  for (double s : speed) sum += s;
  std::string list;
  // Integer shares, so that every rank computes the same boundaries exactly: whole weights as
  // given (--weights 1,3 splits exactly 1:3), others scaled to millionths of the largest.
  const bool whole = std::all_of(speed.begin(), speed.end(), [](double s) { return s == std::floor(s) && s <= 1e12; });
  for (size_t r = 0; r < speed.size(); ++r) {
    w.shares.push_back(whole ? uint64_t(speed[r])
                             : std::max<uint64_t>(1, uint64_t(std::llround(speed[r] / top * 1e6))));
    w.weights.push_back(speed[r] / sum);
    if (r < 16) list += (r ? ", " : "") + Fixed(speed[r], 1);
  }
  if (speed.size() > 16) list += ", ...";
  w.notice += "[" + list + "]; rank r takes that share of the keys";
  return w;
}

}  // namespace rs::sort
