// partition/partition_sink.cpp
#include "partition/partition_sink.hpp"

#include <cstring>
#include <type_traits>

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
  if (dest_.size() < n) dest_.resize(n);
  splitter_->Route(in.data(), n, rank_, in.offset() / size, dest_.data());
  for (uint64_t i = 0; i < n; ++i) {
    size_t d = dest_[i];
    if (skip_ && skip_(d, counts_[d])) {
      ++counts_[d];
      continue;
    }
    Buffer& b = out_[d];
    if (b.empty()) b = pools_[d]->Get();  // blocks while that pool is out: back-pressure
    std::memcpy(b.data() + b.size(), in.data() + i * size, size);
    b.set_size(b.size() + size);
    ++counts_[d];
    if (b.size() + size > b.capacity()) Flush(d);
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
