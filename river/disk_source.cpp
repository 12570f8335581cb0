// river/disk_source.cpp
//
// The I/O thread cuts the range into transfer_size chunks, maps each chunk onto member extents
// and keeps up to queue_depth extent reads in flight. Chunks complete in any order and are handed
// out in order. A new chunk starts only with a free pool buffer; when none is free the thread
// waits for completions instead, or (nothing in flight) for the consumer to return one.
#include "river/disk_source.hpp"

#include <deque>
#include <unordered_map>

#include "river/stream_engine.hpp"

namespace rs {

Result<std::unique_ptr<DiskSource>> DiskSource::Open(const std::vector<std::string>& members,
                                                     const DiskOptions& options, MemPool* pool,
                                                     std::vector<std::string>* notices, uint64_t offset,
                                                     uint64_t length) {
  RS_RETURN_IF_ERROR(options.Check());
  if (pool == nullptr || pool->buffer_size() < options.transfer_size) {
    return Status::Error("DiskSource: pool buffers must hold the transfer size");
  }
  std::unique_ptr<DiskSource> src(new DiskSource(pool == nullptr ? 1 : pool->count()));
  src->options_ = options.Effective();
  src->pool_ = pool;
  auto file = StripedFile::OpenRead(members, options.stripe_unit, options.direct);
  if (!file.ok()) return file.status();
  src->file_ = std::move(*file);
  if (src->file_.direct() && offset % config::kDirectAlignment != 0) {
    return Status::Error(members[0] + ": O_DIRECT reads must start at a multiple of 4096 bytes");
  }
  src->offset_ = std::min(offset, src->file_.size());
  src->length_ = std::min(length, src->file_.size() - src->offset_);
  auto engine = OpenStreamEngine(src->options_, src->file_, pool, notices);
  if (!engine.ok()) return engine.status();
  src->engine_ = std::move(*engine);
  src->io_thread_ = std::thread([s = src.get()] { s->Run(); });
  return src;
}

DiskSource::~DiskSource() {
  stop_ = true;
  output_.Close();  // a blocked hand-off returns at once
  if (io_thread_.joinable()) io_thread_.join();
}

void DiskSource::Fail(const Status& st) {
  std::lock_guard lock(mu_);
  status_.Update(st);
}

Status DiskSource::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

std::optional<Buffer> DiskSource::Get() { return output_.Pop(); }

void DiskSource::Run() {
  struct Chunk {
    Buffer buffer;
    uint64_t offset;  // logical
    uint64_t len;
    size_t left;  // extents still in flight or queued
  };
  struct Tag {
    uint64_t chunk;  // sequence number
    uint64_t expect;
    int member;
  };
  std::deque<Chunk> window;  // chunks in flight, in file order; window.front() is chunk `first`
  uint64_t first = 0, next = 0;
  std::unordered_map<uint64_t, Tag> tags;
  std::deque<IoRequest> queued;
  std::vector<StripeExtent> extents;
  std::vector<IoCompletion> done;
  uint64_t next_tag = 0;
  const uint64_t T = options_.transfer_size;
  const uint64_t chunks = (length_ + T - 1) / T;
  const bool aligned = file_.direct();
  const auto kAlign = config::kDirectAlignment;
  bool failed = false;

  while (!stop_ && !failed) {
    // Start chunks while the engine has room and a buffer is free.
    while (next < chunks && queued.size() < engine_->depth()) {
      std::optional<Buffer> b = pool_->TryGet();
      if (!b) {
        // Our own chunks hold buffers: complete or hand them out first. Only when the consumer
        // holds every buffer does this thread wait for one to come back.
        if (!window.empty()) break;
        while (!stop_ && !(b = pool_->GetFor(std::chrono::milliseconds(20)))) {
        }
        if (!b) break;
      }
      uint64_t off = offset_ + next * T, len = std::min(T, offset_ + length_ - off);
      extents.clear();
      file_.Map(off, len, &extents);
      for (const auto& e : extents) {
        uint64_t rlen = aligned ? (e.len + kAlign - 1) / kAlign * kAlign : e.len;
        queued.push_back(
            {IoOp::kRead, e.member, b->data() + (e.logical_offset - off), uint32_t(rlen), e.member_offset, next_tag});
        tags[next_tag++] = {next, e.len, e.member};
      }
      window.push_back({std::move(*b), off, len, extents.size()});
      ++next;
    }
    while (!queued.empty() && engine_->outstanding() < engine_->depth()) {
      engine_->Submit(queued.front());
      queued.pop_front();
    }
    if (Status st = engine_->Flush(); !st.ok()) {
      Fail(st);
      failed = true;
      break;
    }
    // Hand out finished chunks in order (blocks while the consumer is behind: back-pressure).
    while (!window.empty() && window.front().left == 0) {
      Chunk c = std::move(window.front());
      window.pop_front();
      ++first;
      c.buffer.set_size(c.len);
      c.buffer.set_offset(c.offset - offset_);
      if (!output_.Push(std::move(c.buffer))) stop_ = true;
    }
    if (next == chunks && window.empty()) break;
    if (engine_->outstanding() == 0) continue;
    done.clear();
    if (Status st = engine_->Wait(&done); !st.ok()) {
      Fail(st);
      failed = true;
      break;
    }
    for (const auto& c : done) {
      Tag t = tags[c.tag];
      tags.erase(c.tag);
      if (c.result < 0) {
        Fail(Status::FromErrno(int(-c.result), file_.member_path(t.member), "read"));
        failed = true;
      } else if (uint64_t(c.result) < t.expect) {
        Fail(Status::Error(file_.member_path(t.member) + ": read: file ended early (changed while being read?)"));
        failed = true;
      }
      --window[size_t(t.chunk - first)].left;
    }
  }
  // Drain what is still in flight before the buffers and files go away.
  while (engine_->outstanding() > 0) {
    done.clear();
    if (!engine_->Wait(&done).ok()) break;
  }
  // A broken ring may still complete reads into the pool after it is gone: not reused.
  if (engine_->outstanding() > 0) pool_->ForbidReuse();
  output_.Close();
}

}  // namespace rs
