// core/config.hpp — every default and tuning constant, with the reason for its value.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rs::config {

// Alignment for O_DIRECT buffers, offsets and lengths.
inline constexpr size_t kDirectAlignment = 4096;

// Disk transfer size and queue depth: reads on this disk need 2 MiB transfers at QD16-32 to
// reach ~2.5 GB/s (docs/machine.md#disk: 128 KiB or QD1 stalls near 1 GB/s); iobench finds the best here.
inline constexpr uint64_t kTransferSize = uint64_t(2) << 20;
inline constexpr unsigned kQueueDepth = 16;
// Upper bound on queue depth: io_uring rings hold at most 32768 entries; far beyond any disk's
// useful depth, and each request pins a transfer-size buffer.
inline constexpr unsigned kMaxQueueDepth = 4096;
// Default stripe unit for datasets over several directories: 1 MiB, so a 2 MiB transfer keeps
// two disks busy at once.
inline constexpr uint64_t kStripeUnit = uint64_t(1) << 20;
// Queue depth of buffered (page cache) streams: the kernel's readahead and writeback do the
// prefetching, and io_uring completes cached reads inline, so a deeper queue only adds pool
// memory to touch (measured: validating a cached 10 M-record file, QD16 0.21-0.28 s, QD2-4
// 0.17-0.20 s).
inline constexpr unsigned kBufferedQueueDepth = 4;
// A disk stream registers its pool with io_uring only if the pool holds at most this many
// buffers per request in flight (river/mem_pool.hpp WorthRegistering): a stream's own pool is
// registered; a large pool shared by a whole sort is not, since pinning would touch all of it.
inline constexpr unsigned kRegisterPoolPerDepth = 4;
// Released buffers stay mapped for the next ones (io/mapping_cache.hpp), within the most the live
// buffers ever held at once: each phase of an out-of-core sort makes new pools, and faulting in
// fresh pages cost twopass 15-18 % of its CPU at 4 GB (the kernel zeroing them, docs/terabyte.md).
inline constexpr bool kMappingCache = true;
// Buffers of 2 MiB and more come from the kernel's reserved huge page pool where one is reserved
// (io/huge_tlb.hpp; vm.nr_hugepages, 0 by default): its pages stay backed by the host between
// processes, so a sort's first touch costs 0.09-0.10 s/GiB there against 0.6-1.8 s/GiB for ordinary
// memory, which this VM hands back to the host seconds after a process frees it
// (docs/machine.md#the-reserved-huge-page-pool). Without a pool this changes nothing.
inline constexpr bool kHugeTlbPool = true;
// Record streams move buffers of whole records that are also whole 4 KiB blocks:
// lcm(100, 4096) = 102,400 bytes; transfer sizes for records round down to a multiple of it.
inline constexpr uint64_t kRecordBlock = 102400;
// Other record shapes (docs/records.md#alignment) use lcm(R, 4096) the same way when it is at most
// this: every power of two, 100, 1000, 3000 qualify (q = R / gcd(R, 4096) <= 512). Above it (4097
// bytes: 16 MiB; 65,535: 256 MiB) a merge's 2 blocks per run would take gigabytes, so those shapes
// stream through the page cache in buffers of whole records instead. 2 MiB = kTransferSize: one
// block is then at most one of today's transfers.
inline constexpr uint64_t kMaxRecordBlock = kTransferSize;

// --net-timeout default: how long an exchange may make no progress at all before the job is ended
// as having lost a peer or a link. Far above any legitimate pause (a receiver writing a run, a
// server reading a chunk: well under a second on this machine's disk), far below TCP's minutes of
// retransmission.
inline constexpr unsigned kNetTimeoutSeconds = 60;

// onepass: a receive pool that stays dry this long while nothing arrives cannot refill (the
// receiver keeps everything), so the rank's key range outgrew its memory: end the job with a
// line. Long against a pause in the exchange (a few ms), short for a user waiting on a hang.
inline constexpr unsigned kReceiveStallSeconds = 5;

