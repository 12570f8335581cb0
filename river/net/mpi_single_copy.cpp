// river/net/mpi_single_copy.cpp — Open MPI's transfer settings, as its launcher hands them to each
// process. Read from the environment, not through the MPI tool interface: MPI_T_init_thread opens
// every component's variables and took 222 ms here (finalize 11 ms), more than half the Datamation
// sort; the environment costs nothing and says what mpirun was told.
#include "river/net/mpi_single_copy.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

#include "core/cpu_affinity.hpp"

namespace rs::mpi_internal {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// Whether a comma-separated MCA component list ("self,vader", or "^tcp,openib" to exclude)
// lets `component` be used. Unset: Open MPI's default, which opens every component.
bool ListAllows(const std::string& list, std::string_view component) {
  if (list.empty()) return true;
  const bool exclude = list[0] == '^';
  bool named = false;
  std::string_view rest(list);
  if (exclude) rest.remove_prefix(1);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    if (rest.substr(0, comma) == component) named = true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return exclude ? !named : named;
}

bool Query() {
  // Every rank of the job on this node (so every rank of any communicator of it): ranks on other
  // nodes are reached by TCP (or another network), where the sender moves the data. The job's
  // size, not a communicator's: 2 ranks of a 4-rank job on two nodes could be one per node.
  const std::string world = Env("OMPI_COMM_WORLD_SIZE");
  if (world.empty() || std::to_string(RanksOnNode()) != world) return false;
  // ob1 named: the PML Open MPI picks by itself may be another (UCX), whose protocols differ.
  if (Env("OMPI_MCA_pml") != "ob1") return false;
  // Shared memory (vader) allowed, and a single-copy mechanism named; unnamed, Open MPI picks one
  // if it can and this cannot tell which. "none" is the two-copy path in which the sender copies
  // each fragment in (docs/machine.md#single-copy-cma).
  if (!ListAllows(Env("OMPI_MCA_btl"), "vader")) return false;
  const std::string mechanism = Env("OMPI_MCA_btl_vader_single_copy_mechanism");
  return mechanism == "cma" || mechanism == "xpmem" || mechanism == "knem";
}

}  // namespace

bool ReceiverMovesLargeMessages() {
  static const bool answer = Query();
  return answer;
}

}  // namespace rs::mpi_internal
