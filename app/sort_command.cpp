// app/sort_command.cpp — `riversort sort`: the distributed sorts.
#include "app/sort_command.hpp"

#include <iostream>
#include <map>

#include "app/cli_values.hpp"
#include "app/disk_flags.hpp"
#include "app/flags_agreed.hpp"
#include "app/shape_flags.hpp"
#include "sort/algorithms/sort_algorithm.hpp"

namespace rs::cli {

std::function<int(Comm&)> AddSortCommand(CLI::App& app) {
  struct Args {
    std::string algo = "onepass", manifest, memory = "0", net_buffer = "0", threads = "0", result, limits;
    unsigned net_timeout = config::kNetTimeoutSeconds;
    size_t fan_in = 0;
    std::vector<std::string> in_dirs, in_names, out_dirs, out_names, tmp_dirs;
    TransportKind transport = TransportKind::kMpi;
    ExchangeSchedule exchange = ExchangeSchedule::kFree;
    sort::SplitterKind splitters = sort::SplitterKind::kSample;
    bool resume = false;
    sort::Balance balance = sort::Balance::kEven;
    std::vector<double> weights;
    bool validate = false, buffered_input = false, progress = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("sort",
                                     "Sort a dataset across the ranks of mpirun (one partition per rank); "
                                     "output partition r holds the r-th key range");
  sub->add_option("--algo", args->algo,
                  "onepass (in memory), twopass (2 reads + 2 writes), threepass (3 + 3, exact balance), or auto "
                  "(onepass if it fits --memory, else twopass)")
      ->check(CLI::IsMember({"onepass", "twopass", "threepass", "auto"}))
      ->capture_default_str();
  sub->add_option("--in-dir", args->in_dirs, "Input directory; repeat for striped partitions")
      ->check(kPath)
      ->required();
  sub->add_option("--in-name", args->in_names, "Input name with {rank}, or one per rank")->required();
  sub->add_option("--out-dir", args->out_dirs, "Output directory; repeat to stripe the output")
      ->check(kPath)
      ->required();
  sub->add_option("--out-name", args->out_names, "Output name with {rank}, or one per rank")->required();
  sub->add_option("--manifest", args->manifest, "Input manifest (default: the one gen wrote beside the input)")
      ->check(kPath);
  sub->add_option("--memory", args->memory,
                  "Memory budget per rank for buffers (K/M/G; 0 = onepass: what the data needs, twopass/threepass: 1G)")
      ->check(kByteSize)
      ->capture_default_str();
  sub->add_option("--net-buffer", args->net_buffer,
                  "twopass/threepass network buffer size (0 = from the budget and the ranks; docs/scale.md)")
      ->check(kByteSize)
      ->capture_default_str();
  sub->add_option("--fan-in", args->fan_in,
                  "twopass/threepass: most runs merged at once (0 = as many as the budget allows; a given fan-in "
                  "keeps whole-transfer merge reads and merges in levels)")
      ->check(CLI::Range(size_t(0), config::external::kMaxFanIn))
      ->capture_default_str();
  sub->add_option("--tmp-dir", args->tmp_dirs,
                  "Directory for runs and work files; repeat to stripe them (default: the --out-dir directories)")
      ->check(kPath);
  sub->add_flag("--progress", args->progress,
                "Live progress lines on rank 0 (default: only when stderr is a terminal)");
  sub->add_option("--transport", args->transport, "mpi (two-sided) or rma (one-sided puts)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, TransportKind>{{"mpi", TransportKind::kMpi}, {"rma", TransportKind::kRma}}))
      ->capture_default_str();
  sub->add_option("--exchange", args->exchange, "free, or restricted (one long send and receive at a time)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, ExchangeSchedule>{
          {"free", ExchangeSchedule::kFree}, {"restricted", ExchangeSchedule::kRestricted}}))
      ->capture_default_str();
  sub->add_option("--net-timeout", args->net_timeout,
                  "Seconds a rank may not answer, or the exchange make no progress, before the job ends as having lost "
                  "a rank or link (0: never)")
      ->check(CLI::Range(0u, 86400u))
      ->capture_default_str();
  sub->add_option("--splitters", args->splitters, "sample (any keys) or uniform (key-prefix ranges; uniform keys only)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, sort::SplitterKind>{
          {"sample", sort::SplitterKind::kSample}, {"uniform", sort::SplitterKind::kUniform}}))
      ->capture_default_str();
  sub->add_flag("--buffered-input", args->buffered_input,
                "Read the input through the page cache (for cached input, as the Datamation rules allow); "
                "the output stays O_DIRECT");
  sub->add_flag("--validate", args->validate, "Validate the output (order and checksum against the input)");
  sub->add_option("--balance", args->balance,
                  "twopass/threepass: even key ranges, or ranges sized by each rank's measured read speed "
                  "(speed: a calibration of well under a second; docs/fault-tolerance.md#slow-ranks)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, sort::Balance>{{"even", sort::Balance::kEven}, {"speed", sort::Balance::kSpeed}}))
      ->capture_default_str();
  sub->add_option("--weights", args->weights,
                  "twopass/threepass: each rank's share of the keys, one positive number per rank (w0,w1,...)")
      ->delimiter(',');
  sub->add_flag("--resume", args->resume,
                "twopass/threepass: reuse the work an earlier, failed run of the same command kept (runs, "
                "splitters, work files) and redo only the rest (docs/fault-tolerance.md)");
  sub->add_option("--result", args->result, "Write the JSON result here (schema in docs/results.md)")->check(kPath);
  sub->add_option("--limits", args->limits,
                  "An `riversort iobench` JSON: the disk limits the phase table's \"bound\" column judges against "
                  "(default: this project's measured machine, docs/results.md#what-bound-a-phase)")
      ->check(kPath);
  sub->add_option("--threads", args->threads, "Threads per rank (0 = one per core)")
      ->check(kThreads)
      ->capture_default_str();
  auto disk = std::make_shared<DiskFlags>(sub);
  auto shape = std::make_shared<ShapeFlags>(sub);

  return [sub, args, disk, shape](Comm& comm) -> int {
    if (!sub->parsed()) return -1;
    auto say = [&](const std::string& line) {
      if (comm.rank() == 0) std::cerr << line << '\n';
    };
    auto disk_options = disk->Options();
    auto record_shape = shape->Shape();
    Status flags = !disk_options.ok()   ? disk_options.status()
                   : !record_shape.ok() ? record_shape.status()
                   : args->fan_in == 1
                       ? Status::Error("--fan-in 1: a merge needs at least 2 runs (0 = from the budget)")
                       : Status::Ok();
    if (!FlagsAgreed(comm, flags)) return 2;
    sort::SortOptions opt;
    opt.algo = args->algo;
    opt.in = {args->in_dirs, args->in_names};
    opt.out = {args->out_dirs, args->out_names};
    opt.manifest = args->manifest;
    opt.disk = *disk_options;
    opt.shape = *record_shape;
    opt.memory = *ParseBytes(args->memory);
    opt.net_buffer = *ParseBytes(args->net_buffer);
    opt.fan_in = args->fan_in;
    opt.tmp_dirs = args->tmp_dirs;
    opt.progress = args->progress;
    opt.transport = args->transport;
    opt.exchange.schedule = args->exchange;
    opt.exchange.stall_timeout = std::chrono::seconds(args->net_timeout);
    opt.splitters = args->splitters;
    opt.validate = args->validate;
    opt.resume = args->resume;
    opt.balance = args->balance;
    opt.weights = args->weights;
    opt.buffered_input = args->buffered_input;
    opt.result_path = args->result;
    opt.limits_path = args->limits;
    opt.threads = int(*ParseCount(args->threads));
    auto report = sort::RunSort(comm, opt);
    if (!report.ok()) {
      say(report.status().message());
      return 1;
    }
    if (comm.rank() == 0) std::cout << report->Table() << std::flush;
    bool ok = report->validation == "SUCCESS" || report->validation == "not run";
    if (!ok) say("validation failed: " + report->validation);
    return ok ? 0 : 1;
  };
}

}  // namespace rs::cli
