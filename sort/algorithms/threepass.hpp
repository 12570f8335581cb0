// sort/algorithms/threepass.hpp — `--algo threepass`: the Compaq/Sandia terabyte sort
// (docs/architecture.md#algorithms). Phase 1 sorts runs of the local partition within --memory; phase 2 merges them
// into one sorted work file per rank; phase 3a selects the exact output boundaries across every rank's work file
// (parallel selection); phase 3b merges each output rank's ranges of every work file, fetching
// remote ones over the network (parallel merge). Every record is read and written three times;
// every output rank gets exactly ⌊N/P⌋ or ⌈N/P⌉ records, whatever the keys.
// Collective over the Comm; call from each rank's main thread.
#pragma once

#include "core/comm.hpp"
#include "sort/job/read_distribute.hpp"
#include "sort/job/sort_options.hpp"
#include "sort/report/sort_report.hpp"

namespace rs::sort {

class Progress;

// Every rank returns the same status; on success rank 0's report holds every rank's phases.
Result<SortReport> RunThreepass(Comm& comm, const SortOptions& options, Progress* progress,
                                const TransportMaker& make_transport = {});

}  // namespace rs::sort
