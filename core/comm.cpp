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
  // One byte of verdict, one of code, then the line: another rank's failure keeps its code.
  std::string mine(1, local.ok() ? '0' : '1');
  if (!local.ok()) {
    mine += char(local.code());
    mine += local.message();
  }
  std::vector<std::string> all = comm.AllGather(mine);
  int first = -1, failed = 0;
  for (int r = 0; r < int(all.size()); ++r) {
    if (all[r].size() >= 2 && all[r][0] == '1') {
      if (first < 0) first = r;
      ++failed;
    }
  }
  if (first < 0) return Status::Ok();
  // This rank's own failure keeps its errno and path as well; the line is the same either way.
  Status st = first == comm.rank() ? local : Status::Error(StatusCode(all[first][1]), all[first].substr(2));
  st = st.WithContext("rank " + std::to_string(first));
  if (failed > 1) st = st.WithSuffix(" (and " + std::to_string(failed - 1) + " more ranks failed)");
  return st;
}

}  // namespace rs
