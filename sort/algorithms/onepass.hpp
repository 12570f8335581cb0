// sort/algorithms/onepass.hpp — `--algo onepass`: the one-pass, disk-to-disk distributed sort of NOW-Sort
// and Millennium Sort (docs/architecture.md#algorithms). Every rank: DiskSource -> PartitionSink -> NetSink (peers)
// or its own receive queue ... NetSource -> in-core sort -> DiskSink. Reading and exchanging
// overlap; the sorted records stream to disk while they are gathered. Collective over the Comm;
// call from each rank's main thread.
#pragma once

#include "core/comm.hpp"
#include "sort/job/read_distribute.hpp"
#include "sort/job/sort_options.hpp"
#include "sort/report/sort_report.hpp"

namespace rs::sort {

// Sorts; every rank returns the same status. On success rank 0's report holds every rank's
// phases. Without a maker the transport is options.transport over MPI (MakeTransport).
Result<SortReport> RunOnepass(Comm& comm, const SortOptions& options, const TransportMaker& make_transport = {});

}  // namespace rs::sort
