// tests/support/stripe_io.cpp
#include "tests/support/stripe_io.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace rs::test {

void WriteStripedData(const StripedFile& file, const std::string& data) {
  std::vector<StripeExtent> extents;
  file.Map(0, data.size(), &extents);
  std::vector<int> fds = file.fds();
  for (const auto& e : extents) {
    ASSERT_EQ(::pwrite(fds[size_t(e.member)], data.data() + e.logical_offset, e.len, off_t(e.member_offset)),
              ssize_t(e.len));
  }
}

void WriteStriped(const std::vector<std::string>& members, uint64_t unit, const std::string& data) {
  auto file = StripedFile::Create(members, unit, false, 0);
  ASSERT_TRUE(file.ok()) << file.status().message();
  WriteStripedData(*file, data);
  ASSERT_TRUE(file->Commit(data.size()).ok());
}

}  // namespace rs::test