// A thread that finds a fatal error asks the thread owning MPI to call MPI_Abort
// (river/net/mpi_abort.hpp) and waits this long for it. The communication thread polls at least
// every 50 us, so it answers at once; the main thread answers only between collectives, and one
// blocked in a collective with a lost peer never would: then the rank ends with _exit, which
// mpirun turns into the end of the job as it does for a killed rank.
inline constexpr unsigned kAbortHandoffMs = 2000;

// MPI counts elements in int: MpiComm splits every collective into pieces of at most this many
// bytes (per call, summed over ranks where MPI sums them), so no count or displacement overflows
// and no staging buffer exceeds it. 256 MiB: far above anything a sort sends in one collective
// today (its pieces run at the network's speed either way), far below 2 GiB. The tests lower it
// with the environment variable below to run the chunking on small data.
inline constexpr uint64_t kMpiChunkBytes = uint64_t(256) << 20;
inline constexpr const char* kMpiChunkEnv = "RS_MPI_CHUNK_BYTES";
// A rank waiting in a collective polls it, yielding its core between polls for the first
// kCollectiveSpinMicros, then sleeping between polls from 16 us up to kCollectivePollMaxMicros:
// a rank that arrives long before the others leaves its core to the ranks it waits for (with 32-64
// ranks on this machine's 2 cores, ranks spinning in MPI's own blocking waits starved the ranks
// doing the work). Sleeping from the first poll cost the Datamation sort 5 % (about 25 collectives,
// each waiting a sleep's overshoot; results/ab_sort-issue13-*): 2 ms of yielding first covers the
// collectives whose ranks arrive nearly together.
inline constexpr unsigned kCollectiveSpinMicros = 2000;
inline constexpr unsigned kCollectivePollMaxMicros = 1000;
// A wait that has lasted long sleeps longer between polls: up to 1/16 of the time waited so far,
// at most this. Each poll costs ~30 us of CPU (a wake-up and MPI's progress engine): 64 ranks
// polling every 1 ms took both of this machine's cores, starving the kernel's network processing
// until MPI's TCP connections failed (docs/scale.md#what-went-wrong-at-64-hosts-and-what-was-done); every 10 ms
// they take a fifth of one, and a wait of 160 ms or more overshoots by 6 % at most.
inline constexpr unsigned kCollectivePollLongMaxMicros = 10000;
// The exchange's communication thread (river/net/mpi_transport_base.hpp), when a round of MPI
// progress moved nothing, sleeps and polls again: doubling from 1 us up to kExchangePollMicros,
// short against one 2 MB transfer (~100 us), while the idle spell is short; in a longer one up to
// 1/16 of the time idle so far, at most kExchangePollLongMaxMicros. A buffer queued to send wakes
// it at once, and while one of its own sends is under way (RMA: also a notice waiting for a free
// buffer) it keeps the short sleeps, except where receivers alone move large messages (shared
// memory with single copy: river/net/mpi_single_copy.hpp). Polling every 50 us at most, every
// rank's communication thread took 0.15-0.2 of a core for as long as the disk kept it waiting:
// twopass at 4 GB over 2 ranks with each rank's disk held to 150 MB/s spent 38 % of its CPU
// there; now 0.717 x the core-seconds per GB (threepass 0.667 x) at the same time, the Datamation
// sort unchanged within noise (issue 15 deliverable 6; results/cpu-idle-poll-*;
// docs/terabyte.md#cpu-per-byte-the-idle-communication-thread-2026-12-04). A transfer into a rank
// that is not sending waits up to 1/16 of that rank's idle spell for each of its polls it needs.
inline constexpr int64_t kExchangePollMicros = 50;
inline constexpr int64_t kExchangePollLongMaxMicros = 1000;

