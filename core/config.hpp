// core/config.hpp — every default and tuning constant, with the reason for its value.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rs::config {

// Gen writes chunks of whole records that are also whole 4 KiB blocks for O_DIRECT:
// lcm(100, 4096) = 102,400 bytes = 1024 records, so chunks are multiples of 1024 records.
// 20480 records = 2,048,000 bytes, about the 2 MiB transfer that this disk needs
// (MACHINE.md: 128 KiB transfers stall near 1 GB/s).
inline constexpr uint64_t kGenChunkRecords = 20480;

// Gen pipeline depth: chunks in flight between the generating threads and the writer. Two are
// being written while others are generated; 8 x 2 MB keeps the disk busy at 16 MB of memory.
inline constexpr size_t kGenChunksInFlight = 8;

// Gen writer threads: each keeps one O_DIRECT write in flight, so this is the write queue depth.
// Two keep the disk busy while a third core would be needed for more; generation runs on TBB.
inline constexpr int kGenWriterThreads = 2;

// Validation reads the file in blocks of this many records (4 MB, valsort -t uses 4 MiB);
// each block is validated on its own and the blocks' summaries combined in order.
inline constexpr uint64_t kValidateBlockRecords = 40960;

// Alignment for O_DIRECT buffers and offsets.
inline constexpr size_t kDirectAlignment = 4096;

}  // namespace rs::config
