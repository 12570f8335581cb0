// app/plan_command.cpp — `riversort plan`: parses the job's shape and prints sort/job/job_plan's answer.
#include "app/plan_command.hpp"

#include <iostream>

#include "app/cli_values.hpp"
#include "app/disk_flags.hpp"
#include "app/shape_flags.hpp"
#include "sort/job/job_plan.hpp"

namespace rs::cli {

std::function<int(Comm&)> AddPlanCommand(CLI::App& app) {
  struct Args {
    std::string algo = "auto", records, bytes, memory = "0", net_buffer = "0", results = "results";
    int ranks = 1;
    size_t fan_in = 0;
    double read_mbps = 0, write_mbps = 0, net_mbps = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub =
      app.add_subcommand("plan",
                         "What a sort would do on each of P ranks (sizes, runs, memory, messages, seconds per phase), "
                         "from the sort's own planning code, without data or MPI");
  sub->add_option("--algo", args->algo, "onepass, twopass, threepass, or auto (as sort --algo auto chooses)")
      ->check(CLI::IsMember({"onepass", "twopass", "threepass", "auto"}))
      ->capture_default_str();
  auto* records = sub->add_option("--records", args->records, "Records over all ranks")->check(kRecordCount);
  auto* bytes = sub->add_option("--bytes", args->bytes, "Bytes over all ranks (K/M/G/T), instead of --records")
                    ->check(kByteSize)
                    ->excludes(records);
  records->excludes(bytes);
  sub->add_option("--ranks", args->ranks, "Ranks (MPI processes)")->check(CLI::Range(1, 10000000))->required();
  sub->add_option("--memory", args->memory,
                  "Memory budget per rank for buffers (K/M/G; 0 = onepass: what the data needs, twopass/threepass: 1G)")
      ->check(kByteSize)
      ->capture_default_str();
  sub->add_option("--fan-in", args->fan_in, "Most runs merged at once, as sort --fan-in (0 = from the budget)")
      ->check(CLI::Range(size_t(0), config::external::kMaxFanIn))
      ->capture_default_str();
  sub->add_option("--net-buffer", args->net_buffer,
                  "Network buffer size for twopass/threepass (0 = from the budget and the ranks)")
      ->check(kByteSize)
      ->capture_default_str();
  sub->add_option("--read-mbps", args->read_mbps, "Disk read rate per rank, MB/s (default: results/iobench-*)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--write-mbps", args->write_mbps, "Disk write rate per rank, MB/s (default: results/iobench-*)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--net-mbps", args->net_mbps, "Network rate per rank, MB/s (default 1000)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--results", args->results, "Where to look for iobench results (results/iobench-*.json)")
      ->capture_default_str();
  sub->add_flag("--json", args->json, "Print one JSON object instead of the table");
  auto disk = std::make_shared<DiskFlags>(sub);
  auto shape = std::make_shared<ShapeFlags>(sub);

  return [sub, args, disk, shape](Comm& comm) -> int {
    if (!sub->parsed()) return -1;
    if (comm.rank() != 0) return 0;  // nothing distributed: rank 0 answers
    auto disk_options = disk->Options();
    if (!disk_options.ok()) {
      std::cerr << "riversort: " << disk_options.status().message() << '\n';
      return 2;
    }
    auto record_shape = shape->Shape();
    if (!record_shape.ok()) {
      std::cerr << "riversort: " << record_shape.status().message() << '\n';
      return 2;
    }
    if (args->records.empty() && args->bytes.empty()) {
      std::cerr << "riversort: plan needs --records or --bytes\n";
      return 2;
    }
    sort::PlanRequest req;
    req.options.algo = args->algo;
    req.options.disk = *disk_options;
    req.options.shape = *record_shape;
    req.options.memory = *ParseBytes(args->memory);
    req.options.net_buffer = *ParseBytes(args->net_buffer);
    if (args->fan_in == 1) {
      std::cerr << "riversort: --fan-in 1: a merge needs at least 2 runs (0 = from the budget)\n";
      return 2;
    }
    req.options.fan_in = args->fan_in;
    req.records = args->records.empty() ? *ParseBytes(args->bytes) / record_shape->size : *ParseCount(args->records);
    req.ranks = args->ranks;
    req.rates = sort::DefaultPlanRates(args->results);
    if (args->read_mbps > 0) req.rates.read_mbps = args->read_mbps;
    if (args->write_mbps > 0) req.rates.write_mbps = args->write_mbps;
    if (args->net_mbps > 0) req.rates.net_mbps = args->net_mbps;
    if (args->read_mbps > 0 || args->write_mbps > 0 || args->net_mbps > 0) req.rates.source += " (some given)";
    auto plan = sort::PlanJob(req);
    if (!plan.ok()) {
      std::cerr << "riversort: " << plan.status().message() << '\n';
      return 1;
    }
    std::cout << (args->json ? sort::JobPlanJson(*plan) + "\n" : sort::JobPlanText(*plan)) << std::flush;
    return 0;
  };
}

}  // namespace rs::cli
