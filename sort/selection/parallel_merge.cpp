// sort/selection/parallel_merge.cpp — remote I/O and the P-way merge of threepass phase 3b.
//
// Messages (whole buffers over the Transport) end with a 32-byte trailer saying what they are:
//   request  r -> q   trailer only: "chunk i of my range in your work file"
//   data     q -> r   the chunk's bytes as read from q's disk (4 KiB aligned for O_DIRECT), then the
//                     trailer: chunk i, and which bytes of it are r's records
// A range's chunks start on record blocks (multiples of 100 bytes and 4 KiB), so every chunk
// holds whole records; only the first and last are trimmed.
#include "sort/selection/parallel_merge.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <thread>

#include "core/blocking_queue.hpp"
#include "core/config.hpp"
#include "core/fault_point.hpp"
#include "core/record.hpp"
#include "io/striped_file.hpp"
#include "river/net/mpi_transport.hpp"
#include "sort/external/range_source.hpp"
#include "sort/external/stream_merger.hpp"
#include "sort/report/progress.hpp"

namespace rs::sort {
namespace {

constexpr uint32_t kMagic = 0x33507372;  // "rsP3"
enum Kind : uint32_t { kRequest = 1, kData = 2 };
struct Trailer {
  uint32_t magic;
  uint32_t kind;
  uint64_t chunk;
  uint64_t begin;  // data: the range's bytes within the chunk
  uint64_t end;
};
static_assert(sizeof(Trailer) == 32);

// Chunks of whole record blocks are read with O_DIRECT (when the disk options say so); smaller
// ones, which many ranks need to keep the network pool within the budget, through the page cache.
bool DirectChunks(uint64_t chunk, bool direct) { return direct && chunk % config::kRecordBlock == 0; }
// Room after a chunk for its trailer: a direct read fills up to one more block.
uint64_t TrailerRoom(bool direct) { return direct ? config::kDirectAlignment : 64; }

// How one output rank's range [first, end) records of one work file is cut into chunks.
struct Chunking {
  uint64_t begin = 0, end = 0;  // bytes of the work file
  uint64_t base = 0;            // the first chunk's file offset: a record block (direct) or record at or before begin
  uint64_t t = 1;               // chunk size: whole record blocks (direct) or records
  bool direct = false;
  Chunking(uint64_t first, uint64_t last, uint64_t chunk, bool direct_reads)
      : begin(first * kRecordSize),
        end(last * kRecordSize),
        base(direct_reads ? begin / config::kRecordBlock * config::kRecordBlock : begin),
        t(chunk),
        direct(direct_reads) {}
  uint64_t count() const { return end > begin ? (end - base + t - 1) / t : 0; }
  uint64_t offset(uint64_t i) const { return base + i * t; }
  // Bytes to read for chunk i: up to the range's end, rounded up to a block for O_DIRECT.
  uint64_t read_len(uint64_t i) const {
    const uint64_t a = direct ? config::kDirectAlignment : 1;
    const uint64_t stop = (end + a - 1) / a * a;
    return std::min(t, stop - offset(i));
  }
  uint64_t valid_begin(uint64_t i) const { return std::max(begin, offset(i)) - offset(i); }
  uint64_t valid_end(uint64_t i) const { return std::min(end, offset(i) + t) - offset(i); }
};

Trailer ReadTrailer(const Buffer& b) {
  Trailer tr{};
  if (b.size() >= sizeof tr) std::memcpy(&tr, b.data() + b.size() - sizeof tr, sizeof tr);
  return tr;
}

void AppendTrailer(Buffer& b, uint64_t payload, const Trailer& tr) {
  std::memcpy(b.data() + payload, &tr, sizeof tr);
  b.set_size(payload + sizeof tr);
}

[[noreturn]] void Fail(Comm& comm, const Status& st) {
  std::cerr << "rank " << comm.rank() << ": parallel merge: " << st.message() << '\n';
  comm.Abort(1);
  std::abort();  // not reached: Abort ends the job
}

// The records of one remote work file for this rank, fetched with kRemoteReadsPerStream chunk
// requests outstanding. Get() from the merging thread; Deliver() from the receiver thread.
class RemoteStream final : public Source {
 public:
  RemoteStream(Transport* net, MemPool* pool, int owner, Chunking chunks)
      : net_(net), pool_(pool), owner_(owner), chunks_(chunks), arrivals_(config::external::kRemoteReadsPerStream + 1) {
    for (; requested_ < std::min<uint64_t>(chunks_.count(), config::external::kRemoteReadsPerStream); ++requested_) {
      Request(requested_);
    }
  }
  void Deliver(uint64_t chunk, Buffer b) { (void)arrivals_.Push({chunk, std::move(b)}); }
  void Close() { arrivals_.Close(); }

