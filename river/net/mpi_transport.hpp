// river/net/mpi_transport.hpp — Transport over MPI: two-sided (Isend/Irecv of whole buffers) or
// one-sided RMA (puts into a registered window, --transport rma). A communication thread owns
// every MPI call while the transport lives (MPI_THREAD_SERIALIZED); the main thread must not call
// MPI (Comm collectives) until the transport is destroyed. Create and destroy on the main thread.
#pragma once

#include <memory>

#include "core/comm.hpp"
#include "river/net/transport.hpp"

namespace rs {

// Collective over all ranks. Received buffers come from recv_pool, whose buffers must be at
// least as large as any buffer sent (all ranks use the same buffer size). With a Comm that is not
// MPI (a single process), returns a one-rank loopback.
Result<std::unique_ptr<Transport>> MakeTransport(Comm& comm, TransportKind kind, MemPool* recv_pool,
                                                 const TransportOptions& options);

}  // namespace rs
