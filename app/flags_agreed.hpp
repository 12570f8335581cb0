// app/flags_agreed.hpp — the verdict on a command's flags, agreed by every rank before its first
// collective. Each rank checks its own flags; under an MPMD launch (`mpirun -np 1 riversort … :
// -np 1 riversort … --record-size 7`) they can differ, and a rank that returned alone on a bad
// flag left the others waiting in the command's first collective for ever, its line unprinted.
#pragma once

#include <iostream>

#include "core/comm.hpp"
#include "core/status.hpp"

namespace rs::cli {

// Collective (AgreeKeepingOwn: one small all-gather): true when every rank's `mine` is Ok.
// Otherwise rank 0 prints one line — its own refusal, or else the lowest refused rank's ("rank R:
// …") — and every rank returns false, to exit 2 together. (Paths are the jobs' to refuse, with exit
// 1: RunSort, RunValidateJob and RunGenJob agree on them the same way.)
inline bool FlagsAgreed(Comm& comm, const Status& mine) {
  const Status st = AgreeKeepingOwn(comm, mine);
  if (st.ok()) return true;
  if (comm.rank() == 0) std::cerr << "riversort: " << st.message() << '\n';
  return false;
}

}  // namespace rs::cli