  std::optional<Buffer> Get() override {
    if (next_ >= chunks_.count()) return std::nullopt;
    while (early_.count(next_) == 0) {
      auto a = arrivals_.Pop();
      if (!a) {
        status_ = Status::Error("the connection to rank " + std::to_string(owner_) + " ended before its records did");
        return std::nullopt;
      }
      early_.emplace(a->first, std::move(a->second));
    }
    Buffer b = std::move(early_[next_]);
    early_.erase(next_);
    if (requested_ < chunks_.count()) Request(requested_++);
    const Trailer tr = ReadTrailer(b);
    if (tr.begin > 0) std::memmove(b.data(), b.data() + tr.begin, tr.end - tr.begin);
    b.set_size(tr.end - tr.begin);
    ++next_;
    return b;
  }
  Status status() const override { return status_; }

 private:
  void Request(uint64_t chunk) {
    Buffer r = pool_->Get();
    AppendTrailer(r, 0, {kMagic, kRequest, chunk, 0, 0});
    net_->Send(owner_, std::move(r));
  }
  Transport* net_;
  MemPool* pool_;
  int owner_;
  Chunking chunks_;
  BlockingQueue<std::pair<uint64_t, Buffer>> arrivals_;
  std::map<uint64_t, Buffer> early_;  // chunks that arrived before the one the merge needs
  uint64_t next_ = 0, requested_ = 0;
  Status status_;
};

// The exchange options as the transport applies them (restricted: one send, one receive).
TransportOptions Applied(TransportOptions ex) {
  if (ex.schedule == ExchangeSchedule::kRestricted) ex.max_sends_in_flight = ex.posted_receives = 1;
  return ex;
}

// The network pool: posted receives; per remote stream its chunks in flight and the one being
// merged; peers' requests waiting for the server; the server's read and the sends in flight;
// requests being sent; and a few spare.
size_t NetBuffers(const TransportOptions& options, int ranks) {
  const TransportOptions ex = Applied(options);
  const size_t peers = size_t(ranks - 1), window = config::external::kRemoteReadsPerStream;
  return ex.posted_receives + peers * (window + 1) + peers * window + ex.max_sends_in_flight + 2 + peers + 4;
}

}  // namespace

uint64_t ParallelMergeBytes(const DiskOptions& disk, const TransportOptions& exchange, int ranks, uint64_t chunk) {
  return MemPool::Bytes(chunk + TrailerRoom(DirectChunks(chunk, disk.direct)), NetBuffers(exchange, ranks)) +
         RangeSource::Bytes(disk, config::external::kMergeReadsPerRun);
}

size_t ParallelMergeNetBuffers(const TransportOptions& exchange, int ranks) { return NetBuffers(exchange, ranks); }

Result<ParallelMergeResult> ParallelMerge(Comm& comm, const SortOptions& opt, const ParallelMergeRequest& req,
                                          const TransportMaker& make_transport) {
  const int me = comm.rank(), ranks = comm.size();
  const uint64_t t = req.chunk_bytes;
  const bool direct = DirectChunks(t, req.disk.direct);
  ParallelMergeResult result;
  std::vector<std::string> notices;

  // Local pieces first, so that their errors are agreed on before any rank waits for another.
  Status st;
  auto file = StripedFile::OpenRead(req.work_members, req.disk.stripe_unit, direct);
  if (!file.ok()) st = file.status();
  std::unique_ptr<RangeSource> local;
  AssignIfOk(st, local, [&] {
    return RangeSource::Open(req.work_members, req.disk, config::external::kMergeReadsPerRun, req.row[size_t(me)],
                             req.row[size_t(me) + 1] - req.row[size_t(me)], &notices);
  });
  std::unique_ptr<MemPool> pool;
  TransportOptions exchange = opt.exchange;
  AssignIfOk(st, pool, [&] { return MemPool::Create(t + TrailerRoom(direct), NetBuffers(exchange, ranks)); });
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // From here until the transport is destroyed, only its communication thread calls MPI.
  auto transport =
      make_transport ? make_transport(pool.get(), exchange) : MakeTransport(comm, opt.transport, pool.get(), exchange);
  if (!transport.ok()) return transport.status();
  Transport& net = **transport;
  FaultPoint("remote reads");  // reliability tests: a rank lost once the remote reads have begun

  std::vector<std::unique_ptr<RemoteStream>> remote(static_cast<size_t>(ranks));
  std::vector<Source*> inputs;
  for (int q = 0; q < ranks; ++q) {
    if (q == me) {
      inputs.push_back(local.get());
      continue;
    }
    remote[size_t(q)] = std::make_unique<RemoteStream>(
        &net, pool.get(), q, Chunking(req.column[size_t(q)].first, req.column[size_t(q)].second, t, direct));
    inputs.push_back(remote[size_t(q)].get());
  }
  // Chunks this rank owes its peers: the server stops after the last one.
  uint64_t owed = 0;
  for (int r = 0; r < ranks; ++r) {
    if (r != me) owed += Chunking(req.row[size_t(r)], req.row[size_t(r) + 1], t, direct).count();
  }
  BlockingQueue<std::pair<int, uint64_t>> requests(size_t(ranks) * config::external::kRemoteReadsPerStream + 1);
  std::thread receiver([&] {
    while (auto m = net.Receive()) {
      const Trailer tr = ReadTrailer(m->buffer);
      if (tr.magic != kMagic || m->from == me) {
        Fail(comm, Status::Error("a message from rank " + std::to_string(m->from) + " is not a remote read message"));
      }
      if (tr.kind == kRequest) {
        (void)requests.Push({m->from, tr.chunk});
      } else {
        remote[size_t(m->from)]->Deliver(tr.chunk, std::move(m->buffer));
      }
    }
    requests.Close();
    for (auto& r : remote) {
      if (r) r->Close();
    }
  });
  std::thread server([&] {
    for (uint64_t served = 0; served < owed; ++served) {
      auto q = requests.Pop();
      if (!q) return;  // the transport ended (its status says why)
      const auto [peer, chunk] = *q;
      const Chunking c(req.row[size_t(peer)], req.row[size_t(peer) + 1], t, direct);
      Buffer b = pool->Get();
      auto got = file->ReadAt(c.offset(chunk), c.read_len(chunk), b.data());
      if (!got.ok()) Fail(comm, got.status());
      if (*got < c.valid_end(chunk))
        Fail(comm, Status::Error(req.work_members[0] + ": work file shorter than its records"));
      AppendTrailer(b, c.read_len(chunk), {kMagic, kData, chunk, c.valid_begin(chunk), c.valid_end(chunk)});
      net.Send(peer, std::move(b));
      ++result.chunks_served;
    }
  });

  auto merged = MergeStreams(inputs, req.out_pool, req.out, [&](const uint8_t*, uint64_t n) {
    if (req.progress) req.progress->Add(n * kRecordSize);
  });
  if (!merged.ok()) Fail(comm, merged.status());
  server.join();
  net.FinishSending();
  receiver.join();
  st = net.status();
  result.records = *merged;
  result.net = net.stats();
  result.transport_name = net.name();
  remote.clear();
  transport->reset();  // joins the communication thread: collectives are allowed again
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  return result;
}

}  // namespace rs::sort
