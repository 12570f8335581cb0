// sort/selection/parallel_merge.cpp — remote I/O and the P-way merge of threepass phase 3b.
//
// Messages (whole buffers over the Transport) end with a 32-byte trailer saying what they are:
//   request  r -> q   trailer only: "chunk i of my range in your work file"
//   data     q -> r   the chunk's bytes as read from q's disk (4 KiB aligned for O_DIRECT), then the
//                     trailer: chunk i, and which bytes of it are r's records
// A range's chunks start on record blocks (multiples of 100 bytes and 4 KiB), so every chunk
// holds whole records; only the first and last are trimmed.
#include "sort/selection/parallel_merge.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <thread>

#include "core/blocking_queue.hpp"
#include "core/config.hpp"
#include "core/fault_point.hpp"
#include "core/record.hpp"
#include "io/io_engine.hpp"
#include "io/mapping_cache.hpp"
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
// Chunks are whole records, so whole 4 KiB blocks make them whole record blocks (lcm(R, 4096)).
bool DirectChunks(uint64_t chunk, bool direct) { return direct && chunk % config::kDirectAlignment == 0; }
// Room after a chunk for its trailer: a direct read fills up to one more block.
uint64_t TrailerRoom(bool direct) { return direct ? config::kDirectAlignment : 64; }

