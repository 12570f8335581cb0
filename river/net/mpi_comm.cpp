// river/net/mpi_comm.cpp
#include "river/net/mpi_comm.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

#include "core/config.hpp"
#include "core/fault_point.hpp"
#include "river/net/mpi_abort.hpp"
#include "river/net/mpi_wait.hpp"

namespace rs {

namespace {

// One line for an MPI call that failed (its communicator returns errors instead of ending the
// job), then the end of the job: a collective that failed on one rank cannot be retried alone.
[[noreturn]] void CollectiveFailed(int rank, const char* what, int rc) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
  std::cerr << "rank " << rank << ": MPI " << what << " failed: " << std::string(text, size_t(len)) << '\n';
  mpi_internal::EndJob(1);
}

const char* ThreadLevelName(int level) {
  switch (level) {
    case MPI_THREAD_SINGLE:
      return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED:
      return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED:
      return "MPI_THREAD_SERIALIZED";
    case MPI_THREAD_MULTIPLE:
      return "MPI_THREAD_MULTIPLE";
    default:
      return "an unknown thread level";
  }
}

class MpiComm final : public Comm {
 public:
  MpiComm(int* argc, char*** argv) {
    int provided = MPI_THREAD_SINGLE;
    // SERIALIZED: during an exchange one communication thread (not the main thread) makes every
    // MPI call; the main thread calls MPI only while no exchange runs (docs/architecture.md#threading).
    MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    mpi_internal::TakeMpiOwnership();
    // An MPI that grants less would make calls from the communication thread undefined.
    if (provided < MPI_THREAD_SERIALIZED) {
      std::cerr << "rank " << rank_ << ": this MPI library grants " << ThreadLevelName(provided)
                << "; riversort needs MPI_THREAD_SERIALIZED (an MPI built with thread support)\n";
      mpi_internal::EndJob(1);
    }
    // A communicator of our own whose errors come back as return codes, so that a failed
    // collective becomes a line naming the rank and the call, not MPI's default abort.
    if (MPI_Comm_dup(MPI_COMM_WORLD, &world_) != MPI_SUCCESS) {
      std::cerr << "rank " << rank_ << ": MPI_Comm_dup failed\n";
      mpi_internal::EndJob(1);
    }
    if (MPI_Comm_set_errhandler(world_, MPI_ERRORS_RETURN) != MPI_SUCCESS) {
      std::cerr << "rank " << rank_ << ": MPI_Comm_set_errhandler failed\n";
      mpi_internal::EndJob(1);
    }
    Check("Op_create", MPI_Op_create(&MinBytes, /*commute=*/1, &min_bytes_));
    instance_ = this;
    SetStrayCollective(&Stray);
    // The tests lower the chunk size to run the chunking on small data.
    if (const char* env = std::getenv(config::kMpiChunkEnv); env != nullptr && std::atoll(env) > 0) {
      chunk_ = uint64_t(std::atoll(env));
    }
  }
  ~MpiComm() override {
    SetStrayCollective(nullptr);
    instance_ = nullptr;
    mpi_internal::ServeAbortRequest();  // a pending abort ends the job rather than a finalize
    MPI_Op_free(&min_bytes_);
    MPI_Comm_free(&world_);
    MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  std::vector<std::string> AllGather(std::string_view mine) override { return Collect(mine, -1); }

  std::vector<std::string> Gather(std::string_view mine, int root) override { return Collect(mine, root); }

  void AllReduceSum(std::span<uint64_t> values) override {
    for (size_t at = 0; at < values.size(); at += chunk_ / sizeof(uint64_t)) {
      const int k = int(std::min<uint64_t>(values.size() - at, chunk_ / sizeof(uint64_t)));
      Run("Allreduce", [&](MPI_Request* r) {
        return MPI_Iallreduce(MPI_IN_PLACE, values.data() + at, k, MPI_UINT64_T, MPI_SUM, world_, r);
      });
    }
  }

  void ExScanSum(std::span<uint64_t> values) override {
    for (size_t at = 0; at < values.size(); at += chunk_ / sizeof(uint64_t)) {
      const int k = int(std::min<uint64_t>(values.size() - at, chunk_ / sizeof(uint64_t)));
      Run("Exscan", [&](MPI_Request* r) {
        return MPI_Iexscan(MPI_IN_PLACE, values.data() + at, k, MPI_UINT64_T, MPI_SUM, world_, r);
      });
    }
    // MPI leaves rank 0's buffer undefined: its prefix is empty.
    if (rank_ == 0) std::fill(values.begin(), values.end(), 0);
  }

  void AllReduceMinBytes(std::span<uint8_t> bytes, size_t width) override {
    if (width == 0 || bytes.empty()) return;
    // One element is one MPI datatype of `width` bytes; the op compares whole elements.
    MPI_Datatype element = MPI_DATATYPE_NULL;
    Check("Type_contiguous", MPI_Type_contiguous(int(width), MPI_BYTE, &element));
    Check("Type_commit", MPI_Type_commit(&element));
    const size_t per_call = std::max<size_t>(1, chunk_ / width);
    const size_t elements = bytes.size() / width;
    for (size_t at = 0; at < elements; at += per_call) {
      const int k = int(std::min(elements - at, per_call));
      Run("Allreduce (min)", [&](MPI_Request* r) {
        return MPI_Iallreduce(MPI_IN_PLACE, bytes.data() + at * width, k, element, min_bytes_, world_, r);
      });
    }
    MPI_Type_free(&element);
  }

  std::vector<std::string> AllToAll(const std::vector<std::string>& to) override {
    const size_t n = size_t(size_);
    std::vector<uint64_t> send_lens(n), recv_lens(n);
    for (size_t q = 0; q < n; ++q) send_lens[q] = to[q].size();
    Run("Alltoall", [&](MPI_Request* r) {
      return MPI_Ialltoall(send_lens.data(), 1, MPI_UINT64_T, recv_lens.data(), 1, MPI_UINT64_T, world_, r);
    });
    // In rounds of at most `share` bytes per pair, so that a round sends and receives at most
    // chunk bytes; as many rounds as the longest piece anywhere needs.
    const uint64_t share = std::max<uint64_t>(1, chunk_ / n);
    uint64_t rounds = 0;
    for (size_t q = 0; q < n; ++q)
      rounds = std::max(rounds, (std::max(send_lens[q], recv_lens[q]) + share - 1) / share);
    Run("Allreduce (max)",
        [&](MPI_Request* r) { return MPI_Iallreduce(MPI_IN_PLACE, &rounds, 1, MPI_UINT64_T, MPI_MAX, world_, r); });
    std::vector<std::string> from(n);
    for (size_t q = 0; q < n; ++q) from[q].reserve(recv_lens[q]);
    std::vector<int> scounts(n), sdispls(n), rcounts(n), rdispls(n);
    std::string sbuf, rbuf;
    for (uint64_t i = 0; i < rounds; ++i) {
      const uint64_t done = i * share;
      int stotal = 0, rtotal = 0;
      for (size_t q = 0; q < n; ++q) {
        scounts[q] = int(std::min(share, send_lens[q] - std::min(send_lens[q], done)));
        rcounts[q] = int(std::min(share, recv_lens[q] - std::min(recv_lens[q], done)));
        sdispls[q] = stotal;
        rdispls[q] = rtotal;
        stotal += scounts[q];
        rtotal += rcounts[q];
      }
      sbuf.resize(size_t(stotal));
      rbuf.resize(size_t(rtotal));
      for (size_t q = 0; q < n; ++q) {
        if (scounts[q] > 0) std::memcpy(sbuf.data() + sdispls[q], to[q].data() + done, size_t(scounts[q]));
      }
      Run("Alltoallv", [&](MPI_Request* r) {
        return MPI_Ialltoallv(sbuf.data(), scounts.data(), sdispls.data(), MPI_CHAR, rbuf.data(), rcounts.data(),
                              rdispls.data(), MPI_CHAR, world_, r);
      });
      for (size_t q = 0; q < n; ++q) from[q].append(rbuf, size_t(rdispls[q]), size_t(rcounts[q]));
    }
    return from;
  }

  [[noreturn]] void Abort(int exit_code) override { mpi_internal::EndJob(exit_code); }

  void SetWaitLimit(std::chrono::milliseconds limit, const std::string& line) override {
    wait_limit_ = limit;
    wait_limit_line_ = line;
  }

 private:
  void Check(const char* what, int rc) {
    if (rc != MPI_SUCCESS) CollectiveFailed(rank_, what, rc);
  }

  // AllGather (root -1) or Gather to root: the lengths first, then the bytes in rounds in which each
  // rank sends at most `share` bytes of its contribution, so that a round receives at most chunk_
  // bytes (int counts and displacements, one staging buffer). Gather's other ranks learn the
  // number of rounds from the longest contribution (one reduction), not from every length.
  std::vector<std::string> Collect(std::string_view mine, int root) {
    const size_t n = size_t(size_);
    const bool all = root < 0, receives = all || root == rank_;
    std::vector<uint64_t> lens(receives ? n : 0);
    const uint64_t len = mine.size();
    uint64_t longest = len;
    if (all) {
      Run("Allgather", [&](MPI_Request* r) {
        return MPI_Iallgather(&len, 1, MPI_UINT64_T, lens.data(), 1, MPI_UINT64_T, world_, r);
      });
      longest = *std::max_element(lens.begin(), lens.end());
    } else {
      Run("Gather", [&](MPI_Request* r) {
        return MPI_Igather(&len, 1, MPI_UINT64_T, lens.data(), 1, MPI_UINT64_T, root, world_, r);
      });
      Run("Allreduce (max)",
          [&](MPI_Request* r) { return MPI_Iallreduce(MPI_IN_PLACE, &longest, 1, MPI_UINT64_T, MPI_MAX, world_, r); });
    }
    const uint64_t share = std::max<uint64_t>(1, chunk_ / n);
    std::vector<std::string> out(receives ? n : 0);
    for (size_t q = 0; q < out.size(); ++q) out[q].reserve(lens[q]);
    std::vector<int> counts(receives ? n : 0), displs(receives ? n : 0);
    std::string staging;
    for (uint64_t done = 0; done < longest; done += share) {
      int total = 0;
      for (size_t q = 0; q < counts.size(); ++q) {
        counts[q] = int(std::min(share, lens[q] - std::min(lens[q], done)));
        displs[q] = total;
        total += counts[q];
      }
      staging.resize(size_t(total));
      const char* from = mine.data() + std::min<uint64_t>(done, len);
      const int mine_now = int(std::min(share, len - std::min(len, done)));
      if (all) {
        Run("Allgatherv", [&](MPI_Request* r) {
          return MPI_Iallgatherv(from, mine_now, MPI_CHAR, staging.data(), counts.data(), displs.data(), MPI_CHAR,
                                 world_, r);
        });
      } else {
        Run("Gatherv", [&](MPI_Request* r) {
          return MPI_Igatherv(from, mine_now, MPI_CHAR, staging.data(), counts.data(), displs.data(), MPI_CHAR, root,
                              world_, r);
        });
      }
      for (size_t q = 0; q < out.size(); ++q) out[q].append(staging, size_t(displs[q]), size_t(counts[q]));
    }
    return out;
  }

  // Starts one non-blocking collective and waits for it (mpi_internal::WaitCollective), within
  // SetWaitLimit's limit when one is set. A pending abort is served first: the main thread owns
  // MPI here.
  template <typename Start>
  void Run(const char* what, Start&& start) {
    mpi_internal::ServeAbortRequest();
    MPI_Request req = MPI_REQUEST_NULL;
    Check(what, start(&req));
    Check(what, mpi_internal::WaitCollective(&req, what, rank_, wait_limit_, wait_limit_line_));
  }

  // RS_FAULT's ":stray": a barrier on MPI_COMM_WORLD, which riversort's collectives never use, so
  // no other rank joins it. Waited for as any collective (marked for the ring), it never ends.
  static void Stray() {
    instance_->Run("Ibarrier (RS_FAULT stray)", [](MPI_Request* r) { return MPI_Ibarrier(MPI_COMM_WORLD, r); });
    mpi_internal::EndJob(1);  // cannot happen: no other rank enters it
  }
  static inline MpiComm* instance_ = nullptr;

  // MPI_Op for AllReduceMinBytes: the memcmp-smaller of two elements of the datatype's size.
  // NOLINTNEXTLINE(readability-non-const-parameter): MPI_User_function's signature
  static void MinBytes(void* in, void* inout, int* len, MPI_Datatype* type) {
    int width = 0;
    MPI_Type_size(*type, &width);
    auto* a = static_cast<const uint8_t*>(in);
    auto* b = static_cast<uint8_t*>(inout);
    for (int i = 0; i < *len; ++i, a += width, b += width) {
      if (std::memcmp(a, b, size_t(width)) < 0) std::memcpy(b, a, size_t(width));
    }
  }

  int rank_ = 0;
  int size_ = 1;
  MPI_Comm world_ = MPI_COMM_NULL;
  MPI_Op min_bytes_ = MPI_OP_NULL;
  std::chrono::milliseconds wait_limit_{0};  // SetWaitLimit
  std::string wait_limit_line_;
  uint64_t chunk_ = config::kMpiChunkBytes;
};

}  // namespace

bool LaunchedByMpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr ||
         std::getenv("PMI_RANK") != nullptr;
}

std::unique_ptr<Comm> MakeWorldComm(int* argc, char*** argv) {
  if (LaunchedByMpirun()) return std::make_unique<MpiComm>(argc, argv);
  return std::make_unique<LocalComm>();
}

std::string MpiLibraryVersion() {
  std::string text;
#ifdef OMPI_MAJOR_VERSION
  text = "Open MPI " + std::to_string(OMPI_MAJOR_VERSION) + "." + std::to_string(OMPI_MINOR_VERSION) + "." +
         std::to_string(OMPI_RELEASE_VERSION) + " (headers), ";
#endif
  // MPI-3 allows MPI_Get_library_version before MPI_Init. Open MPI's line goes on with package and
  // repository details: the part before the first comma names the library and its version.
  char line[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  if (MPI_Get_library_version(line, &len) != MPI_SUCCESS) return text + "unknown (loaded)";
  std::string loaded(line, size_t(len));
  loaded = loaded.substr(0, loaded.find_first_of(",\n"));
  return text + loaded + " (loaded)";
}

}  // namespace rs
