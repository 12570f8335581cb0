// river/disk_sink.hpp — writes a stream of buffers to a StripedFile with up to queue_depth
// requests in flight, on its own I/O thread; publishes the file at Close() only when complete
// and synced. With O_DIRECT every buffer but the last must be a multiple of 4096 bytes (the
// last is padded and the file truncated). Put/Close/Abort from one producer thread.
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
#include "river/sink.hpp"

namespace rs {

class DiskSink final : public Sink, public Publishable {
 public:
  // members: one path per directory (K = members.size()); size_hint preallocates (0: unknown).
  // Notices (engine fallback, O_DIRECT refused) are appended to *notices as single lines.
  // mode: before the umask (io/file.hpp kPrivateFileMode for runs and work files).
  static Result<std::unique_ptr<DiskSink>> Create(const std::vector<std::string>& members, const DiskOptions& options,
                                                  const MemPool* pool, uint64_t size_hint,
                                                  std::vector<std::string>* notices, mode_t mode = 0666);
  ~DiskSink() override;

  void Put(Buffer buffer) override;
  Status Close() override;  // Complete, Publish, Settle
  void Abort() override;
  // Close in steps, for a partition that must appear only with every other rank's
  // (io/publish_together.hpp): Complete writes and syncs everything under temporary names;
  // Publish renames it into place keeping what it replaces; Settle or Unpublish.
  Status Complete();
  Status Publish() override;
  void Settle() override { file_.Settle(); }
  // Takes a published partition back (another rank's did not appear): what it replaced returns.
  void Unpublish() override;
  uint64_t bytes() const { return bytes_; }
  const char* engine_name() const { return engine_->name(); }

 private:
  // Room for a queue's worth of buffers, so the producer does not take turns with the I/O thread.
  explicit DiskSink(size_t queue) : input_(queue) {}
  void Run();
  void Fail(const Status& st);
  Status End(bool keep);  // ends the I/O; discards the file unless keep and all went well

  StripedFile file_;
  DiskOptions options_;
  std::unique_ptr<IoEngine> engine_;
  BlockingQueue<Buffer> input_;
  std::thread io_thread_;
  std::mutex mu_;
  Status status_;
  std::atomic<bool> failed_{false};
  uint64_t bytes_ = 0;  // logical bytes accepted (the producer's count)
  bool finished_ = false;
  bool completed_ = false;  // Complete succeeded: Publish may rename
};

}  // namespace rs
