// river/net/mpi_single_copy.hpp — whether this job's large messages are moved by their receivers
// alone: Open MPI's ob1 over shared memory (vader) with a single-copy mechanism (CMA, XPMEM, KNEM),
// every rank on one node. Then a sender's polls do not move its data, and the communication
// thread need not keep them short while its sends are under way (mpi_transport_base.hpp's
// sending rule; docs/terabyte.md#cpu-per-byte-who-moves-a-message-2026-12-06). Internal to
// river/net/mpi_*.
#pragma once

namespace rs::mpi_internal {

// Read once per process from what Open MPI's launcher put in the environment (mpirun --mca X V
// reaches each rank as OMPI_MCA_X=V; the ranks on this node by core/cpu_affinity's RanksOnNode).
// False whenever it cannot tell: another MPI or launcher, another PML or none named, a btl list
// without vader, single copy off or not named, ranks of the job on other nodes — there a sender's
// polls push its data, or may. (A mechanism named but unusable, which Open MPI may replace by
// none, only makes the exchange poll less: the scripts name CMA only where their probe found it
// working, scripts/lib/deps.sh rs_single_copy.)
bool ReceiverMovesLargeMessages();

}  // namespace rs::mpi_internal
