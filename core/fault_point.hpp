// core/fault_point.hpp — fault injection for the reliability tests (docs/reliability.md):
// RS_FAULT="<rank>:<point>[:stop]" makes that rank die by SIGKILL (or, with ":stop", freeze by
// SIGSTOP, as a rank behind a cut link looks to its peers) when it reaches <point>, the start of
// a sort's phase as the phase table names it ("read & distribute", "merge", "local sort", "local
// merge", "parallel selection", "parallel merge", "sort", "write"), or "exchange" / "remote reads"
// once a transport is up (read & distribute; threepass's parallel merge), or "gen" / "validate"
// as those commands start their work. The rank is the launcher's
// (OMPI_COMM_WORLD_RANK; 0 without mpirun). Unset, a point costs one comparison. Any thread.
#pragma once

#include <string_view>

namespace rs {

void FaultPoint(std::string_view point);

}  // namespace rs
