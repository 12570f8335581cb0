// river/river_queue.hpp — a bounded queue of buffers that connects a Sink on one thread to a
// Source on another (River's distributed queue, local edition). Put blocks while full, Get
// while empty; Close() on the sink side ends the stream for the reader.
#pragma once

#include "core/blocking_queue.hpp"
#include "river/sink.hpp"
#include "river/source.hpp"

namespace rs {

class RiverQueue final : public Sink, public Source {
 public:
  explicit RiverQueue(size_t capacity) : queue_(capacity) {}
  void Put(Buffer buffer) override { (void)queue_.Push(std::move(buffer)); }
  Status Close() override {
    queue_.Close();
    return Status::Ok();
  }
  std::optional<Buffer> Get() override { return queue_.Pop(); }
  Status status() const override { return Status::Ok(); }

 private:
  BlockingQueue<Buffer> queue_;
};

// Moves every buffer from source to sink on the calling thread, then closes the sink.
// If the source fails the sink is aborted, not closed. Returns the first error.
inline Status Pump(Source& source, Sink& sink) {
  while (auto b = source.Get()) sink.Put(std::move(*b));
  if (!source.status().ok()) {
    sink.Abort();
    return source.status();
  }
  return sink.Close();
}

}  // namespace rs
