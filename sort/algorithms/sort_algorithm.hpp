// sort/algorithms/sort_algorithm.hpp — `riversort sort`'s entry point: runs the algorithm --algo names;
// `auto` takes onepass when this input fits the memory budget, else twopass, and says which on
// rank 0's stderr. Rank 0 shows live progress (phase, percent, MB/s, ETA) when asked or when its
// stderr is a terminal. Before any of it, the write guard (io/write_guard.hpp) checks and locks
// every path the sort reads and writes; the JSON result (--result) is written at the end, while
// its name is still locked. Collective over the Comm; call from each rank's main thread.
#pragma once

#include "core/comm.hpp"
#include "sort/job/read_distribute.hpp"
#include "sort/job/sort_options.hpp"
#include "sort/report/sort_report.hpp"

namespace rs::sort {

// Every rank returns the same status; on success rank 0's report holds every rank's phases.
Result<SortReport> RunSort(Comm& comm, const SortOptions& options, const TransportMaker& make_transport = {});

}  // namespace rs::sort
