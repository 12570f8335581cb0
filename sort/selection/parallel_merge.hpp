// sort/selection/parallel_merge.hpp — threepass phase 3b: after parallel selection, output rank
// r merges records Selection::column[q] of every rank q's sorted work file. Its own range is
// read from its disk; the others are fetched chunk by chunk over the network — remote I/O: r asks
// q for chunk i, and q's server thread reads that chunk of its local work file and sends it back
// (the Compaq sort's shadow thread), with the disk's queue depth of reads in flight. Each remote
// stream keeps max(2, queue depth / peers) chunk requests outstanding, so memory is bounded
// whatever the ranges and O(P). Collective over the Comm; call from each
// rank's main thread. How it works: docs/external.md#remote-io-in-the-parallel-merge.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/comm.hpp"
#include "river/disk_options.hpp"
#include "river/sink.hpp"
#include "sort/job/read_distribute.hpp"
#include "sort/job/sort_options.hpp"

namespace rs::sort {

class Progress;

struct ParallelMergeRequest {
  std::vector<std::string> work_members;              // this rank's sorted work file
  std::vector<uint64_t> row;                          // Selection::row: what this rank serves
  std::vector<std::pair<uint64_t, uint64_t>> column;  // Selection::column: what it merges
  DiskOptions disk;                                   // transfer_size: whole records and 4 KiB blocks
  uint64_t chunk_bytes = 0;                           // remote chunks (ExternalPlan::net_buffer_bytes)
  MemPool* out_pool = nullptr;                        // the output's buffers
  Sink* out = nullptr;                                // not closed here
  Progress* progress = nullptr;                       // bytes merged
};

struct ParallelMergeResult {
  uint64_t records = 0;        // written by this rank
  uint64_t chunks_served = 0;  // remote reads this rank answered
  TransportStats net;
  std::string transport_name;
  std::vector<std::string> notices;  // e.g. the I/O engine that serves remote reads, if not the one asked for
};

// Memory the phase takes besides the output's buffers: the network pool (chunks of `chunk`
// bytes: whole record blocks, read with O_DIRECT if disk.direct, or whole records, read through
// the page cache), --transport rma's window of chunk-sized slots, and the local range's.
uint64_t ParallelMergeBytes(const DiskOptions& disk, const TransportOptions& exchange, TransportKind kind, int ranks,
                            uint64_t chunk);
// Chunk-sized buffers: the network pool's (about 6 per peer on many ranks, up to about 3 x the
// queue depth on few; docs/scale.md) and the window's slots with --transport rma.
size_t ParallelMergeNetBuffers(const DiskOptions& disk, const TransportOptions& exchange, TransportKind kind,
                               int ranks);

// Every rank returns the same status. An I/O error once the exchange has started ends the job
// at once with one line naming the rank (peers could otherwise wait for its chunks forever).
Result<ParallelMergeResult> ParallelMerge(Comm& comm, const SortOptions& options, const ParallelMergeRequest& request,
                                          const TransportMaker& make_transport);

}  // namespace rs::sort
