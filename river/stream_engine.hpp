// river/stream_engine.hpp — the I/O engine of one disk stream (DiskSource, DiskSink): made from
// the stream's options, with the stream's member files and (when worth it) its pool registered,
// and the notices a user should see (O_DIRECT refused, io_uring refused) collected.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/io_engine.hpp"
#include "io/striped_file.hpp"
#include "river/disk_options.hpp"
#include "river/mem_pool.hpp"

namespace rs {

// options: the stream's effective options (DiskOptions::Effective). pool may be null.
inline Result<std::unique_ptr<IoEngine>> OpenStreamEngine(const DiskOptions& options, const StripedFile& file,
                                                          const MemPool* pool, std::vector<std::string>* notices) {
  if (file.direct_refused() && notices) {
    notices->push_back(file.member_path(0) + ": the filesystem refuses O_DIRECT; using buffered I/O");
  }
  std::string notice;
  auto engine = MakeIoEngine(options.engine, options.queue_depth, &notice);
  if (!engine.ok()) return engine.status();
  if (!notice.empty() && notices) notices->push_back(notice);
  std::vector<iovec> memory;
  if (pool != nullptr && pool->WorthRegistering(options.queue_depth)) memory.push_back(pool->region());
  RS_RETURN_IF_ERROR((*engine)->Register(file.fds(), memory));
  return engine;
}

}  // namespace rs
