// core/dataset_paths.hpp — where partition r of a dataset lives: --dir D... and --name P...
// One name: a pattern whose "{rank}" becomes the rank (required when there are several ranks).
// Several names: one per rank, in rank order (for raw files named by hand).
// Several dirs: the members of a striped partition, one per directory (docs/dataset.md#names).
#pragma once

#include <string>
#include <vector>

#include "core/status.hpp"

namespace rs {

struct DatasetPaths {
  std::vector<std::string> dirs;
  std::vector<std::string> names;

  // Checks the lists against the number of ranks; one line saying what is wrong.
  Status Check(int ranks) const;
  // Member files of partition `rank` (one per directory). Call Check first.
  std::vector<std::string> Members(int rank) const;
  // Default manifest path: first dir / name with "{rank}" replaced by "manifest", plus ".json"
  // (in.{rank} -> in.manifest.json).
  std::string DefaultManifestPath() const;
  // The flags that name this dataset, as a user would type them: "--dir D1 --dir D2 --name P".
  std::string AsFlags() const;
};

std::string ReplaceRank(const std::string& pattern, const std::string& with);

}  // namespace rs