// The smallest network buffer a sort plans (docs/scale.md#memory-per-rank): 10 records. A sort
// over many ranks under a small budget holds about 2 (twopass) or 6 (threepass) buffers per peer;
// at this size 1,024 ranks cost 2-7 MB of them. Messages this small still move ~1 GB/s at ~1 us of
// MPI overhead each, far more than such a budget's disk and network give a rank.
inline constexpr uint64_t kMinNetBufferBytes = 1000;
// The partitioner (partition/partition_sink.cpp) routes and copies each input buffer this many
// bytes of records at a time, so that each record is copied while routing has just loaded it.
// Measured as bench/partition_bench does (200 MiB of random records in memory into 2 parts, one
// thread) but with each full buffer given back at once, ns per record for 64/8 and 100/10: the
// whole 2 MiB buffer at once 6.3 and 11.8; blocks of 1 KiB 4.9 and 6.9-7.9, 2-4 KiB 4.8-5.0 and
// 5.9-6.4, 8 KiB 5.3-6.3 and 6.8, 16 KiB 6.5-7.5 and 7.8-8.7 (docs/partition.md).
inline constexpr uint64_t kRouteBlockBytes = uint64_t(4) << 10;

// The sample a onepass sort draws from the partition it holds in memory
// (partition::InMemorySampleSize, docs/partition.md#a-larger-sample-from-memory): the bytes of a
// rank's share whose sorting costs as long as one more sample. onepass's phases after the
// splitter (read & distribute, sort, write) took 0.82-0.88 s for a rank's 500 MB (1.74 ns a byte;
// 1 GB of gensort's records over 2 ranks, --buffered-input, 5 runs); one more sample cost 0.20,
// 0.24 and 0.27 µs in three runs of bench/sample_bench.cpp at P = 2 (drawn, sorted, selected
// among; 4,637 → 74,192 per part; the third is results/sample-bench-issue16-20261207.txt):
// 115-155 bytes; 125 from the first two. The optimum is flat: a sample 20 % off it costs about 1 %
// more of what the sample and the imbalance cost together.
inline constexpr double kInMemorySampleBytes = 125;
// ... and at most this many samples per part: about 112 bytes each at the peak (the caller's
// SplitKeys, then the splitter's sorted copy), 7.3 MB a rank. The formula reaches it where a rank
// holds about 7.1 GB at P = 2, 1.3 GB at P = 1,000.
inline constexpr uint64_t kMaxInMemorySamplePerPart = uint64_t(1) << 16;

// Parallel selection (sort/selection/parallel_selection.hpp): random pivots per open boundary and
// round. More pivots mean fewer rounds (the interval left is about 2/(m + 2) of the last: 7 rounds
// for 10^6 elements at 16, 11 for 10^10) but m searches per boundary per rank each round (a block
// read of a work file where it is not cached) and 30·m bytes per boundary in the reductions.
inline constexpr uint64_t kSelectionPivots = 16;

// How long a rank ended by SIGINT/SIGTERM/SIGHUP waits, its temporaries removed, before it dies
// (core/signal_cleanup.cpp): mpirun follows its SIGTERM with SIGKILL as soon as one rank has died,
// so every rank must have run its handler by then. 200 ms covers a rank waiting its turn on a busy
// CPU (a few ms; ~50 ms with 32 ranks on 2 cores) many times over, and is nothing to a user's Ctrl-C.
inline constexpr unsigned kSignalLingerMillis = 200;

