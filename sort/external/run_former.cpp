// sort/external/run_former.cpp — sorted runs written while the next one fills.
#include "sort/external/run_former.hpp"

#include <tbb/task_arena.h>

#include <chrono>
#include <cstring>

#include "core/elapsed.hpp"
#include "core/fault_point.hpp"
#include "io/file.hpp"
#include "river/disk_sink.hpp"

namespace rs::sort {

uint64_t RunFormer::OverheadBytes(const DiskOptions& disk, uint64_t run_records) {
  return RecordSorter::Bytes(run_records) + (uint64_t(disk.Effective().queue_depth) + 2) * disk.transfer_size;
}

Result<std::unique_ptr<RunFormer>> RunFormer::Create(const RunFormerOptions& options,
                                                     std::vector<std::string>* notices) {
  if (options.run_records == 0) return Status::Error("run formation needs room for at least one record");
  auto sorter = RecordSorter::Create(options.run_records, options.shape);
  if (!sorter.ok()) return sorter.status();
  // The writes' own buffers: the run's records stay in the caller's pool until the run is
  // written, so sharing that pool could leave the writer with nothing to gather into.
  auto pool = MemPool::Create(options.disk.transfer_size, options.disk.Effective().queue_depth + 2);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<RunFormer>(new RunFormer(options, std::move(*sorter), std::move(*pool), notices));
}

RunFormer::RunFormer(const RunFormerOptions& options, std::unique_ptr<RecordSorter> sorter,
                     std::unique_ptr<MemPool> write_pool, std::vector<std::string>* notices)
    : options_(options), sorter_(std::move(sorter)), write_pool_(std::move(write_pool)), notices_(notices) {
  arrived_.assign(options_.streams, 0);
  handed_off_.assign(options_.streams, 0);
  worker_ = std::thread([this] { Work(); });
}

RunFormer::~RunFormer() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void RunFormer::Put(Buffer buffer, int from) {
  const uint64_t n = buffer.size() / options_.shape.size;
  if (n == 0) return;
  if (filling_records_ > 0 && filling_records_ + n > options_.run_records) HandOff();
  if (size_t(from) < arrived_.size()) arrived_[size_t(from)] += n;  // HandOff above saw the counts before it
  // A partly filled buffer (each sender's last to this rank; with many ranks, many of them) is
  // copied into the room the last one has left, so that runs stay dense: a run holds at most
  // run_buffers buffers, or the pool they come from would run dry before the run is full.
  if (!filling_.empty()) {
    Buffer& last = filling_.back();
    if (last.size() + buffer.size() <= last.capacity() / options_.shape.size * options_.shape.size) {
      std::memcpy(last.data() + last.size(), buffer.data(), buffer.size());
      last.set_size(last.size() + buffer.size());
      filling_records_ += n;
      return;  // `buffer` goes back to its pool
    }
  }
  if (filling_records_ > 0 && options_.run_buffers > 0 && filling_.size() >= options_.run_buffers) {
    if (size_t(from) < arrived_.size()) arrived_[size_t(from)] -= n;  // this buffer goes into the next run
    HandOff();
    if (size_t(from) < arrived_.size()) arrived_[size_t(from)] += n;
  }
  filling_records_ += n;
  filling_.push_back(std::move(buffer));
}

void RunFormer::HandOff() {
  std::unique_lock lock(mu_);
  const auto t0 = std::chrono::steady_clock::now();
  cv_.wait(lock, [&] { return !has_batch_; });
  timings_.producer_wait_s += SecondsSince(t0);
  if (!status_.ok()) {  // the worker failed: drop, Close() reports it
    filling_.clear();
    filling_records_ = 0;
    return;
  }
  batch_ = std::move(filling_);
  batch_records_ = filling_records_;
  batch_before_ = handed_off_;
  batch_after_ = arrived_;
  handed_off_ = arrived_;
  filling_.clear();
  filling_records_ = 0;
  has_batch_ = true;
  lock.unlock();
  cv_.notify_all();
}

Result<std::vector<SortedRun>> RunFormer::Close() {
  if (filling_records_ > 0) HandOff();
  {
    std::unique_lock lock(mu_);
    const auto t0 = std::chrono::steady_clock::now();
    cv_.wait(lock, [&] { return !has_batch_; });
    timings_.producer_wait_s += SecondsSince(t0);
    closing_ = true;
  }
  cv_.notify_all();
  worker_.join();
  if (notices_) notices_->insert(notices_->end(), worker_notices_.begin(), worker_notices_.end());
  if (!status_.ok()) return status_;
  return std::move(runs_);
}

void RunFormer::Work() {
  tbb::task_arena arena(options_.threads > 0 ? options_.threads : tbb::task_arena::automatic);
  while (true) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return has_batch_ || closing_; });
    if (!has_batch_) return;
    std::vector<Buffer> batch = std::move(batch_);
    const uint64_t records = batch_records_;
    const std::vector<uint64_t> before = std::move(batch_before_), after = std::move(batch_after_);
    lock.unlock();
    Status st = arena.execute(
        [&] { return WriteRun(batch, records, before, after); });  // HandOff passes no batch after a failure
    batch.clear();                                                 // the records go back to the caller's pool
    lock.lock();
    status_.Update(st);
    has_batch_ = false;
    lock.unlock();
    cv_.notify_all();
  }
}

Status RunFormer::WriteRun(std::vector<Buffer>& batch, uint64_t records, const std::vector<uint64_t>& before,
                           const std::vector<uint64_t>& after) {
  std::vector<RecordSpan> spans;
  spans.reserve(batch.size());
  const uint64_t size = options_.shape.size;
  for (const auto& b : batch) spans.push_back({b.data(), b.size() / size});
  auto t0 = std::chrono::steady_clock::now();
  RS_RETURN_IF_ERROR(sorter_->SortEntries(spans));
  timings_.sort_s += SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  SortedRun run{options_.temp->NewMembers(options_.tag), records};
  auto sink = DiskSink::Create(run.members, options_.disk, write_pool_.get(), records * size, &worker_notices_,
                               kPrivateFileMode);
  if (!sink.ok()) return sink.status();
  const uint64_t per_buf = options_.disk.transfer_size / size;
  uint32_t crc = 0;
  for (uint64_t first = 0; first < records; first += per_buf) {
    const uint64_t n = std::min(per_buf, records - first);
    Buffer b = write_pool_->Get();
    // The journal's CRC-32 of the run is summed inside the gather, while each block is in cache.
    sorter_->Gather(first, n, b.data(), options_.on_written ? &crc : nullptr);
    b.set_size(n * size);
    (*sink)->Put(std::move(b));
  }
  timings_.gather_s += SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  RS_RETURN_IF_ERROR((*sink)->Close());
  if (options_.on_written) RS_RETURN_IF_ERROR(options_.on_written(run, crc, before, after));
  timings_.close_s += SecondsSince(t0);
  ++timings_.runs;
  runs_.push_back(std::move(run));
  FaultPoint("run " + std::to_string(runs_.size()));  // reliability tests: a rank lost after its n-th run
  return Status::Ok();
}

}  // namespace rs::sort
