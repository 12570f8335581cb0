// sort/sort_input.hpp — what every sort algorithm checks and learns about its input before the
// work: the partitions exist and hold whole records, the output is not the input, the record
// counts of all ranks, and the input's checksum from its manifest when there is one.
// Collective over the Comm; call from each rank's main thread.
#pragma once

#include <optional>

#include "core/checksum.hpp"
#include "core/comm.hpp"
#include "sort/sort_options.hpp"

namespace rs::sort {

struct SortInput {
  uint64_t bytes = 0;    // this rank's partition
  uint64_t records = 0;  // this rank's partition
  uint64_t total = 0;    // all ranks
  uint64_t max_records = 0;  // the largest partition
  // The manifest's total checksum; empty when there is no manifest (the sort then sums what it reads).
  std::optional<Checksum128> manifest_checksum;
};

// Every rank returns the same status: a missing partition, a size that is not a multiple of 100,
// output equal to input, or a manifest that disagrees with the partitions fails every rank.
Result<SortInput> OpenSortInput(Comm& comm, const SortOptions& options);

}  // namespace rs::sort