// The liveness ring (river/net/liveness.hpp): each rank sends a one-byte heartbeat to its successor
// this often. A second is nothing for the network (one byte per rank per second) and leaves a 60 s
// --net-timeout 60 chances; a shorter --net-timeout shortens the period to a third of it, so a
// healthy rank always has several heartbeats in flight before it could be judged silent.
inline constexpr unsigned kHeartbeatMillis = 1000;
// How long the ranks try to link up the ring before carrying on without it (with a notice): a
// connect on a LAN or loopback takes microseconds; a filtered port would otherwise hang for TCP's
// SYN retries (minutes). A few seconds is a small price on a job that then cannot detect hangs.
inline constexpr unsigned kRingConnectMillis = 3000;
// A predecessor's connection that closes without its goodbye is reported after this grace, unless
// this rank is ended first: when mpirun tears a job down (Ctrl-C, another rank's exit) it sends
// SIGTERM to every rank within a few milliseconds, and those deaths are no news to the user. A
// rank killed alone (a crash, the OOM killer) is still reported well before mpirun's own teardown,
// which waits odls_base_sigkill_timeout (1 s) between SIGCONT and SIGTERM.
inline constexpr unsigned kAbruptEndGraceMillis = 300;

}  // namespace rs::config

// The in-core record sort (sort/record_sorter, sort/entry_radix_sort): measured on this machine.
namespace rs::config::sort {

// Buckets at least this large are split with a parallel radix level (chunked histograms and a
// chunked stable scatter over all cores); smaller ones are sorted by one task, with the wider
// digits of the sequential levels. 256 Ki entries (4 MiB): the parallel_for over buckets
// balances the rest. Measured 2^16 and 2^17: ~10 % faster on 1 M skewed records at 2 threads,
// ~8 % slower at 1 thread (more, narrower levels on the heavy buckets).
inline constexpr uint64_t kParallelMinEntries = uint64_t(1) << 18;

// A parallel (out-of-cache) radix level picks its digit width so that buckets end near this
// many entries: 8 Ki entries = 128 KiB, so a bucket and its scratch (256 KiB) stay in the
// 1 MiB L2 of a core (docs/machine.md#hardware) while the sequential levels finish it.
inline constexpr uint64_t kParallelBucketEntries = uint64_t(1) << 13;
// ... within these bounds: below 8 bits a level does too little work for its pass over memory;
// above 11 bits the 2 Ki scatter streams (128 KiB of partly written lines) overflow L1/L2.
inline constexpr int kMinParallelDigitBits = 8;
inline constexpr int kMaxParallelDigitBits = 11;

// A parallel level cuts its input into chunks of at least this many entries (each chunk has
// its own histogram and scatters to its own stable offsets); 64 Ki entries amortize the
// per-chunk 2^bits prefix sums and TBB task overhead.
inline constexpr uint64_t kMinChunkEntries = uint64_t(1) << 16;
// ... and into at most this many chunks per thread: a few chunks per thread let TBB balance
// when another process steals a core.
inline constexpr int kChunksPerThread = 4;

// Largest digit of a sequential (in-cache) level: 2^13 uint32 counters = 32 KiB (L1-sized), so
// one level takes a bucket of up to 8 Ki entries down to ~1 entry per bucket (12 measured the
// same; 11 slower).
inline constexpr int kMaxSeqDigitBits = 13;
// A sequential level uses floor(log2 n) - kSeqLeafLog2 digit bits: -1 gives twice as many
// buckets as entries, so nearly all buckets hold 0-2 entries and one insertion pass over the
// level's output finishes them (measured, 5 M uniform entries on one core: -1 and 0 equal, 1
// and 2 slower by 10-50 %; the insertion pass is cheaper than another radix level).
inline constexpr int kSeqLeafLog2 = -1;

// Buckets of at most this many entries are left to the insertion pass over their level;
// larger ones get their own radix level (8 and 16 measured the same).
inline constexpr uint32_t kInsertionSortMax = 16;

// Build: software prefetch of the record this many records ahead (its key's line). The hardware
// prefetcher follows 64-byte records but not gensort's 100-byte stride: measured in onepass (1 GB,
// 2 ranks, rank 0's build), 5 M gensort records 0.059 s without it and 0.043 s with it; 7.8 M
// 64-byte records 0.040 s and 0.042 s.
inline constexpr uint64_t kBuildPrefetchRecords = 16;

// Build: entries go straight to their first-level bucket, a list of blocks of this many entries
// (sort/incore/bucket_blocks.hpp). 1 KiB blocks: measured building 7.8 M 64-byte records into
// 1,024 buckets on one core, 32-entry blocks took 37-39 ms, 64 and 128 23-29 ms, against 39-50 ms
// for the build and the separate first level (scatter) they replace.
inline constexpr uint64_t kBucketBlockEntries = 64;
// ... unless a bucket holds more than this many (8 times the level's aim): such a bucket is too
// large for a thread's cache-sized scratch, and all buckets are copied out in order to be sorted
// as the separate first level leaves them (one more pass; skewed keys).
inline constexpr uint64_t kBlockBucketMaxEntries = uint64_t(1) << 16;
// The blocks' pool is the sorter's scratch array, made longer by 1/kBlockPoolSlack of it for the
// blocks each chunk leaves partly filled (2 bytes a record more than the two entry arrays' 32):
// room for 14 chunks of 1,024 buckets at 7.8 M records, 2 of 256 at 2^18 (the least that uses
// the blocks). Where the build would cut more chunks than fit, it builds the entries in order and
// runs the separate first level.
inline constexpr uint64_t kBlockPoolSlack = 8;

// Build: records (evenly spread) whose shared top key bits set where the first radix digit is
// counted (sort/incore/record_sorter.cpp). The guess is wrong where a few keys lie past a
// power-of-two boundary that all 64 miss (a rank's range crossing one by a sliver, as one rank's
// at P = 2); that costs one more pass over the entries, never a wrong order.
inline constexpr uint64_t kFirstDigitGuessSamples = 64;

// Gather: software prefetch this many records ahead (each spans 2-3 lines, all prefetched).
// 8, 16, 32 and 64, and non-temporal prefetches, measured the same: the gather is bound by the
// core's random-line throughput (~10 ns per line here), not by latency.
inline constexpr uint64_t kGatherPrefetchDistance = 16;
// Gather: records are copied into an L1 staging block of this many records, which is then
// written to the output with non-temporal stores (no read-for-ownership of the output lines;
// ~10 % faster at 2 threads, same at 1). 64 records = 6400 bytes = 100 cache lines; blocks
// start 16-byte aligned when the output does.
inline constexpr uint64_t kGatherBlockRecords = 64;
// The gather hands TBB ranges of at least this many records: large enough to amortize task
// overhead, small enough (1.6 MiB of records) that two threads stay balanced.
inline constexpr uint64_t kRecordGrain = uint64_t(1) << 14;

// Prefault hands TBB ranges of at least this many bytes: one 2 MiB huge page each at least,
// so each task faults whole huge pages.
inline constexpr size_t kPrefaultGrainBytes = size_t(2) << 20;

}  // namespace rs::config::sort

