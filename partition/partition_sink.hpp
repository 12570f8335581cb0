// partition/partition_sink.hpp — River's PartitionSink: splits each incoming buffer of records by
// key into one outgoing buffer per destination and puts full buffers to that destination's sink
// (the local queue or a peer's NetSink). Counts records per destination (for the imbalance
// report). Fed by one thread.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "partition/splitter.hpp"
#include "river/sink.hpp"

namespace rs::partition {

class PartitionSink final : public Sink {
 public:
  // sinks[d] receives destination d's records, in buffers from pools[d] (the local destination
  // may draw from the receive pool so local records never hold send buffers). `rank` and the
  // running position feed the splitter's tie-break.
  PartitionSink(const Splitter* splitter, std::vector<Sink*> sinks, std::vector<MemPool*> pools, uint32_t rank);

  // Takes a buffer of whole records of the splitter's shape (buffer.offset() / R is the first
  // record's position).
  void Put(Buffer in) override;
  // Flushes the partly filled buffers and closes every sink; the first error.
  Status Close() override;
  void Abort() override;

  const std::vector<uint64_t>& records_per_destination() const { return counts_; }

  // A resumed sort (sort/resume/): routing starts with `routed` records already counted for each
  // destination (what was routed before the input position reading resumes at), and a record
  // for which skip(destination, its ordinal among that destination's records) is true is counted
  // but not sent (a kept run holds it). Call before the first Put.
  using SkipFn = std::function<bool(size_t destination, uint64_t ordinal)>;
  void Resume(std::vector<uint64_t> routed, SkipFn skip);

 private:
  void Flush(size_t d);
  template <class Size>
  void PutRecords(Size size, Buffer in);

  const Splitter* splitter_;
  std::vector<Sink*> sinks_;
  std::vector<MemPool*> pools_;
  uint32_t rank_;
  std::vector<Buffer> out_;
  std::vector<uint64_t> counts_;
  std::vector<uint16_t> dest_;
  SkipFn skip_;
};

}  // namespace rs::partition
