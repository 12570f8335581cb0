// partition/partition_sink.cpp
#include "partition/partition_sink.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "core/config.hpp"
#include "core/key_prefix.hpp"

namespace rs::partition {

PartitionSink::PartitionSink(const Splitter* splitter, std::vector<Sink*> sinks, std::vector<MemPool*> pools,
                             uint32_t rank)
    : splitter_(splitter),
      sinks_(std::move(sinks)),
      pools_(std::move(pools)),
      rank_(rank),
      out_(sinks_.size()),
      counts_(sinks_.size(), 0) {}

void PartitionSink::Flush(size_t d) {
  if (out_[d].size() > 0) sinks_[d]->Put(std::move(out_[d]));
  out_[d] = Buffer();  // an empty buffer goes back to its pool
}

void PartitionSink::Put(Buffer in) {
  // gensort's 100 bytes (and 64, 128) as a constant, so each record's copy is a fixed-size move.
  WithKeyPrefix(splitter_->shape(), [&](const auto& prefix) { PutRecords(prefix.record_size(), std::move(in)); });
}

template <class Size>
void PartitionSink::PutRecords(Size size, Buffer in) {
  const uint64_t n = in.size() / size;
  const uint64_t position = in.offset() / size;
  // Routed and copied a block at a time (core/config.hpp), so that each record is copied while
  // routing has just loaded it: routing a whole 2 MiB buffer first left the copies to fetch every
  // record again.
  const uint64_t block = std::max<uint64_t>(1, config::kRouteBlockBytes / size);
  if (dest_.size() < block) dest_.resize(block);
  // Locals: the copies below may alias any memory, so members would be reloaded every record.
  const uint16_t* const dest = dest_.data();
  Buffer* const out = out_.data();
  uint64_t* const counts = counts_.data();
  const bool skipping = bool(skip_);
  for (uint64_t first = 0; first < n; first += block) {
    const uint64_t count = std::min(block, n - first);
    const uint8_t* const records = in.data() + first * size;
    splitter_->Route(records, count, rank_, position + first, dest_.data());
    for (uint64_t i = 0; i < count; ++i) {
      const size_t d = dest[i];
      if (skipping && skip_(d, counts[d])) {
        ++counts[d];
        continue;
      }
      Buffer& b = out[d];
      if (b.empty()) b = pools_[d]->Get();  // blocks while that pool is out: back-pressure
      const size_t used = b.size();
      std::memcpy(b.data() + used, records + i * size, size);
      b.set_size(used + size);
      ++counts[d];
      if (used + 2 * size > b.capacity()) Flush(d);
    }
  }
}

void PartitionSink::Resume(std::vector<uint64_t> routed, SkipFn skip) {
  if (routed.size() == counts_.size()) counts_ = std::move(routed);
  skip_ = std::move(skip);
}

Status PartitionSink::Close() {
  Status st;
  for (size_t d = 0; d < out_.size(); ++d) Flush(d);
  for (Sink* s : sinks_) st.Update(s->Close());
  return st;
}

void PartitionSink::Abort() {
  out_.clear();
  for (Sink* s : sinks_) s->Abort();
}

}  // namespace rs::partition
