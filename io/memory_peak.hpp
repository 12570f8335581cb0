// io/memory_peak.hpp — the most memory this process held at once: its resident set plus its pages
// of the reserved huge page pool (which the resident set leaves out: io/huge_tlb.hpp).
//
// The kernel keeps a peak of the resident set (VmHWM) but none of the two together, and adding the
// two peaks overstates where they fall at different moments (a phase in ordinary memory, the next
// in pool pages), which could fail a sort that kept within its budget. Both grow by touching pages
// and shrink mainly when a buffer is unmapped, so the sum is sampled right before every buffer
// unmap (io/mapping_cache.cpp, io/huge_tlb.cpp) and when read: the peak of the buffers' memory
// is caught exactly; memory given back otherwise (the heap) is caught by VmHWM alone.
#pragma once

#include <cstdint>

namespace rs::memory_peak {

// Samples the resident set plus the pool pages now (one read of /proc/self/status).
void Sample();
// max(VmHWM, every sample since the last Reset, now), in bytes; where /proc cannot be read, the
// process's maximum RSS (getrusage).
uint64_t Peak();
// The most pool pages this process had touched at once, sampled the same way, in bytes.
uint64_t PoolPeak();
// Starts a new peak from now (and resets VmHWM: "5" to /proc/self/clear_refs, Linux 4.0+).
void Reset();

}  // namespace rs::memory_peak
