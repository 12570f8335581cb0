// sort/external/stream_merger.cpp — loser-tree merge, one record copy per record.
#include "sort/external/stream_merger.hpp"

#include <cassert>
#include <cstddef>
#include <cstring>
#include <optional>
#include <vector>

#include "core/key_prefix.hpp"
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
  bool Refill(size_t record_size) {
    while (true) {
      buffer = source->Get();
      if (!buffer) return false;
      next = buffer->data();
      // Sources hand over whole records (runs and chunks are cut on record boundaries): a partial
      // one would be dropped here without a word.
      assert(buffer->size() % record_size == 0 && "a merge input buffer that ends inside a record");
      end = next + buffer->size() / record_size * record_size;
      if (next != end) return true;
    }
  }
};

// Keys longer than 10 bytes: the rest of two inputs' current keys, in memcmp order.
struct RestOfKey {
  static constexpr bool kActive = true;
  const std::vector<Cursor>* cursors;
  size_t at, len;  // where the rest starts in a record, and its bytes
  int operator()(size_t a, size_t b) const {
    return std::memcmp((*cursors)[a].next + at, (*cursors)[b].next + at, len);
  }
};

template <class Prefix, class Tree>
Result<uint64_t> Merge(const Prefix& prefix, std::vector<Cursor>& cursors, Tree& tree, MemPool* out_pool, Sink* out,
                       const MergeObserver& observe) {
  const auto size = prefix.record_size();
  uint64_t merged = 0;
  Buffer b;  // taken when a record needs it, so none is taken after the last
  uint8_t* o = nullptr;
  uint8_t* o_end = nullptr;
  // Output by plain stores. Streaming them through an L1 staging block with non-temporal stores,
  // as the gather does, measured no faster in bench/merge_bench.cpp (8 runs 1.1x slower, 42 the
  // same; docs/external.md#the-merges-cpu-per-record), a bench whose sink leaves the output pool
  // in the L3: not tried in a whole sort, where the disk takes the buffers.
  auto flush = [&] {
    const uint64_t n = o == nullptr ? 0 : uint64_t(o - b.data()) / size;
    if (n == 0) return;
    if (observe) observe(b.data(), n);
    b.set_size(n * size);
    merged += n;
    out->Put(std::move(b));
  };
  while (!tree.done()) {
    if (o == o_end) {
      flush();
      b = out_pool->Get();
      o = b.data();
      o_end = o + b.capacity() / size * size;
      assert(o_end > o && "a merge output buffer smaller than one record");
    }
    const size_t w = tree.winner();
    Cursor& c = cursors[w];
    std::memcpy(o, c.next, size);
    o += size;
    c.next += size;
    // The record after the next one: by the time this input wins again (about k records later) its
    // lines are in the cache. Reads land by DMA, not in the cache, and with tens of inputs the
    // hardware prefetcher does not follow each; without this every record's key load misses.
    // (No pointer is formed past the buffer's end.)
    if (c.end - c.next > ptrdiff_t(size)) PrefetchRecord(c.next + size, size);
    if (c.next == c.end && !c.Refill(size)) {
      tree.ReplaceWinner(Tree::kExhausted);
    } else {
      tree.ReplaceWinner(Tree::MakeKey(prefix(c.next), w));
    }
  }
  flush();
  return merged;
}

}  // namespace

Result<uint64_t> MergeStreams(std::span<Source* const> inputs, MemPool* out_pool, Sink* out, const RecordShape& shape,
                              const MergeObserver& observe) {
  const size_t k = inputs.size();
  std::vector<Cursor> cursors(k);
  auto merged = WithKeyPrefix(shape, [&](const auto& prefix) -> Result<uint64_t> {
    std::vector<LoserTree::Key> first(k, LoserTree::kExhausted);
    for (size_t i = 0; i < k; ++i) {
      cursors[i].source = inputs[i];
      if (cursors[i].Refill(shape.size)) first[i] = LoserTree::MakeKey(prefix(cursors[i].next), i);
    }
    if (shape.key_size > kKeySize) {
      BasicLoserTree<RestOfKey> tree(first,
                                     RestOfKey{&cursors, shape.key_offset + kKeySize, shape.key_size - kKeySize});
      return Merge(prefix, cursors, tree, out_pool, out, observe);
    }
    LoserTree tree(first);
    return Merge(prefix, cursors, tree, out_pool, out, observe);
  });
  Status st;
  for (const Source* s : inputs) st.Update(s->status());
  if (!st.ok()) return st;
  return merged;
}

}  // namespace rs::sort
