// io/manifest.hpp — the dataset manifest (JSON) that gen writes next to the data and that
// validate and sort read: mode, per-rank start, count and checksum, and the totals.
#pragma once

#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/status.hpp"
#include "core/uint128.hpp"

namespace rs {

struct ManifestPartition {
  int rank = 0;
  u128 start = 0;  // first record number of this partition
  uint64_t records = 0;
  Checksum128 checksum;
  std::vector<std::string> files;  // member files (one per directory)
};

struct Manifest {
  static constexpr const char* kFormat = "riversort-dataset/1";
  bool ascii = false;
  bool skew = false;
  u128 start = 0;
  uint64_t records = 0;  // total over all partitions
  uint64_t stripe_unit = 0;
  Checksum128 checksum;  // total
  std::vector<ManifestPartition> partitions;

  std::string ToJson() const;
  // Writes atomically (temporary name, fsync, rename).
  Status Save(const std::string& path) const;
  static Result<Manifest> Load(const std::string& path);
  static Result<Manifest> Parse(const std::string& text, const std::string& path_for_errors);
};

}  // namespace rs
