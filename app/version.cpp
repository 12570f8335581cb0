// app/version.cpp — `riversort --version`. The library versions come from the files allowed to
// include their headers (river/net/mpi_comm.cpp for <mpi.h>, io/uring_engine.cpp for <liburing.h>).
#include "app/version.hpp"

#include <oneapi/tbb/version.h>

#include "core/build_info.hpp"
#include "io/uring_engine.hpp"
#include "river/net/mpi_comm.hpp"

namespace rs::cli {

std::string VersionText() {
  // Headers and loaded library both: a binary run against another library than it was built with
  // (a package installed on a different system) shows it here.
  const std::string tbb = std::string(TBB_VERSION_STRING) + " (headers), " + TBB_runtime_version() + " (loaded)";
  std::string text = std::string("riversort ") + kVersion + "\n";
  text += std::string("commit:     ") + kGitCommit + "\n";
  text += std::string("build type: ") + kBuildType + "\n";
  text += "MPI:        " + MpiLibraryVersion() + "\n";
  text += "liburing:   " + UringVersion() + "\n";
  text += "oneTBB:     " + tbb;
  return text;
}

}  // namespace rs::cli
