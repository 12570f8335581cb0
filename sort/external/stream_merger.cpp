// sort/external/stream_merger.cpp — loser-tree merge, one record copy per record.
#include "sort/external/stream_merger.hpp"

#include <cassert>
#include <cstddef>
#include <cstring>
#include <optional>
#include <vector>

#include "core/record.hpp"
#include "sort/external/loser_tree.hpp"
#include "sort/incore/sort_entry.hpp"

namespace rs::sort {
namespace {

struct Cursor {
  Source* source;
  std::optional<Buffer> buffer;
  const uint8_t* next = nullptr;
  const uint8_t* end = nullptr;
  // Moves to the next non-empty buffer; false at the end of the stream.
  bool Refill() {
    while (true) {
      buffer = source->Get();
      if (!buffer) return false;
      next = buffer->data();
      // Sources hand over whole records (runs and chunks are cut on record boundaries): a partial
      // one would be dropped here without a word.
      assert(buffer->size() % kRecordSize == 0 && "a merge input buffer that ends inside a record");
      end = next + buffer->size() / kRecordSize * kRecordSize;
      if (next != end) return true;
    }
  }
};

}  // namespace

Result<uint64_t> MergeStreams(std::span<Source* const> inputs, MemPool* out_pool, Sink* out,
                              const MergeObserver& observe) {
  const size_t k = inputs.size();
  std::vector<Cursor> cursors(k);
  std::vector<LoserTree::Key> first(k, LoserTree::kExhausted);
  for (size_t i = 0; i < k; ++i) {
    cursors[i].source = inputs[i];
    if (cursors[i].Refill()) first[i] = LoserTree::MakeKey(cursors[i].next, i);
  }
  LoserTree tree(first);
  uint64_t merged = 0;
  Buffer b;  // taken when a record needs it, so none is taken after the last
  uint8_t* o = nullptr;
  uint8_t* o_end = nullptr;
  // Output by plain stores. Streaming them through an L1 staging block with non-temporal stores,
  // as the gather does, measured no faster in bench/merge_bench.cpp (8 runs 1.1x slower, 42 the
  // same; docs/external.md#the-merges-cpu-per-record), a bench whose sink leaves the output pool
  // in the L3: not tried in a whole sort, where the disk takes the buffers.
  auto flush = [&] {
    const uint64_t n = o == nullptr ? 0 : uint64_t(o - b.data()) / kRecordSize;
    if (n == 0) return;
    if (observe) observe(b.data(), n);
    b.set_size(n * kRecordSize);
    merged += n;
    out->Put(std::move(b));
  };
  while (!tree.done()) {
    if (o == o_end) {
      flush();
      b = out_pool->Get();
      o = b.data();
      o_end = o + b.capacity() / kRecordSize * kRecordSize;
    }
    const size_t w = tree.winner();
    Cursor& c = cursors[w];
    std::memcpy(o, c.next, kRecordSize);
    o += kRecordSize;
    c.next += kRecordSize;
    // The record after the next one: by the time this input wins again (about k records later) its
    // lines are in the cache. Reads land by DMA, not in the cache, and with tens of inputs the
    // hardware prefetcher does not follow each; without this every record's key load misses.
    // (No pointer is formed past the buffer's end.)
    if (c.end - c.next > ptrdiff_t(kRecordSize)) PrefetchRecord(c.next + kRecordSize);
    if (c.next == c.end && !c.Refill()) {
      tree.ReplaceWinner(LoserTree::kExhausted);
    } else {
      tree.ReplaceWinner(LoserTree::MakeKey(c.next, w));
    }
  }
  flush();
  Status st;
  for (const Source* s : inputs) st.Update(s->status());
  if (!st.ok()) return st;
  return merged;
}

}  // namespace rs::sort
