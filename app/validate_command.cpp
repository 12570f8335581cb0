// app/validate_command.cpp — `riversort validate`: valsort-compatible validation, across ranks.
#include "app/validate_command.hpp"

#include <iostream>

#include "app/cli_values.hpp"
#include "app/disk_flags.hpp"
#include "app/flags_agreed.hpp"
#include "app/shape_flags.hpp"
#include "core/config.hpp"
#include "core/fault_point.hpp"
#include "validate/validate_job.hpp"

namespace rs::cli {

std::function<int(Comm&)> AddValidateCommand(CLI::App& app) {
  struct Args {
    std::vector<std::string> dirs, names;
    std::string summary_out, summaries, manifest, expect, threads = "0";
    bool quiet = false;
    unsigned net_timeout = config::kNetTimeoutSeconds;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("validate",
                                     "Validate order and checksum like valsort 1.5; under mpirun each "
                                     "rank validates its partition and rank 0 reports the whole");
  auto* dir =
      sub->add_option("--dir", args->dirs, "Directory of the partitions; repeat for striped partitions (one per disk)")
          ->check(kPath);
  auto* name = sub->add_option("--name", args->names, "File name with {rank}, or one name per rank");
  auto* sums =
      sub->add_option(
             "--summaries", args->summaries,
             "Combine a file of summaries (280 bytes each for gensort's records) instead of reading data (valsort -s)")
          ->check(kPath);
  sub->add_option("--summary-out", args->summary_out, "Write the summary (280 bytes for gensort's records; valsort -o)")
      ->check(kPath);
  auto* man = sub->add_option("--manifest", args->manifest, "Expect the records and checksum of this input manifest")
                  ->check(kPath);
  sub->add_option("--expect-checksum", args->expect, "Expect this checksum (hex, as valsort prints it)")
      ->check(kHexChecksum)
      ->excludes(man);
  sub->add_option("--threads", args->threads, "Validator threads per rank (0 = one per core)")
      ->check(kThreads)
      ->capture_default_str();
  sub->add_flag("-q,--quiet", args->quiet, "No report, only the exit status (valsort -q)");
  // Read by main, which runs the liveness ring with it (river/net/liveness.hpp).
  sub->add_option("--net-timeout", args->net_timeout,
                  "Seconds a rank may not answer before the job ends as having lost it or its link (0: never)")
      ->check(CLI::Range(0u, 86400u))
      ->capture_default_str();
  auto disk = std::make_shared<DiskFlags>(sub);
  auto shape = std::make_shared<ShapeFlags>(sub);
  dir->needs(name);
  name->needs(dir);
  sums->excludes(dir)->excludes(name);

  return [sub, args, disk, shape](Comm& comm) -> int {
    if (!sub->parsed()) return -1;
    auto disk_options = disk->Options();
    auto record_shape = shape->Shape();
    const Status flags = !disk_options.ok()   ? disk_options.status()
                         : !record_shape.ok() ? record_shape.status()
                         : args->summaries.empty() && args->dirs.empty()
                             ? Status::Error("validate: give --dir and --name (data), or --summaries FILE (see --help)")
                             : Status::Ok();
    if (!FlagsAgreed(comm, flags)) return 2;
    validate::ValidateJobOptions opt;
    opt.paths = {args->dirs, args->names};
    opt.summaries_in = args->summaries;
    opt.summary_out = args->summary_out;
    opt.manifest = args->manifest;
    if (!args->expect.empty()) opt.expect_checksum = ParseHexU128(args->expect);
    opt.threads = int(*ParseCount(args->threads));
    opt.disk = *disk_options;
    opt.shape = *record_shape;
    FaultPoint("validate");  // reliability tests: a rank lost while the others work
    auto out = validate::RunValidateJob(comm, opt);
    if (comm.rank() == 0) {
      if (!args->quiet) std::cerr << out.report;
      if (!out.error.empty()) std::cerr << out.error << '\n';
    }
    return out.exit_code;
  };
}

}  // namespace rs::cli
