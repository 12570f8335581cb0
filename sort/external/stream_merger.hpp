// sort/external/stream_merger.hpp — the k-way merge of sorted record streams (runs on disk, ranges of
// remote work files) into a Sink, through a loser tree over key prefixes; each output buffer is
// shown to an observer (progress, the work file's key index) before it is put. One thread.
#pragma once

#include <functional>
#include <span>

#include "core/record_shape.hpp"
#include "river/sink.hpp"
#include "river/source.hpp"

namespace rs::sort {

// Sees each output buffer's records before they go to the sink.
using MergeObserver = std::function<void(const uint8_t* records, uint64_t count)>;

// Merges the inputs (each a Source of buffers of whole records of `shape` in key order) into
// buffers from *out_pool put to *out, which is not closed. Equal keys leave in input order.
// Returns the records merged, or the first input's error (the sink then holds a partial stream:
// Abort it).
Result<uint64_t> MergeStreams(std::span<Source* const> inputs, MemPool* out_pool, Sink* out, const RecordShape& shape,
                              const MergeObserver& observe = {});

}  // namespace rs::sort
