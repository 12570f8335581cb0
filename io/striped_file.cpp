// io/striped_file.cpp
#include "io/striped_file.hpp"

#include <fcntl.h>

#include <algorithm>

namespace rs {

uint64_t StripedFile::MemberSize(uint64_t size, uint64_t unit, int members, int k) {
  const uint64_t kk = uint64_t(members);
  const uint64_t units = size / unit, rest = size % unit;
  uint64_t bytes = units / kk * unit;
  const uint64_t extra = units % kk;  // members 0 .. extra-1 hold one more whole unit
  if (uint64_t(k) < extra) bytes += unit;
  if (uint64_t(k) == extra) bytes += rest;
  return bytes;
}

Result<StripedFile> StripedFile::OpenRead(const std::vector<std::string>& members, uint64_t unit, bool direct) {
  if (members.empty()) return Status::Error(StatusCode::kInvalidInput, "no member files given");
  if (members.size() > 1 && unit == 0) {
    return Status::Error(StatusCode::kInvalidInput, "a striped file needs a stripe unit > 0");
  }
  StripedFile f;
  f.paths_ = members;
  f.unit_ = members.size() == 1 && unit == 0 ? 1 : unit;
  uint64_t total = 0;
  std::vector<uint64_t> sizes;
  for (const auto& p : members) {
    RS_ASSIGN_OR_RETURN(File file, File::Open(p, O_RDONLY | (direct ? O_DIRECT : 0)));
    RS_ASSIGN_OR_RETURN(uint64_t size, file.Size());
    sizes.push_back(size);
    total += size;
    f.files_.push_back(std::move(file));
  }
  for (int k = 0; k < int(members.size()); ++k) {
    uint64_t want = MemberSize(total, f.unit_, int(members.size()), k);
    if (sizes[size_t(k)] != want) {
      return Status::Error(StatusCode::kInvalidInput, members[size_t(k)],
                           "has " + std::to_string(sizes[size_t(k)]) + " bytes, but a " + std::to_string(total) +
                               "-byte file striped over " + std::to_string(members.size()) + " members in units of " +
                               std::to_string(f.unit_) + " gives it " + std::to_string(want) +
                               " (wrong --stripe-unit, or members listed in the wrong order?)");
    }
  }
  f.size_ = total;
  return f;
}

Result<StripedFile> StripedFile::Create(const std::vector<std::string>& members, uint64_t unit, bool direct,
                                        uint64_t size_hint, mode_t mode) {
  if (members.empty()) return Status::Error(StatusCode::kInvalidInput, "no member files given");
  if (members.size() > 1 && unit == 0) {
    return Status::Error(StatusCode::kInvalidInput, "a striped file needs a stripe unit > 0");
  }
  StripedFile f;
  f.paths_ = members;
  f.unit_ = members.size() == 1 && unit == 0 ? 1 : unit;
  for (int k = 0; k < int(members.size()); ++k) {
    RS_ASSIGN_OR_RETURN(OutputFile out, OutputFile::Create(members[size_t(k)], direct ? O_DIRECT : 0, mode));
    if (size_hint > 0) {
      // Whole blocks, since O_DIRECT writes the tail padded to a block.
      uint64_t bytes = (MemberSize(size_hint, f.unit_, int(members.size()), k) + 4095) / 4096 * 4096;
      RS_RETURN_IF_ERROR(out.Allocate(bytes));
    }
    f.outputs_.push_back(std::move(out));
  }
  return f;
}

std::vector<int> StripedFile::fds() const {
  std::vector<int> fds;
  for (const auto& f : files_) fds.push_back(f.fd());
  for (const auto& o : outputs_) fds.push_back(o.file().fd());
  return fds;
}

bool StripedFile::direct() const {
  bool all = true;
  for (const auto& f : files_) all = all && f.direct();
  for (const auto& o : outputs_) all = all && o.file().direct();
  return all;
}

bool StripedFile::direct_refused() const {
  bool any = false;
  for (const auto& f : files_) any = any || f.direct_refused();
  for (const auto& o : outputs_) any = any || o.file().direct_refused();
  return any;
}

void StripedFile::Map(uint64_t offset, uint64_t len, std::vector<StripeExtent>* out) const {
  const uint64_t k = paths_.size();
  if (k == 1) {
    if (len > 0) out->push_back({0, offset, offset, len});
    return;
  }
  while (len > 0) {
    uint64_t unit_index = offset / unit_, within = offset % unit_;
    uint64_t n = std::min(len, unit_ - within);
    StripeExtent e{int(unit_index % k), unit_index / k * unit_ + within, offset, n};
    // Merge with the previous extent when contiguous both in the member and in the logical file.
    if (!out->empty() && out->back().member == e.member &&
        out->back().member_offset + out->back().len == e.member_offset &&
        out->back().logical_offset + out->back().len == e.logical_offset) {
      out->back().len += n;
    } else {
      out->push_back(e);
    }
    offset += n;
    len -= n;
  }
}

Result<uint64_t> StripedFile::ReadAt(uint64_t offset, uint64_t len, uint8_t* buf) const {
  std::vector<StripeExtent> extents;
  Map(offset, len, &extents);
  for (const StripeExtent& e : extents) {
    auto got = files_[size_t(e.member)].ReadAt(buf + (e.logical_offset - offset), e.len, e.member_offset);
    if (!got.ok()) return got.status();
    // Short only where the logical file ends.
    const uint64_t want = e.logical_offset >= size_ ? 0 : std::min(e.len, size_ - e.logical_offset);
    if (*got < want) {
      return Status::Error(StatusCode::kCorruption, paths_[size_t(e.member)],
                           "shorter than its striped file's size " + std::to_string(size_) + " implies");
    }
  }
  return offset >= size_ ? 0 : std::min(len, size_ - offset);
}

Status StripedFile::Commit(uint64_t size) {
  RS_RETURN_IF_ERROR(Finish(size));
  RS_RETURN_IF_ERROR(Publish());
  Settle();
  return Status::Ok();
}

Status StripedFile::Finish(uint64_t size) {
  // Every member complete and synced before any is renamed: all appear, or none.
  for (int k = 0; k < int(outputs_.size()); ++k) {
    RS_RETURN_IF_ERROR(outputs_[size_t(k)].Finish(MemberSize(size, unit_, int(outputs_.size()), k)));
  }
  size_ = size;
  return Status::Ok();
}

Status StripedFile::Publish() {
  for (size_t k = 0; k < outputs_.size(); ++k) {
    Status st = outputs_[k].Publish();
    if (!st.ok()) {  // take back the members already renamed (k undid itself)
      for (size_t j = 0; j < k; ++j) outputs_[j].Unpublish();
      return st;
    }
  }
  return Status::Ok();
}

void StripedFile::Settle() {
  for (auto& o : outputs_) o.Settle();
}

void StripedFile::Unpublish() {
  for (auto& o : outputs_) o.Unpublish();
}

void StripedFile::Discard() {
  for (auto& o : outputs_) o.Discard();
}

}  // namespace rs
