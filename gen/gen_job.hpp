// gen/gen_job.hpp — `riversort gen` on every rank: generate this rank's slice into its partition
// file, agree on success, and (rank 0) write the dataset manifest. Collective over the Comm.
#pragma once

#include <string>

#include "core/comm.hpp"
#include "core/dataset_paths.hpp"
#include "core/status.hpp"
#include "gen/gen_spec.hpp"
#include "river/disk_options.hpp"

namespace rs::gen {

struct GenJobOptions {
  uint64_t records = 0;
  u128 start = 0;
  GenSpec spec;
  DatasetPaths paths;
  std::string manifest_path;  // empty: paths.DefaultManifestPath()
  int threads = 0;            // TBB threads for this rank; 0 = one per core
  DiskOptions disk;           // transfer size, queue depth, engine, O_DIRECT, stripe unit
};

struct GenJobResult {
  Checksum128 checksum;       // total over all ranks
  uint64_t records = 0;       // total over all ranks
  std::string manifest_path;  // empty when nothing was written (/dev/null)
};

// Every rank returns the same outcome; a failure names the lowest failing rank, its file and
// the reason. Notices (I/O engine fallback, O_DIRECT refused) go to `notice`, one line each.
Result<GenJobResult> RunGenJob(Comm& comm, const GenJobOptions& options, void (*notice)(const std::string&));

}  // namespace rs::gen
