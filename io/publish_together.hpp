// io/publish_together.hpp — every rank's outputs appear, or none, and nothing a user had under a
// final name is lost either way: each rank completes (writes and syncs) its outputs under
// temporary names, the ranks agree, each publishes (files it replaces are kept aside), the ranks
// agree again, and then every rank settles (removes what it set aside) — or, if any rank failed,
// every rank puts back exactly what was there. Collective over the Comm; each rank's main thread.
#pragma once

#include <vector>

#include "core/comm.hpp"
#include "io/publishable.hpp"

namespace rs {

// `completed`: this rank's outputs are complete and synced (else nothing is published anywhere).
// Every rank returns the same status.
Status PublishTogether(Comm& comm, const Status& completed, const std::vector<Publishable*>& outputs);

}  // namespace rs