// Out-of-core sorts (twopass, threepass: run_former, run_merge, stream_merger, parallel_selection,
// parallel_merge in sort/).
namespace rs::config::external {

// Reads in flight per run during a merge: two is double buffering (one buffer being merged, one
// arriving), which keeps a run's stream busy without letting one run hoard memory.
inline constexpr unsigned kMergeReadsPerRun = 2;
// Most runs merged at once. A loser tree costs log2(k) comparisons per record, so a wide merge is
// cheap in CPU; each run merged holds its stream's buffers, an I/O thread and its files (one per
// stripe member, and an io_uring ring), so the budget and the open-file limit may lower it further
// (sort/job/memory_plan.cpp, MergeStreamCap). More runs than the fan-in are merged in levels.
// 256: 16 GB over 2 ranks under 256 MiB makes 166-175 runs per rank, and a second merge level
// would read and write 81 % of the data again
// (docs/external.md#smaller-merge-reads-instead-of-a-second-level).
inline constexpr size_t kMaxFanIn = 256;
// Descriptors a rank holds besides its merge's streams: standard streams, the input's and the
// output's members and rings, lock files, MPI's shared-memory segments and its link to the launcher
// (26-31 seen in /proc/PID/fd during a 2-rank merge), with room to spare. MPI's TCP transport
// adds a socket per peer it talks to, and the merge's sink its files and ring; the plan counts
// those apart (MergeStreamCap).
inline constexpr uint64_t kReservedOpenFiles = 64;
// When the runs outnumber the fan-in the budget allows at the transfer size, the merge reads in
// smaller transfers, whole record blocks down to this size (or half the transfer size where that
// is less), if that lets every run merge in one level (sort/job/memory_plan.cpp). A second level reads and writes again
// the runs it merges first (12 % of the data at 42 runs against a fan-in of 37, 81 % at 175 against 37). Small reads
// cost little when many are in flight, as they are in a wide merge: fio random reads at depth 64 ran at 1,326-1,345
// MB/s with 300 KiB against 1,510-1,585 with 2 MiB (0.86x), alternated on 12-04
// (docs/external.md#smaller-merge-reads-instead-of-a-second-level).
inline constexpr uint64_t kMinMergeReadBytes = 3 * kRecordBlock;
// Remote chunk requests a merging rank keeps outstanding per remote work file (threepass phase
// 3b): two double-buffers each remote stream, like the local runs.
inline constexpr unsigned kRemoteReadsPerStream = 2;
// Every kKeyIndexStride-th key of a sorted work file is kept in memory while it is written, so
// parallel selection counts keys below a pivot by one in-memory search and one small read
// (1024 records = 100 KiB) instead of a binary search over the disk. 16 bytes per 1024 records.
inline constexpr uint64_t kKeyIndexStride = 1024;
// Memory a merged stream (a RangeSource: its DiskSource's I/O thread and io_uring ring, their
// heap) takes besides its buffers, counted per run by the budget. Measured with 16-128 streams of
// 102,400-byte buffers: 23-42 KiB of RSS per stream beyond its pool (the most with few streams, as
// the first threads set up their malloc arenas); 64 KiB leaves room for a deeper stack or a
// bigger ring elsewhere.
inline constexpr uint64_t kStreamOverheadBytes = uint64_t(64) << 10;
// Memory a sorted run's bookkeeping takes until it is merged (its SortedRun, its member path and
// the signal handler's copy of it, the vectors' growth, the merge's stable_sort): measured 260-292
// bytes per run with 10^4-10^5 runs; counted as 512 for the merge levels' temporary copies.
// Negligible for 65 runs, but 100 MB for 200,000 runs (a terabyte per rank under a small budget).
inline constexpr uint64_t kRunBookkeepingBytes = 512;
// --memory of twopass and threepass when none is given: the scaled terabyte sort's 1 GiB per rank.
inline constexpr uint64_t kDefaultMemory = uint64_t(1) << 30;

}  // namespace rs::config::external

