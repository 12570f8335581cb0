// sort/job/sort_options.cpp — option names and the options as JSON for result files.
#include "sort/job/sort_options.hpp"

#include <nlohmann/json.hpp>

namespace rs::sort {

const char* SplitterName(SplitterKind k) { return k == SplitterKind::kUniform ? "uniform" : "sample"; }

std::string ConfigJson(const SortOptions& opt) {
  nlohmann::json j = {{"algo", opt.algo},
                      {"in_dirs", opt.in.dirs},
                      {"in_names", opt.in.names},
                      {"out_dirs", opt.out.dirs},
                      {"out_names", opt.out.names},
                      {"record_size", opt.shape.size},
                      {"key_size", opt.shape.key_size},
                      {"key_offset", opt.shape.key_offset},
                      {"transfer_size", opt.disk.transfer_size},
                      {"queue_depth", opt.disk.queue_depth},
                      {"io_engine", EngineName(opt.disk.engine)},
                      {"direct", opt.disk.direct},
                      {"buffered_input", opt.buffered_input},
                      {"stripe_unit", opt.disk.stripe_unit},
                      {"memory", opt.memory},
                      {"tmp_dirs", opt.tmp_dirs},
                      {"fan_in", opt.fan_in},
                      {"transport", opt.transport == TransportKind::kRma ? "rma" : "mpi"},
                      {"exchange", opt.exchange.schedule == ExchangeSchedule::kRestricted ? "restricted" : "free"},
                      {"splitters", SplitterName(opt.splitters)},
                      {"resume", opt.resume},
                      {"balance", opt.balance == Balance::kSpeed ? "speed" : "even"},
                      {"weights", opt.weights},
                      {"limits", opt.limits_path},
                      {"net_timeout_s", opt.exchange.stall_timeout.count()},
                      {"threads", opt.threads}};
  return j.dump();
}

}  // namespace rs::sort
