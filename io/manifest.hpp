// io/manifest.hpp — the dataset manifest (JSON) that gen writes next to the data and that
// validate and sort read: mode, per-rank start, count and checksum, and the totals.
#pragma once

#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/record_shape.hpp"
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
  // "/1": gensort's records (100/10/0; files without key_size/key_offset are such). "/2": any
  // other shape, so a binary that knows only 100-byte records refuses the manifest instead of
  // reading the data as 100-byte records (docs/dataset.md#manifest).
  static constexpr const char* kFormat = "riversort-dataset/1";
  static constexpr const char* kFormatShaped = "riversort-dataset/2";
  RecordShape shape;
  // What made the records: "gensort" (gensort 1.5's, as ascii and skew say) or "riversort-random/1"
  // (gen/shaped_generator.hpp, with `duplicates` of them drawn from its pool of repeated keys).
  std::string generator = "gensort";
  double duplicates = 0;
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
  // Ok when the data is of `flags` (the shape a command was told), else one line naming the
  // manifest, both shapes and the flags that would read the data.
  Status CheckShape(const std::string& path, const RecordShape& flags) const;
};

}  // namespace rs
