// river/net/mpi_comm.hpp — Comm over MPI_COMM_WORLD. MPI is initialised only when the process
// was started by mpirun, so a standalone run pays no MPI start-up. One per process; create and
// destroy it on the main thread.
#pragma once

#include <memory>
#include <string>

#include "core/comm.hpp"

namespace rs {

// True when an MPI launcher started this process (Open MPI / PMIx / PMI environment).
bool LaunchedByMpirun();

// MpiComm when launched by mpirun, otherwise LocalComm.
std::unique_ptr<Comm> MakeWorldComm(int* argc, char*** argv);

// The MPI library: the Open MPI version compiled against and the loaded library's own line, for
// `riversort --version` (works before MPI_Init, so without mpirun).
std::string MpiLibraryVersion();

}  // namespace rs
