// sort/algorithms/twopass.hpp — `--algo twopass`: the 2-IO sort of TritonSort/Themis (docs/architecture.md#algorithms).
// Every record is read twice and written twice: read & distribute as in onepass, but each receiver forms sorted runs
// within --memory and spills them to its temporary directories while the exchange goes on; then each rank merges its
// runs (in levels if they exceed the fan-in) into its output. Collective over the Comm; call from each rank's main
// thread.
#pragma once

#include "core/comm.hpp"
#include "sort/job/read_distribute.hpp"
#include "sort/job/sort_options.hpp"
#include "sort/report/sort_report.hpp"

namespace rs::sort {

class Progress;

// Every rank returns the same status; on success rank 0's report holds every rank's phases.
Result<SortReport> RunTwopass(Comm& comm, const SortOptions& options, Progress* progress,
                              const TransportMaker& make_transport = {});

}  // namespace rs::sort
