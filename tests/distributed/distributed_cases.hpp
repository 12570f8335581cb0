// tests/distributed/distributed_cases.hpp — collective test bodies: each runs on every rank of a
// Comm, so the same body is checked over the in-process loopback and under mpirun -np 1..4.
// Bodies use EXPECT_* only: an ASSERT returning early on one rank would leave the others waiting
// in a collective (a hang, not a failure). A step that cannot run after a failure is skipped only
// when every rank agrees to (OnEveryRank).
#pragma once

#include <chrono>
#include <functional>

#include "core/comm.hpp"
#include "river/net/transport.hpp"
#include "sort/algorithms/sort_algorithm.hpp"

namespace rs::test {

// gen on P ranks writes partitions that concatenate to the single-file bytes, in all four
// modes, for counts that do not divide by P and with fewer records than ranks (empty slices).
void PartitionedGenMatchesSingleFile(Comm& comm);
// validate across ranks prints exactly what validating the concatenated file prints: sorted,
// unsorted, an out-of-order boundary between ranks, a duplicate key across a boundary, and an
// empty partition on one rank.
void DistributedValidateMatchesSingleFile(Comm& comm);
// gen's manifest feeds validate's checksum comparison; a lost record is caught.
void ManifestCheckCatchesLostRecord(Comm& comm);
// A missing partition on the last rank: every rank gets one error naming that rank and file.
void MissingPartitionNamesTheRank(Comm& comm);

// Comm's collectives against their definitions computed from every rank's known input: sums,
// exclusive prefix sums, byte-wise minima of several widths, all-to-all with empty, small and
// large pieces, all-gather of unequal sizes. Run with a lowered chunk size (RS_MPI_CHUNK_BYTES)
// it also checks that MpiComm's pieces add up.
void CollectivesMatchTheirDefinitions(Comm& comm);

// All-to-all over a transport (self included): every buffer arrives once, whole, and in order
// per source; a rank that sends nothing still ends cleanly. `t` belongs to this rank. With
// `pause`, the sender stops that long every 10 buffers per peer: idle spells in which the
// communication threads back off to their longest sleeps (river/net/mpi_transport_base.hpp).
void TransportDeliversEverything(Comm& comm, Transport& t, MemPool& send_pool,
                                 std::chrono::milliseconds pause = std::chrono::milliseconds(0));

// The transport for the sort numbered `run` (0, 1, ...): loopback tests hand every rank an
// endpoint of that run's network.
using MakerForRun = std::function<sort::TransportMaker(int run)>;

// `algo` (onepass, twopass, threepass) over uniform, skewed, ASCII and all-equal keys, counts not
// divisible by P, a rank with no input, both splitters, under the given schedule: every output is
// validated for order and checksum against the input; the sample split stays within its stated
// bound and threepass's split is exact. The out-of-core sorts run under a budget that forces
// several runs per rank and merges in levels. `scale` (0 < scale <= 1) shrinks every case's
// record count (floored, at least 3 records), for cases the CI budget cannot afford at full size.
// Over MPI, the sort's own transport of `kind` ("mpi" or "rma" in the report); over the loopback,
// `maker`'s endpoints ("loopback" in the report: there is no kind to choose there).
void SortsEverythingOverMpi(Comm& comm, const std::string& algo, TransportKind kind, ExchangeSchedule schedule,
                            double scale = 1.0);
void SortsEverythingOverLoopback(Comm& comm, const MakerForRun& maker, const std::string& algo,
                                 ExchangeSchedule schedule);

// Whether `ok` holds on every rank (collective): a body skips a step that cannot run after a
// failure only when all ranks skip it, so nobody is left waiting in a collective.
bool OnEveryRank(Comm& comm, bool ok);

}  // namespace rs::test
