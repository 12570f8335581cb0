// core/cpu_affinity.hpp — the cores this process may run on, against the node's: a launcher that
// binds a lone rank to one core (Open MPI does for one or two ranks) leaves the rest of the node
// idle, since the sorter, merges and I/O threads of a rank run in parallel (docs/scale.md#binding).
#pragma once

#include <string>

namespace rs {

// Cores in this process's CPU affinity mask (sched_getaffinity); the node's online cores if unknown.
int AllowedCores();
// The node's online cores.
int NodeCores();
// Ranks mpirun started on this node (OMPI_COMM_WORLD_LOCAL_SIZE; 1 outside mpirun).
int RanksOnNode();
// Whether this rank was given less than its share of the node: fewer cores than the node's divided
// among the ranks on it (for a rank alone on its node: fewer than the node has).
bool UnderBound();

}  // namespace rs
