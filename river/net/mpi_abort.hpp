// river/net/mpi_abort.hpp — ending an MPI job by MPI's rules. riversort runs MPI at
// MPI_THREAD_SERIALIZED: one thread at a time makes MPI calls — the main thread, or while a
// transport lives its communication thread (docs/architecture.md#threading). A fatal error is
// often found elsewhere (a receiver thread, the parallel merge's server), so MPI_Abort is never
// called from there: the finder asks, and the thread that owns MPI aborts. Internal to river/net/mpi_*.
#pragma once

namespace rs::mpi_internal {

// The calling thread now makes this process's MPI calls (MpiComm at start-up and after a
// transport's communication thread has ended; that thread while it runs).
void TakeMpiOwnership();

// Ends the whole job with exit_code, from any thread; never returns. On the owning thread:
// removes registered files, leaves the liveness ring and calls MPI_Abort. Elsewhere: asks the
// owner (ServeAbortRequest) and waits up to config::kAbortHandoffMs; an owner that does not
// answer (the main thread inside a collective) is not waited for: the rank then ends with _exit,
// which mpirun answers by ending every other rank, as when a rank is killed.
[[noreturn]] void EndJob(int exit_code);

// For a thread that owns MPI and polls (the communication thread): aborts here when another
// thread has asked, otherwise returns at once (one atomic load).
void ServeAbortRequest();

}  // namespace rs::mpi_internal
