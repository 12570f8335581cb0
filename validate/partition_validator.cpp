// validate/partition_validator.cpp
#include "validate/partition_validator.hpp"

#include <fcntl.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <mutex>
#include <vector>

#include "core/config.hpp"
#include "io/aligned_buffer.hpp"
#include "io/file.hpp"
#include "validate/record_validator.hpp"

namespace rs::validate {

Result<Summary> ValidatePartition(const std::string& path) {
  auto file = File::Open(path, O_RDONLY);
  if (!file.ok()) return file.status();
  auto size = file->Size();
  if (!size.ok()) return size.status();
  if (*size % kRecordSize != 0) return Status::Error(path + ": partial record found at end");
  const uint64_t records = *size / kRecordSize;
  if (records == 0) return Summary{};
  (void)::posix_fadvise(file->fd(), 0, 0, POSIX_FADV_SEQUENTIAL);

  constexpr uint64_t kBlock = config::kValidateBlockRecords;
  const uint64_t blocks = (records + kBlock - 1) / kBlock;
  std::vector<Summary> parts(blocks);
  // One block buffer per worker thread, allocated on first use and reused.
  tbb::enumerable_thread_specific<AlignedBuffer> buffers;
  std::mutex mu;
  Status status;

  tbb::parallel_for(tbb::blocked_range<uint64_t>(0, blocks, 1), [&](const tbb::blocked_range<uint64_t>& r) {
    AlignedBuffer& buf = buffers.local();
    if (buf.data() == nullptr) {
      auto b = AlignedBuffer::Allocate(kBlock * kRecordSize);
      if (!b.ok()) {
        std::lock_guard lock(mu);
        status.Update(b.status());
        return;
      }
      buf = std::move(*b);
    }
    for (uint64_t i = r.begin(); i != r.end(); ++i) {
      uint64_t n = std::min(kBlock, records - i * kBlock);
      auto got = file->ReadAt(buf.data(), n * kRecordSize, i * kBlock * kRecordSize);
      Status st = !got.ok() ? got.status()
                  : *got != n * kRecordSize ? Status::Error(path + ": file shrank while being validated")
                                            : Status::Ok();
      if (!st.ok()) {
        std::lock_guard lock(mu);
        status.Update(st);
        return;
      }
      parts[i] = ValidateRecords(buf.data(), n);
    }
  }, tbb::simple_partitioner());
  if (!status.ok()) return status;
  return Combine(parts);
}

}  // namespace rs::validate
