// sort/onepass.hpp — `--algo onepass`: the one-pass, disk-to-disk distributed sort of NOW-Sort
// and Millennium Sort (DESIGN §5). Every rank: DiskSource -> PartitionSink -> NetSink (peers)
// or its own receive queue ... NetSource -> in-core sort -> DiskSink. Reading and exchanging
// overlap; the sorted records stream to disk while they are gathered. Collective over the Comm;
// call from each rank's main thread.
#pragma once

#include <functional>
#include <memory>

#include "core/comm.hpp"
#include "sort/run_report.hpp"
#include "sort/sort_options.hpp"

namespace rs::sort {

// Makes this rank's transport over its receive pool; tests pass a loopback.
using TransportMaker =
    std::function<Result<std::unique_ptr<Transport>>(MemPool* recv_pool, const TransportOptions& options)>;

// Sorts; every rank returns the same status. On success rank 0's report holds every rank's
// phases. Without a maker the transport is options.transport over MPI (MakeTransport).
Result<RunReport> RunOnepass(Comm& comm, const SortOptions& options, const TransportMaker& make_transport = {});

}  // namespace rs::sort
