// sort/selection/file_sorted_keys.cpp
#include "sort/selection/file_sorted_keys.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace rs::sort {

namespace {

// The file's name in messages: its only member, or the first one and how many there are.
std::string FileName(const std::vector<std::string>& members) {
  if (members.size() == 1) return members[0];
  return members[0] + " (striped over " + std::to_string(members.size()) + " files)";
}

}  // namespace

Result<std::unique_ptr<FileSortedKeys>> FileSortedKeys::Open(const std::vector<std::string>& members,
                                                             uint64_t stripe_unit, const RecordShape& shape,
                                                             KeyIndex index, uint64_t stride) {
  if (stride == 0) return Status::Error("key index stride must be > 0");
  Result<StripedFile> file = StripedFile::OpenRead(members, stripe_unit, /*direct=*/false);
  if (!file.ok()) return file.status();
  const uint64_t bytes = file->size();
  const uint64_t size = shape.size;
  if (bytes % size != 0) {
    return Status::Error(FileName(members) + ": size " + std::to_string(bytes) + " is not a multiple of " +
                         std::to_string(size) + " bytes");
  }
  const uint64_t blocks = (bytes / size + stride - 1) / stride;
  if (index.size() != blocks || index.key_size() != shape.key_size) {
    return Status::Error(FileName(members) + ": key index has " + std::to_string(index.size()) + " entries, but " +
                         std::to_string(bytes / size) + " records need " + std::to_string(blocks) + " (one per " +
                         std::to_string(stride) + ")");
  }
  return std::unique_ptr<FileSortedKeys>(
      new FileSortedKeys(std::move(*file), FileName(members), shape, std::move(index), stride));
}

FileSortedKeys::FileSortedKeys(StripedFile file, std::string name, const RecordShape& shape, KeyIndex index,
                               uint64_t stride)
    : SortedKeys(shape.key_size),
      file_(std::move(file)),
      name_(std::move(name)),
      shape_(shape),
      index_(std::move(index)),
      stride_(stride),
      count_(file_.size() / shape.size),
      cached_(index_.size()) {}

Result<Key> FileSortedKeys::ReadKey(uint64_t i) {
  const uint64_t b = i / stride_;
  if (i % stride_ == 0) return index_.At(b);
  RS_RETURN_IF_ERROR(LoadBlock(b));
  return Key::Of(block_.data() + (i - b * stride_) * shape_.size, shape_);
}

Result<uint64_t> FileSortedKeys::Search(const Key& key, uint64_t lo, uint64_t hi, bool upper) {
  // Index entries before b are below the key (for upper: not above it) and entry b is not, so the
  // sequence's own bound lies in [first, last]: inside block b − 1 or just past it. The answer for
  // [lo, hi) is that bound clamped to [lo, hi], so only the part of the block inside [lo, hi) is
  // searched, and nothing is read when that part is empty.
  const auto below = [&](uint64_t i) {
    const int c = std::memcmp(index_.KeyData(i), key.data(), shape_.key_size);
    return upper ? c <= 0 : c < 0;
  };
  // The first index entry not below: a binary search over the entries (std::ranges over an iota
  // view would do it, but the clang of scripts/tidy.sh cannot compile libstdc++ 12's ranges).
  uint64_t b = 0;
  for (uint64_t n = index_.size(); n > 0;) {
    const uint64_t half = n / 2;
    if (below(b + half)) {
      b += half + 1;
      n -= half + 1;
    } else {
      n = half;
    }
  }
  if (b == 0) return lo;
  const uint64_t start = (b - 1) * stride_;
  const uint64_t first = start + 1, last = std::min(b * stride_, count_);
  if (last <= lo) return lo;
  if (first >= hi) return hi;
  RS_RETURN_IF_ERROR(LoadBlock(b - 1));
  const uint64_t from = std::max(first, lo), to = std::min(last, hi);
  return start + partition::SearchRecords(block_.data(), from - start, to - start, key, upper, shape_);
}

Status FileSortedKeys::LoadBlock(uint64_t b) {
  if (b == cached_) return Status::Ok();
  cached_ = index_.size();  // nothing valid cached until this read succeeds
  const uint64_t start = b * stride_;
  const uint64_t size = shape_.size;
  const uint64_t len = (std::min(start + stride_, count_) - start) * size;
  block_.resize(len);
  Result<uint64_t> got = file_.ReadAt(start * size, len, block_.data());
  if (!got.ok()) return got.status();
  if (*got != len) {
    return Status::Error(name_ + ": ends at record " + std::to_string(start + *got / size) + ", inside block " +
                         std::to_string(b) + " of its key index (file changed since the index was built?)");
  }
  // A cheap check that file and index still belong together: a wrong answer would be silent.
  if (std::memcmp(block_.data() + shape_.key_offset, index_.KeyData(b), shape_.key_size) != 0) {
    return Status::Error(name_ + ": the key of record " + std::to_string(start) +
                         " differs from its key index (file changed since the index was built?)");
  }
  cached_ = b;
  return Status::Ok();
}

}  // namespace rs::sort
