// core/config.hpp — every default and tuning constant, with the reason for its value.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rs::config {

// Alignment for O_DIRECT buffers, offsets and lengths.
inline constexpr size_t kDirectAlignment = 4096;

// Disk transfer size and queue depth: reads on this disk need 2 MiB transfers at QD16-32 to
// reach ~2.5 GB/s (MACHINE.md: 128 KiB or QD1 stalls near 1 GB/s); iobench finds the best here.
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
// Record streams move buffers of whole records that are also whole 4 KiB blocks:
// lcm(100, 4096) = 102,400 bytes; transfer sizes for records round down to a multiple of it.
inline constexpr uint64_t kRecordBlock = 102400;

}  // namespace rs::config