// How one output rank's range [first, end) records of one work file is cut into chunks.
struct Chunking {
  uint64_t begin = 0, end = 0;  // bytes of the work file
  uint64_t base = 0;            // the first chunk's file offset: a record block (direct) or record at or before begin
  uint64_t t = 1;               // chunk size: whole record blocks (direct) or records
  bool direct = false;
  Chunking(uint64_t first, uint64_t last, uint64_t chunk, bool direct_reads, const RecordShape& shape)
      : begin(first * shape.size),
        end(last * shape.size),
        base(direct_reads ? begin / shape.Block() * shape.Block() : begin),
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

// Chunk requests each remote stream keeps outstanding, and reads the local range keeps in flight:
// enough that the peers' requests together keep a server's disk at the queue depth (on few ranks),
// at least kRemoteReadsPerStream (double buffering, on many). Memory stays O(P): the window times
// the peers is at most max(queue depth, 2·peers) + peers.
size_t Window(const DiskOptions& disk, int ranks) {
  const size_t peers = size_t(std::max(ranks - 1, 1)), depth = std::max<size_t>(disk.queue_depth, 1);
  return std::max<size_t>(config::external::kRemoteReadsPerStream, (depth + peers - 1) / peers);
}

// The records of one remote work file for this rank, fetched with `window` chunk requests
// outstanding. Get() from the merging thread; Deliver() from the receiver thread.
class RemoteStream final : public Source {
 public:
  RemoteStream(Transport* net, MemPool* pool, int owner, Chunking chunks, size_t window)
      : net_(net), pool_(pool), owner_(owner), chunks_(chunks), arrivals_(window + 1) {
    for (; requested_ < std::min<uint64_t>(chunks_.count(), window); ++requested_) Request(requested_);
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
// merged; peers' requests waiting for the server; the server's reads in flight (up to the queue
// depth) and the sends in flight; requests being sent; and a few spare.
size_t NetBuffers(const DiskOptions& disk, const TransportOptions& options, int ranks) {
  const TransportOptions ex = Applied(options);
  const size_t peers = size_t(ranks - 1), window = Window(disk, ranks);
  const size_t reads = std::min<size_t>(std::max<size_t>(disk.queue_depth, 1), std::max<size_t>(peers * window, 1));
  return ex.posted_receives + peers * (window + 1) + peers * window + reads + ex.max_sends_in_flight + 1 + peers + 4;
}

// What the server needs of one request: where its chunk lies and how it goes back.
struct ChunkRead {
  uint64_t offset = 0, len = 0;  // of the work file (O_DIRECT: aligned)
  uint64_t need = 0;             // bytes from offset that must exist (the last of the range's records)
  Trailer trailer{};
};

// Serves `owed` chunk requests from `requests`: each chunk read from `file` through an I/O engine
// with up to its depth of reads in flight (striped files: one read per stripe extent), then sent
// to the peer that asked. Returns when all are served or the queue closes (the transport ended:
// its status says why); an I/O error or a short work file is returned.
Status ServeChunks(const StripedFile& file, const std::string& name, IoEngine& io, MemPool* pool, Transport* net,
                   BlockingQueue<std::pair<int, uint64_t>>* requests, uint64_t owed,
                   const std::function<ChunkRead(int peer, uint64_t chunk)>& describe, uint64_t* served) {
  using Requests = BlockingQueue<std::pair<int, uint64_t>>;
  struct Pending {
    int peer = 0;
    ChunkRead read;
    Buffer buffer;
    std::vector<std::pair<uint64_t, uint64_t>> extents;  // each read's place in the chunk and length
    size_t parts = 0;                                    // reads not yet completed
    Status status;
  };
  std::vector<Pending> slots;  // by tag >> 32; the low 32 bits say which extent
  std::vector<size_t> free_slots;
  std::vector<StripeExtent> extents;
  std::vector<IoCompletion> done;
  // Chunks being read each hold a pool buffer: at most the depth of them (NetBuffers counts
  // them). A chunk may span more stripe extents than the engine's depth: its reads wait in
  // `queued` for room.
  std::deque<IoRequest> queued;
  const size_t depth = io.depth();
  uint64_t taken = 0;  // requests popped
  size_t in_flight = 0;
  bool closed = false;
  // On an error, the reads still in flight finish before their buffers go back to the pool
  // (where the ring is broken and some never will, the pool's memory is not reused).
  auto failed = [&](const Status& st) {
    std::vector<IoCompletion> rest;
    while (io.outstanding() > 0 && io.Wait(&rest).ok()) rest.clear();
    if (io.outstanding() > 0) pool->ForbidReuse();
    return st;
  };
  while (*served < owed) {
    // Take the requests waiting; block for one only when nothing is in flight.
    while (taken < owed && !closed && in_flight < depth && queued.size() < depth) {
      std::pair<int, uint64_t> q;
      if (in_flight == 0) {
        auto got = requests->Pop();
        if (!got) {
          closed = true;
          break;
        }
        q = *got;
      } else {
        const auto r = requests->TryPop(&q);
        if (r != Requests::TryResult::kItem) {
          closed = r == Requests::TryResult::kClosed;
          break;
        }
      }
      ++taken;
      size_t slot = slots.size();
      if (free_slots.empty()) {
        slots.emplace_back();
      } else {
        slot = free_slots.back();
        free_slots.pop_back();
      }
      Pending& p = slots[slot];
      p.peer = q.first;
      p.read = describe(q.first, q.second);
      p.buffer = pool->Get();
      p.status = Status::Ok();
      extents.clear();
      file.Map(p.read.offset, p.read.len, &extents);
      p.parts = extents.size();
      if (p.parts == 0) return failed(Status::Error(name + ": a chunk request of no bytes (an internal error)"));
      p.extents.clear();
      for (size_t e = 0; e < extents.size(); ++e) {
        const uint64_t at = extents[e].logical_offset - p.read.offset;
        p.extents.emplace_back(at, extents[e].len);
        IoRequest r;
        r.op = IoOp::kRead;
        r.file = extents[e].member;
        r.buf = p.buffer.data() + at;
        r.len = uint32_t(extents[e].len);
        r.offset = extents[e].member_offset;
        r.tag = (uint64_t(slot) << 32) | e;
        queued.push_back(r);
      }
      ++in_flight;
    }
    while (!queued.empty() && io.outstanding() < depth) {
      io.Submit(queued.front());
      queued.pop_front();
    }
    if (Status f = io.Flush(); !f.ok()) return failed(f);
    if (in_flight == 0) {
      if (closed) return Status::Ok();  // the transport ended first (its status says why)
      continue;
    }
    done.clear();
    if (Status w = io.Wait(&done); !w.ok()) return failed(w);
    for (const IoCompletion& c : done) {
      const size_t slot = size_t(c.tag >> 32);
      Pending& p = slots[slot];
      if (c.result < 0) {
        p.status.Update(Status::FromErrno(int(-c.result), name, "read"));
      } else {
        // The records this extent must hold: the chunk's bytes up to `need` that fall in it.
        const auto [at, len] = p.extents[size_t(c.tag & 0xffffffffu)];
        const uint64_t must = p.read.need > at ? std::min(p.read.need - at, len) : 0;
        if (uint64_t(c.result) < must) p.status.Update(Status::Error(name + ": work file shorter than its records"));
      }
      if (--p.parts > 0) continue;
      if (!p.status.ok()) return failed(p.status);
      AppendTrailer(p.buffer, p.read.len, p.read.trailer);
      net->Send(p.peer, std::move(p.buffer));
      free_slots.push_back(slot);
      --in_flight;
      ++*served;
    }
  }
  return Status::Ok();
}

}  // namespace

uint64_t ParallelMergeBytes(const DiskOptions& disk, const TransportOptions& exchange, TransportKind kind, int ranks,
                            uint64_t chunk) {
  const uint64_t buffer = chunk + TrailerRoom(DirectChunks(chunk, disk.direct));  // a slot is a pool buffer
  return MemPool::Bytes(buffer, NetBuffers(disk, exchange, ranks)) + WindowSlots(kind, ranks) * buffer +
         RangeSource::Bytes(disk, unsigned(Window(disk, ranks)));
}

size_t ParallelMergeNetBuffers(const DiskOptions& disk, const TransportOptions& exchange, TransportKind kind,
                               int ranks) {
  return NetBuffers(disk, exchange, ranks) + WindowSlots(kind, ranks);
}

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
  const size_t window = Window(req.disk, ranks);
  AssignIfOk(st, local, [&] {
    return RangeSource::Open(req.work_members, req.disk, opt.shape, unsigned(window), req.row[size_t(me)],
                             req.row[size_t(me) + 1] - req.row[size_t(me)], &notices);
  });
  std::unique_ptr<MemPool> pool;
  TransportOptions exchange = opt.exchange;
  AssignIfOk(st, pool, [&] { return MemPool::Create(t + TrailerRoom(direct), NetBuffers(req.disk, exchange, ranks)); });
  // The server's I/O engine, reading the work file at the queue depth.
  std::string engine_notice;
  std::unique_ptr<IoEngine> engine;
  AssignIfOk(st, engine,
             [&] { return MakeIoEngine(req.disk.engine, std::max(req.disk.queue_depth, 1u), &engine_notice); });
  if (st.ok()) st = engine->Register(file->fds(), {});
  if (!engine_notice.empty()) notices.push_back(engine_notice);
  // The merge's buffers exist: the mapping cache keeps nothing beside them (io/mapping_cache.hpp).
  mapping_cache::Trim();
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
        &net, pool.get(), q, Chunking(req.column[size_t(q)].first, req.column[size_t(q)].second, t, direct, opt.shape),
        window);
    inputs.push_back(remote[size_t(q)].get());
  }
  // Chunks this rank owes its peers: the server stops after the last one.
  uint64_t owed = 0;
  for (int r = 0; r < ranks; ++r) {
    if (r != me) owed += Chunking(req.row[size_t(r)], req.row[size_t(r) + 1], t, direct, opt.shape).count();
  }
  BlockingQueue<std::pair<int, uint64_t>> requests(size_t(ranks) * window + 1);
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
  // The server: peers' chunk requests, read at the disk's queue depth (the Compaq sort's shadow
  // thread, with reads in flight).
  std::thread server([&] {
    const Status served = ServeChunks(
        *file, req.work_members[0], *engine, pool.get(), &net, &requests, owed,
        [&](int peer, uint64_t chunk) {
          const Chunking c(req.row[size_t(peer)], req.row[size_t(peer) + 1], t, direct, opt.shape);
          return ChunkRead{c.offset(chunk), c.read_len(chunk), c.valid_end(chunk),
                           Trailer{kMagic, kData, chunk, c.valid_begin(chunk), c.valid_end(chunk)}};
        },
        &result.chunks_served);
    if (!served.ok()) Fail(comm, served);
  });

  auto merged = MergeStreams(inputs, req.out_pool, req.out, opt.shape, [&](const uint8_t*, uint64_t n) {
    if (req.progress) req.progress->Add(n * opt.shape.size);
  });
  if (!merged.ok()) Fail(comm, merged.status());
  server.join();
  net.FinishSending();
  receiver.join();
  st = net.status();
  result.records = *merged;
  result.net = net.stats();
  result.transport_name = net.name();
  result.notices = std::move(notices);
  remote.clear();
  transport->reset();  // joins the communication thread: collectives are allowed again
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  return result;
}

}  // namespace rs::sort
