// river/net/mpi_comm.cpp
#include "river/net/mpi_comm.hpp"

#include <mpi.h>

#include <cstdlib>
#include <stdexcept>

#include "core/signal_cleanup.hpp"
#include "river/net/liveness.hpp"

namespace rs {

namespace {

class MpiComm final : public Comm {
 public:
  MpiComm(int* argc, char*** argv) {
    int provided = 0;
    // SERIALIZED: during an exchange one communication thread (not the main thread) makes every
    // MPI call; the main thread calls MPI only while no exchange runs (DESIGN §4).
    MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiComm() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  std::vector<std::string> AllGather(std::string_view mine) override {
    int len = int(mine.size());
    std::vector<int> lens(size_), displs(size_);
    MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, MPI_COMM_WORLD);
    int total = 0;
    for (int r = 0; r < size_; ++r) {
      displs[r] = total;
      total += lens[r];
    }
    std::string all(size_t(total), '\0');
    MPI_Allgatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, MPI_COMM_WORLD);
    std::vector<std::string> out(size_);
    for (int r = 0; r < size_; ++r) out[r] = all.substr(size_t(displs[r]), size_t(lens[r]));
    return out;
  }

  [[noreturn]] void Abort(int exit_code) override {
    RemoveRegisteredFiles();  // MPI_Abort runs no destructors: temporaries would stay behind
    LeaveLivenessRing();      // this rank's line is said; its ring successor need not report it
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
  }

 private:
  int rank_ = 0;
  int size_ = 1;
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
