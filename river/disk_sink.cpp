// river/disk_sink.cpp
//
// The I/O thread takes buffers in order, maps each onto member extents (StripedFile::Map), and
// keeps up to queue_depth extent writes in flight; a buffer goes back to its pool when all its
// extents are written. The first error is kept; later buffers are dropped and Close() reports it.
#include "river/disk_sink.hpp"

#include <cstring>
#include <deque>
#include <unordered_map>

#include "river/stream_engine.hpp"

namespace rs {

Result<std::unique_ptr<DiskSink>> DiskSink::Create(const std::vector<std::string>& members, const DiskOptions& options,
                                                   const MemPool* pool, uint64_t size_hint,
                                                   std::vector<std::string>* notices, mode_t mode) {
  RS_RETURN_IF_ERROR(options.Check());
  std::unique_ptr<DiskSink> sink(new DiskSink(options.Effective().queue_depth));
  sink->options_ = options.Effective();
  auto file = StripedFile::Create(members, options.stripe_unit, options.direct, size_hint, mode);
  if (!file.ok()) return file.status();
  sink->file_ = std::move(*file);
  auto engine = OpenStreamEngine(sink->options_, sink->file_, pool, notices);
  if (!engine.ok()) return engine.status();
  sink->engine_ = std::move(*engine);
  sink->io_thread_ = std::thread([s = sink.get()] { s->Run(); });
  return sink;
}

DiskSink::~DiskSink() {
  if (!finished_) Abort();
}

void DiskSink::Fail(const Status& st) {
  std::lock_guard lock(mu_);
  status_.Update(st);
  failed_ = true;
}

void DiskSink::Put(Buffer buffer) {
  if (failed_) return;  // dropped: Close() reports the first error
  const bool aligned = file_.direct();
  if (aligned && bytes_ % config::kDirectAlignment != 0) {
    Fail(Status::Error(file_.member_path(0) + ": a buffer of " + std::to_string(buffer.size()) +
                       " bytes follows one that was not a multiple of 4096 bytes (only the last may be)"));
    return;
  }
  size_t n = buffer.size();
  if (aligned && n % config::kDirectAlignment != 0) {  // the last buffer: pad to a whole block
    size_t padded = (n + config::kDirectAlignment - 1) / config::kDirectAlignment * config::kDirectAlignment;
    std::memset(buffer.data() + n, 0, padded - n);
  }
  buffer.set_offset(bytes_);
  bytes_ += n;
  (void)input_.Push(std::move(buffer));
}

void DiskSink::Run() {
  struct Pending {
    Buffer buffer;
    size_t left = 0;  // extents of this buffer not yet written
  };
  struct Tag {
    uint64_t seq;     // which buffer
    uint64_t expect;  // bytes the request must write
    int member;
  };
  std::unordered_map<uint64_t, Pending> pending;
  std::unordered_map<uint64_t, Tag> tags;
  std::deque<IoRequest> queued;
  std::vector<StripeExtent> extents;
  std::vector<IoCompletion> done;
  uint64_t seq = 0, next_tag = 0;
  bool input_open = true;
  const bool aligned = file_.direct();
  const auto kAlign = config::kDirectAlignment;

  auto accept = [&](Buffer b) {
    if (failed_) return;  // after an error, buffers go straight back to their pool
    extents.clear();
    file_.Map(b.offset(), b.size(), &extents);
    for (const auto& e : extents) {
      uint64_t len = aligned ? (e.len + kAlign - 1) / kAlign * kAlign : e.len;
      queued.push_back({IoOp::kWrite, e.member, b.data() + (e.logical_offset - b.offset()), uint32_t(len),
                        e.member_offset, next_tag});
      tags[next_tag++] = {seq, len, e.member};
    }
    if (!extents.empty()) pending[seq] = {std::move(b), extents.size()};
    ++seq;
  };

  while (true) {
    bool took = false;
    if (input_open && queued.size() < engine_->depth()) {
      // Block for input only when there is nothing else to do.
      if (engine_->outstanding() == 0 && queued.empty()) {
        if (auto b = input_.Pop()) {
          accept(std::move(*b));
          took = true;
        } else {
          input_open = false;
        }
      } else {
        Buffer b;
        auto r = input_.TryPop(&b);
        if (r == BlockingQueue<Buffer>::TryResult::kItem) {
          accept(std::move(b));
          took = true;
        } else if (r == BlockingQueue<Buffer>::TryResult::kClosed) {
          input_open = false;
        }
      }
    }
    while (!queued.empty() && engine_->outstanding() < engine_->depth()) {
      engine_->Submit(queued.front());
      queued.pop_front();
    }
    if (Status st = engine_->Flush(); !st.ok()) Fail(st);
    if (!input_open && queued.empty() && engine_->outstanding() == 0) break;
    if (took && queued.size() < engine_->depth() && engine_->outstanding() < engine_->depth()) continue;
    if (engine_->outstanding() == 0) continue;

    done.clear();
    if (Status st = engine_->Wait(&done); !st.ok()) {
      Fail(st);
      // The ring is broken: nothing more will complete here, but the kernel may still read
      // from the buffers in flight, whose pools' memory must then not be reused.
      for (const auto& [seq, p] : pending) p.buffer.ForbidReuseOfPool();
      break;
    }
    for (const auto& c : done) {
      Tag t = tags[c.tag];
      tags.erase(c.tag);
      if (c.result < 0) {
        Fail(Status::FromErrno(int(-c.result), file_.member_path(t.member), "write"));
      } else if (uint64_t(c.result) != t.expect) {
        Fail(Status::Error(file_.member_path(t.member) + ": write: short write of " + std::to_string(c.result) +
                           " of " + std::to_string(t.expect) + " bytes"));
      }
      auto it = pending.find(t.seq);
      if (--it->second.left == 0) pending.erase(it);  // the buffer returns to its pool
    }
  }
  // Leaving early (a broken ring) must not strand a producer blocked in Put.
  input_.Close();
}

Status DiskSink::End(bool keep) {
  if (finished_) return Status::Ok();
  finished_ = true;
  input_.Close();
  if (io_thread_.joinable()) io_thread_.join();
  std::lock_guard lock(mu_);
  if (!keep || !status_.ok()) {
    file_.Discard();
    return status_;
  }
  Status st = file_.Finish(bytes_);
  if (!st.ok()) file_.Discard();
  completed_ = st.ok();
  return st;
}

Status DiskSink::Complete() { return End(true); }

Status DiskSink::Publish() {
  if (!completed_) return Status::Error("internal: DiskSink::Publish without a successful Complete");
  Status st = file_.Publish();
  if (!st.ok()) file_.Discard();
  return st;
}

Status DiskSink::Close() {
  RS_RETURN_IF_ERROR(Complete());
  RS_RETURN_IF_ERROR(Publish());
  Settle();
  return Status::Ok();
}

void DiskSink::Abort() { (void)End(false); }

void DiskSink::Unpublish() { file_.Unpublish(); }

}  // namespace rs
