// river/net/mpi_comm.cpp
#include "river/net/mpi_comm.hpp"

#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>

#include "river/net/mpi_abort.hpp"

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
  }
  ~MpiComm() override {
    mpi_internal::ServeAbortRequest();  // a pending abort ends the job rather than a finalize
    MPI_Comm_free(&world_);
    MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  std::vector<std::string> AllGather(std::string_view mine) override {
    mpi_internal::ServeAbortRequest();  // the main thread owns MPI here: a pending abort goes first
    // MPI counts bytes in int. Large counts are the cluster-scale work (issue 13); until then a
    // gather past 2 GiB is refused with a line rather than overflowing silently.
    constexpr uint64_t kIntMax = uint64_t(std::numeric_limits<int>::max());
    if (mine.size() > kIntMax) TooLarge(mine.size());
    int len = int(mine.size());
    const size_t n = static_cast<size_t>(size_);
    std::vector<int> lens(n), displs(n);
    int rc = MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, world_);
    if (rc != MPI_SUCCESS) CollectiveFailed(rank_, "Allgather", rc);
    uint64_t total = 0;
    for (int r = 0; r < size_; ++r) {
      if (total > kIntMax) break;
      displs[size_t(r)] = int(total);
      total += uint64_t(lens[size_t(r)]);
    }
    if (total > kIntMax) TooLarge(total);  // the same verdict on every rank: all saw the same lens
    std::string all(size_t(total), '\0');
    rc = MPI_Allgatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, world_);
    if (rc != MPI_SUCCESS) CollectiveFailed(rank_, "Allgatherv", rc);
    std::vector<std::string> out(n);
    for (int r = 0; r < size_; ++r) out[size_t(r)] = all.substr(size_t(displs[size_t(r)]), size_t(lens[size_t(r)]));
    return out;
  }

  [[noreturn]] void Abort(int exit_code) override { mpi_internal::EndJob(exit_code); }

 private:
  [[noreturn]] void TooLarge(uint64_t bytes) {
    std::cerr << "rank " << rank_ << ": an all-gather of " << bytes
              << " bytes exceeds MPI's int count (2 GiB); use fewer ranks or a smaller sample\n";
    mpi_internal::EndJob(1);
  }

  int rank_ = 0;
  int size_ = 1;
  MPI_Comm world_ = MPI_COMM_NULL;
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
