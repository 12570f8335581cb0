// sort/external/range_source.cpp — reads a record range through an aligned DiskSource and trims the ends.
#include "sort/external/range_source.hpp"

#include <cstring>

#include "core/checksum.hpp"
#include "core/config.hpp"

namespace rs::sort {

Result<std::unique_ptr<RangeSource>> RangeSource::Open(const std::vector<std::string>& members, const DiskOptions& disk,
                                                       const RecordShape& shape, unsigned reads, uint64_t first,
                                                       uint64_t count, std::vector<std::string>* notices) {
  std::unique_ptr<RangeSource> s(new RangeSource());
  const uint64_t begin = first * shape.size, end = begin + count * shape.size;
  // O_DIRECT reads start on a record block: a multiple of both 4 KiB and the record size (102,400
  // bytes for 100-byte records), so every buffer after the first starts on a record (transfer
  // sizes are whole blocks). A shape without an aligned block reads through the page cache from
  // the record itself.
  const uint64_t block = shape.Block();
  const uint64_t aligned = begin / block * block;
  s->skip_ = begin - aligned;
  s->left_ = count * shape.size;
  if (count == 0) return s;
  auto pool = MemPool::Create(disk.transfer_size, reads + 1);
  if (!pool.ok()) return pool.status();
  s->pool_ = std::move(*pool);
  DiskOptions d = disk;
  d.queue_depth = reads;
  auto src = DiskSource::Open(members, d, s->pool_.get(), notices, aligned, end - aligned);
  if (!src.ok()) return src.status();
  s->source_ = std::move(*src);
  return s;
}

std::optional<Buffer> RangeSource::Get() {
  while (left_ > 0 && source_) {
    auto b = source_->Get();
    if (!b) {
      status_ = source_->status();
      if (status_.ok()) status_ = Status::Error("record range ended early (the file is shorter than expected)");
      return std::nullopt;
    }
    uint64_t size = b->size();
    if (skip_ > 0) {  // once: move the first record to the buffer's start (one buffer per range)
      const uint64_t skip = std::min(skip_, size);
      std::memmove(b->data(), b->data() + skip, size - skip);
      size -= skip;
      skip_ -= skip;
    }
    size = std::min(size, left_);
    left_ -= size;
    if (size == 0) continue;
    b->set_size(size);
    if (verify_) {
      crc_ = Crc32(crc_, b->data(), size);
      if (left_ == 0 && crc_ != expect_crc_) {
        damaged_ = true;
        status_ = Status::Error(what_ +
                                ": damaged: its checksum as read back differs from the one journaled when it "
                                "was written");
        return std::nullopt;
      }
    }
    return b;
  }
  return std::nullopt;
}

Status RangeSource::status() const {
  if (!status_.ok()) return status_;
  return source_ ? source_->status() : Status::Ok();
}

}  // namespace rs::sort
