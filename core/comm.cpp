// core/comm.cpp
#include "core/comm.hpp"

#include <cstdlib>

#include "core/signal_cleanup.hpp"

namespace rs {

void LocalComm::Abort(int exit_code) {
  RemoveRegisteredFiles();  // _Exit runs no destructors: temporaries would stay behind
  std::_Exit(exit_code);
}

Status AgreeOnStatus(Comm& comm, const Status& local) {
  // One byte of verdict, then the message.
  std::string mine = local.ok() ? std::string("0") : "1" + local.message();
  std::vector<std::string> all = comm.AllGather(mine);
  int first = -1, failed = 0;
  for (int r = 0; r < int(all.size()); ++r) {
    if (!all[r].empty() && all[r][0] == '1') {
      if (first < 0) first = r;
      ++failed;
    }
  }
  if (first < 0) return Status::Ok();
  std::string msg = "rank " + std::to_string(first) + ": " + all[first].substr(1);
  if (failed > 1) msg += " (and " + std::to_string(failed - 1) + " more ranks failed)";
  return Status::Error(std::move(msg));
}

}  // namespace rs
