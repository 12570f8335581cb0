// tests/core/record_shape_test.cpp — RecordShape: the flag ranges and their messages, and the
// block every record stream is made of (docs/records.md#alignment).
#include "core/record_shape.hpp"

#include <gtest/gtest.h>

#include "core/config.hpp"
#include "river/disk_options.hpp"

namespace rs {
namespace {

TEST(RecordShape, DefaultIsGensort) {
  RecordShape s;
  EXPECT_TRUE(s.IsGensort());
  EXPECT_TRUE(s.Check().ok());
  EXPECT_EQ(s.ToString(), "100/10/0");
  EXPECT_EQ(s.Block(), config::kRecordBlock);  // the constant gensort's streams always used
  EXPECT_FALSE((RecordShape{100, 10, 1}).IsGensort());
  EXPECT_FALSE((RecordShape{100, 8, 0}).IsGensort());
}

TEST(RecordShape, RangesAndTheirMessages) {
  EXPECT_TRUE((RecordShape{8, 1, 7}).Check().ok());
  EXPECT_TRUE((RecordShape{65536, 65536, 0}).Check().ok());
  EXPECT_EQ((RecordShape{7, 1, 0}).Check().message(), "--record-size 7: allowed 8 .. 65536");
  EXPECT_EQ((RecordShape{65537, 1, 0}).Check().message(), "--record-size 65537: allowed 8 .. 65536");
  EXPECT_EQ((RecordShape{64, 0, 0}).Check().message(),
            "--key-size 0: allowed 1 .. 64 (record size 64 minus key offset 0)");
  EXPECT_EQ((RecordShape{64, 9, 56}).Check().message(),
            "--key-size 9: allowed 1 .. 8 (record size 64 minus key offset 56)");
  EXPECT_EQ((RecordShape{64, 1, 64}).Check().message(), "--key-offset 64: allowed 0 .. 63 (inside a 64-byte record)");
}

TEST(RecordShape, BlocksAreWholeRecordsAndWhole4KiBUpTo2MiB) {
  EXPECT_EQ((RecordShape{64, 8, 0}).Block(), 4096u);
  EXPECT_EQ((RecordShape{8, 1, 0}).Block(), 4096u);
  EXPECT_EQ((RecordShape{65536, 8, 0}).Block(), 65536u);
  EXPECT_EQ((RecordShape{1000, 8, 0}).Block(), 512000u);
  EXPECT_EQ((RecordShape{3000, 8, 0}).Block(), 1536000u);
  // lcm(4097, 4096) = 16 MiB: no aligned block; streams go through the page cache in whole records.
  RecordShape odd{4097, 8, 0};
  EXPECT_EQ(odd.AlignedBlock(), 0u);
  EXPECT_EQ(odd.Block(), 4097u);
  DiskOptions disk;
  DiskOptions stream = disk.ForRecords(odd);
  EXPECT_FALSE(stream.direct);
  EXPECT_EQ(stream.transfer_size, disk.transfer_size / 4097 * 4097);
  EXPECT_TRUE(disk.ForRecords(RecordShape{64, 8, 0}).direct);
  EXPECT_EQ(disk.ForRecords(RecordShape{}).transfer_size, disk.record_transfer_size(RecordShape{}));
}

}  // namespace
}  // namespace rs
