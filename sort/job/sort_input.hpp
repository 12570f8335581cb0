// sort/job/sort_input.hpp — what every sort algorithm checks and learns about its input before the
// work: the partitions exist and hold whole records, the record counts of all ranks, and the
// input's checksum from its manifest when there is one; and what a sort reads and writes, for
// the write guard (io/write_guard.hpp) that runs before all of it.
// Collective over the Comm; call from each rank's main thread.
#pragma once

#include <optional>

#include "core/checksum.hpp"
#include "core/comm.hpp"
#include "io/write_guard.hpp"
#include "sort/job/sort_options.hpp"

namespace rs::sort {

struct SortInput {
  uint64_t bytes = 0;        // this rank's partition
  uint64_t records = 0;      // this rank's partition
  uint64_t total = 0;        // all ranks
  uint64_t max_records = 0;  // the largest partition
  // The manifest's total checksum; empty when there is no manifest (the sort then sums what it reads).
  std::optional<Checksum128> manifest_checksum;
};

// Every rank returns the same status: a missing partition, a size that is not a multiple of 100,
// or a manifest that disagrees with the partitions fails every rank.
Result<SortInput> OpenSortInput(Comm& comm, const SortOptions& options);

// What rank `rank` of this sort reads (its partition's members; rank 0: the manifest) and writes
// (its output partition's members; rank 0: --result), for GuardWrites.
WritePlan SortWritePlan(const SortOptions& options, int rank);
// The input manifest this sort uses: --manifest, else gen's default beside the input.
std::string InputManifestPath(const SortOptions& options);

}  // namespace rs::sort
