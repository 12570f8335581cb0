// core/fault_point.hpp — fault injection for the reliability tests (docs/reliability.md):
// RS_FAULT="<rank>:<point>[:stop]" makes that rank die by SIGKILL (or, with ":stop", freeze by
// SIGSTOP, as a rank behind a cut link looks to its peers) when it reaches <point>, the start of
// a sort's phase as the phase table names it ("read & distribute", "merge", "local sort", "local
// merge", "parallel selection", "parallel merge", "sort", "write"), or "exchange" / "remote reads"
// once a transport is up (read & distribute; threepass's parallel merge), "run N" once a rank's
// N-th sorted run is written and journaled (twopass, threepass: a kill in the middle of run
// formation, for the --resume tests), or "gen" / "validate" as those commands start their work. The rank is the
// launcher's (OMPI_COMM_WORLD_RANK; 0 without mpirun). With ":stray" the rank instead enters a collective the others
// never join and waits there, alive (a message MPI lost, ranks in different collectives): the liveness ring's stall
// check must end the job; only at points on the main thread with no transport running (the phase starts), and only
// under MPI (SetStrayCollective). Unset, a point costs one comparison. Any thread.
#pragma once

#include <string_view>

namespace rs {

void FaultPoint(std::string_view point);

// What ":stray" runs (it must not return); MpiComm registers it.
void SetStrayCollective(void (*stray)());

}  // namespace rs