// Rank 0's live progress line for long sorts (sort/progress): phase, percent, MB/s, ETA on stderr.
namespace rs::config::progress {

// Seconds a run lasts before the first line: the Datamation sort (~0.3 s) and 10 M-record runs
// (~1.2 s) stay silent, their output is just the phase table; a run past a few seconds is long
// enough for its user to wonder whether it is still moving.
inline constexpr double kFirstAfter = 3.0;
// Seconds between updates on a terminal: the line is rewritten in place, so frequent updates
// cost no screen space, and once a second is as fast as anyone reads a rate or an ETA.
inline constexpr double kInterval = 1.0;
// Seconds between lines when stderr is not a terminal (a log, CI, mpirun output to a file): each
// update is a new line there; every 5 s keeps a 10-minute sort to ~120 lines and still shows a
// stall within seconds.
inline constexpr double kLogInterval = 5.0;
// Environment variable telling a rank whether its progress reaches a terminal ("1") or not ("0").
// Under mpirun a rank's stderr is a pipe to mpirun even when mpirun's own stderr is a terminal
// (isatty(2) in the rank says no; measured with Open MPI 4.1.4), so launch scripts pass what they
// see (`mpirun -x RS_PROGRESS_TTY=1`); unset: isatty(2).
inline constexpr const char* kTerminalEnv = "RS_PROGRESS_TTY";

}  // namespace rs::config::progress

