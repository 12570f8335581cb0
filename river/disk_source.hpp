// river/disk_source.hpp — reads a StripedFile (or a range of it) into pool buffers of
// transfer_size bytes, with up to queue_depth requests in flight on its own I/O thread, and
// hands the buffers out in file order. A slow consumer stalls the reads (the pool runs dry);
// memory never grows. Get() from one consumer thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/blocking_queue.hpp"
#include "io/io_engine.hpp"
#include "io/striped_file.hpp"
#include "river/disk_options.hpp"
#include "river/source.hpp"

namespace rs {

class DiskSource final : public Source {
 public:
  // Reads [offset, offset + length) of the logical file (length clipped to its end); with
  // O_DIRECT, offset and transfer_size must be multiples of 4096. Buffers come from *pool, whose
  // buffers must hold transfer_size bytes.
  static Result<std::unique_ptr<DiskSource>> Open(const std::vector<std::string>& members, const DiskOptions& options,
                                                  MemPool* pool, std::vector<std::string>* notices, uint64_t offset = 0,
                                                  uint64_t length = UINT64_MAX);
  ~DiskSource() override;

  std::optional<Buffer> Get() override;
  Status status() const override;
  uint64_t size() const { return file_.size(); }  // the whole logical file
  uint64_t length() const { return length_; }     // what this source delivers
  const char* engine_name() const { return engine_->name(); }

 private:
  // The hand-off queue holds up to a pool's worth: the I/O thread never waits for the consumer
  // to take one buffer before it can reap the next completion (memory stays bounded by the pool).
  explicit DiskSource(size_t queue) : output_(queue) {}
  void Run();
  void Fail(const Status& st);

  StripedFile file_;
  DiskOptions options_;
  MemPool* pool_ = nullptr;
  std::unique_ptr<IoEngine> engine_;
  BlockingQueue<Buffer> output_;
  std::thread io_thread_;
  mutable std::mutex mu_;
  Status status_;
  std::atomic<bool> stop_{false};
  uint64_t offset_ = 0;
  uint64_t length_ = 0;
};

}  // namespace rs
