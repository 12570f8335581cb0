// sort/resume/job_identity.hpp — what makes two runs of `riversort sort` the same job, so that
// `--resume` finds the work an earlier run kept: the input and output as named on the command
// line (the same on every rank), and per rank the real paths of its partition's members. The
// rank's job token (16 hex digits, like a process token: io/job_files.hpp) names its kept files
// and journal. Whether the input is still the same data is a separate fingerprint (real path,
// size, modification time, inode of each member), checked against the journal: a changed input
// is refused, not silently treated as a new job.
#pragma once

#include <string>

#include "sort/job/sort_options.hpp"

namespace rs::sort {

struct JobIdentity {
  std::string job;    // the same on every rank
  std::string token;  // this rank's: names its kept files and journal
  std::string input;  // fingerprint of this rank's input partition
};

JobIdentity MakeJobIdentity(const SortOptions& options, int rank);

}  // namespace rs::sort
