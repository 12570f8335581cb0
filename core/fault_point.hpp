// core/fault_point.hpp — fault injection for the reliability tests (docs/reliability.md):
// RS_FAULT="<rank>:<point>" makes that rank die by SIGKILL when it reaches <point>, a phase of a
// sort as the phase table names it ("read & distribute", "merge", "local sort", "local merge",
// "parallel selection", "parallel merge", "sort", "write"). The rank is the launcher's
// (OMPI_COMM_WORLD_RANK; 0 without mpirun). Unset, a point costs one comparison. Any thread.
#pragma once

#include <string_view>

namespace rs {

void FaultPoint(std::string_view point);

}  // namespace rs