// ---- resume (sort/resume/) -----------------------------------------------------------------------------
namespace rs::config::resume {

// Records read between two read checkpoints of a resumable sort (64 MB of 100-byte records): a
// resumed run reads at most this much again before the first record it still has to send, and
// the journal grows by one line of P counts per checkpoint (1 TB over 1,000 ranks: 16 lines per
// rank). Checkpoints are appended without a sync, so they cost one write() each.
inline constexpr uint64_t kCheckpointRecords = 640000;

}  // namespace rs::config::resume

// ---- --balance speed (sort/job/rank_weights.hpp) -----------------------------------------------------
namespace rs::config::balance {

// Bytes each rank reads from the start of its partition to measure its speed (then routes, as the
// first part of its read phase: nothing is read twice); at most a quarter of the memory budget.
// 64 MB takes 0.21 s at the 300 MB/s of a throttled disk. Shorter is not reliable: with 32 MB
// a blkio-throttled rank (cgroup v1) read at burst speed and measured as fast as the others
// (bench/balance.sh, results/balance-*).
inline constexpr uint64_t kCalibrationBytes = uint64_t(64) << 20;
// Rates within this fraction of the fastest rank's count as the fastest: four equal ranks
// sharing this machine's disk measured 350-474 MB/s (26 % apart) in one calibration, and a share
// drawn from that noise gave one of them 40 % more work than the even split (bench/balance.sh at
// 4 ranks, results/balance-*). A rank throttled to 300 MB/s measured 0.3-0.5 of the fastest.
inline constexpr double kNoiseFraction = 0.7;

}  // namespace rs::config::balance

// ---- the timeline (sort/report/timeline.hpp) ---------------------------------------------------------
namespace rs::config::timeline {

// How often each rank samples its counters (core/activity.hpp) and CPU time: 100 ms shows a
// phase of a Datamation sort (0.1-0.3 s) as a few points and costs one getrusage and five atomic
// loads a sample.
inline constexpr unsigned kIntervalMillis = 100;
// The most samples a rank keeps: when full, every other one is dropped and the interval doubles,
// so a rank's series stays under 256 samples (about 15 KB of JSON) however long the sort runs,
// and rank 0 gathers at most P x 256 samples (1,000 ranks: about 15 MB) for the JSON result.
inline constexpr size_t kMaxSamples = 256;

}  // namespace rs::config::timeline

// ---- what bound a phase (sort/report/phase_bound.hpp) -------------------------------------------------
namespace rs::config::limits {

// The machine's limits when no --limits file is given: this VM's best O_DIRECT read and write
// with riversort's own I/O path (results/iobench-vm-20261121-065518.json: 2M x QD16, uring), and
// Open MPI over TCP on loopback, the slower of its two transports here (7-8 GB/s; shared memory
// 19-24 GB/s: docs/machine.md). Another machine: `riversort iobench`, then --limits its JSON.
inline constexpr double kDiskReadMBps = 2445;
inline constexpr double kDiskWriteMBps = 2949;
inline constexpr double kNetworkMBps = 7000;
// A phase is "bound" by the resource it used most of; below this fraction of every limit it
// waited on something else (latency, a peer, a lock, a throttled rank) and the table says
// "none: ...". 0.6, not higher: this disk drifts 2x between runs (docs/machine.md), so a phase at
// the disk's limit of the moment can show 60 % of the best measured.
inline constexpr double kBoundFraction = 0.6;

}  // namespace rs::config::limits
