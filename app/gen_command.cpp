// app/gen_command.cpp — `riversort gen`: gensort-compatible dataset generation.
#include "app/gen_command.hpp"

#include <iostream>

#include "app/cli_values.hpp"
#include "app/disk_flags.hpp"
#include "app/flags_agreed.hpp"
#include "app/shape_flags.hpp"
#include "core/config.hpp"
#include "core/fault_point.hpp"
#include "gen/gen_job.hpp"

namespace rs::cli {

std::function<int(Comm&)> AddGenCommand(CLI::App& app) {
  struct Args {
    std::string records, start = "0", threads = "0", manifest;
    bool ascii = false, skew = false;
    double duplicates = 0;
    unsigned net_timeout = config::kNetTimeoutSeconds;
    std::vector<std::string> dirs, names;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("gen",
                                     "Generate a Sort Benchmark dataset, byte-identical to gensort 1.5; "
                                     "under mpirun each rank writes its own slice");
  sub->add_option("--records", args->records, "Total records over all ranks")->required()->check(kRecordCount);
  sub->add_option("--start", args->start, "First record number, like gensort -b (0 .. 2^128-1)")
      ->check(kRecordNumber)
      ->capture_default_str();
  sub->add_flag("--ascii", args->ascii, "ASCII records, like gensort -a");
  sub->add_flag("--skew", args->skew, "Skewed keys, like gensort -s");
  sub->add_option("--duplicates", args->duplicates,
                  "Fraction of records (0 .. 1) whose key comes from a pool of 64 repeated keys (then, and for "
                  "any shape but 100/10/0, riversort's random records: docs/records.md)")
      ->capture_default_str();
  sub->add_option("--dir", args->dirs, "Output directory; repeat to stripe each partition over several (one per disk)")
      ->check(kPath)
      ->required();
  sub->add_option("--name", args->names, "File name with {rank}, or one name per rank")->required();
  sub->add_option("--manifest", args->manifest, "Manifest path (default: DIR/NAME with {rank}->manifest .json)")
      ->check(kPath);
  sub->add_option("--threads", args->threads, "Generator threads per rank (0 = one per core)")
      ->check(kThreads)
      ->capture_default_str();
  // Read by main, which runs the liveness ring with it (river/net/liveness.hpp).
  sub->add_option("--net-timeout", args->net_timeout,
                  "Seconds a rank may not answer before the job ends as having lost it or its link (0: never)")
      ->check(CLI::Range(0u, 86400u))
      ->capture_default_str();
  auto disk = std::make_shared<DiskFlags>(sub);
  auto shape = std::make_shared<ShapeFlags>(sub);

  return [sub, args, disk, shape](Comm& comm) -> int {
    if (!sub->parsed()) return -1;
    auto disk_options = disk->Options();
    auto record_shape = shape->Shape();
    gen::GenSpec spec{{args->ascii, args->skew}, record_shape.ok() ? *record_shape : RecordShape{}, args->duplicates};
    // Flags are refused with exit 2 by every rank alike; paths by the job (exit 1), which agrees too.
    Status flags = !disk_options.ok() ? disk_options.status() : record_shape.status();
    if (flags.ok()) flags = spec.Check();
    if (!FlagsAgreed(comm, flags)) return 2;
    gen::GenJobOptions opt;
    opt.records = *ParseCount(args->records);
    opt.start = *ParseU128(args->start);
    opt.spec = spec;
    opt.paths = {args->dirs, args->names};
    opt.manifest_path = args->manifest;
    opt.threads = int(*ParseCount(args->threads));
    opt.disk = *disk_options;
    FaultPoint("gen");  // reliability tests: a rank lost while the others work
    auto result = gen::RunGenJob(comm, opt, [](const std::string& line) { std::cerr << line << '\n'; });
    if (!result.ok()) {
      if (comm.rank() == 0) std::cerr << result.status().message() << '\n';
      return 1;
    }
    // As gensort -c: the checksum alone, on stderr.
    if (comm.rank() == 0) std::cerr << result->checksum.ToString() << '\n';
    return 0;
  };
}

}  // namespace rs::cli
