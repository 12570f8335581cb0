// io/striped_file.hpp — one logical file over K member files (one per directory/disk) in stripe
// units of U bytes (docs/dataset.md#names): logical offset o lives in member (o / U) % K at offset
// (o / U / K) * U + o % U. K = 1 is a plain file, byte-compatible with gensort/valsort.
// Writers create every member under a temporary name (preallocated) and publish all of them at
// Commit; the first error is kept and reported with path and reason. Owned by one thread; the
// member fds may be used by an I/O engine.
#pragma once

#include <string>
#include <vector>

#include "core/status.hpp"
#include "io/file.hpp"

namespace rs {

struct StripeExtent {
  int member;
  uint64_t member_offset;
  uint64_t logical_offset;
  uint64_t len;
};

class StripedFile : public Publishable {
 public:
  StripedFile() = default;
  StripedFile(StripedFile&&) noexcept = default;
  StripedFile& operator=(StripedFile&&) noexcept = default;

  // Opens existing members for reading; their sizes must be exactly what the layout gives for
  // some logical size, otherwise an error says which member is wrong. direct: O_DIRECT where the
  // filesystem accepts it.
  static Result<StripedFile> OpenRead(const std::vector<std::string>& members, uint64_t stripe_unit, bool direct);
  // Creates members under temporary names; size_hint (0 = unknown) preallocates each member;
  // mode before the umask (kPrivateFileMode for riversort's own temporaries).
  static Result<StripedFile> Create(const std::vector<std::string>& members, uint64_t stripe_unit, bool direct,
                                    uint64_t size_hint, mode_t mode = 0666);

  uint64_t size() const { return size_; }
  uint64_t stripe_unit() const { return unit_; }
  int member_count() const { return int(paths_.size()); }
  const std::string& member_path(int k) const { return paths_[size_t(k)]; }
  std::vector<int> fds() const;
  bool direct() const;          // every member is open with O_DIRECT
  bool direct_refused() const;  // some filesystem refused O_DIRECT (buffered I/O is used)

  // Appends the member extents that make up [offset, offset + len), in logical order.
  void Map(uint64_t offset, uint64_t len, std::vector<StripeExtent>* out) const;
  // Readers: reads [offset, offset + len) of the logical file, synchronously (for small or
  // occasional reads; streams use DiskSource). Past the end is allowed; returns the bytes that
  // exist. With O_DIRECT, offset, len and buf must be 4 KiB aligned. Any thread.
  Result<uint64_t> ReadAt(uint64_t offset, uint64_t len, uint8_t* buf) const;
  // Bytes member k holds when the logical file has `size` bytes.
  static uint64_t MemberSize(uint64_t size, uint64_t unit, int members, int k);

  // Writers: truncate each member to its share of `size`, fsync, rename into place, settle.
  Status Commit(uint64_t size);
  // Commit in steps, for outputs that must appear together with other ranks' (PublishTogether):
  // Finish every member (truncate, fsync, close) under its temporary name, then Publish them all
  // (what they replace is kept aside), then Settle or Unpublish (io/file.hpp OutputFile).
  Status Finish(uint64_t size);
  Status Publish() override;
  void Settle() override;
  void Unpublish() override;
  // Writers: remove the temporaries (also done on destruction without Commit).
  void Discard();

 private:
  std::vector<std::string> paths_;
  std::vector<File> files_;          // readers
  std::vector<OutputFile> outputs_;  // writers
  uint64_t unit_ = 0;
  uint64_t size_ = 0;
};

}  // namespace rs
