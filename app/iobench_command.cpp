// app/iobench_command.cpp — `riversort iobench`: sweep the disk knobs, print the table, record
// CSV and JSON under results/, and name the best setting for reads and for writes.
#include "app/iobench_command.hpp"

#include <algorithm>
#include <iostream>
#include <utility>

#include "app/cli_values.hpp"
#include "tune/iobench.hpp"
#include "tune/iobench_report.hpp"

namespace rs::cli {

namespace {

std::string JoinSizes(const std::vector<uint64_t>& v) {
  std::string s;
  for (uint64_t x : v) {
    if (!s.empty()) s += ',';
    s += tune::FormatSize(x);
  }
  return s;
}

std::string JoinNumbers(const std::vector<unsigned>& v) {
  std::string s;
  for (unsigned x : v) {
    if (!s.empty()) s += ',';
    s += std::to_string(x);
  }
  return s;
}

// Accepts exactly one of `allowed`; the reason names them all.
CLI::Validator OneOf(std::vector<std::string> allowed, const std::string& what) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return CLI::Validator(
      [allowed = std::move(allowed), what, list](std::string& s) -> std::string {
        return std::find(allowed.begin(), allowed.end(), s) != allowed.end()
                   ? ""
                   : "'" + s + "' is not " + what + " (allowed: " + list + ")";
      },
      "{" + list + "}");
}

const CLI::Validator kStripeCount(
    [](std::string& s) -> std::string {
      auto v = ParseCount(s);
      return v && *v >= 1 && *v <= 4096 && s.find_first_not_of("0123456789") == std::string::npos
                 ? ""
                 : "'" + s + "' is not a stripe count (allowed: 1 .. the number of --dir)";
    },
    "K");

}  // namespace

std::function<int(Comm&)> AddIobenchCommand(CLI::App& app) {
  struct Args {
    std::vector<std::string> dirs;
    std::string size = tune::FormatSize(tune::kIobenchFileSize);
    std::vector<std::string> transfer_sizes;
    std::vector<unsigned> depths;
    std::vector<std::string> stripes, engines, rws;
    std::string stripe_unit = tune::FormatSize(config::kStripeUnit);
    bool buffered = false;
    int runs = 1;
    std::string out_dir = "results";
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "iobench",
      "Sweep stripes x transfer size x queue depth x engine x read/write on a test file; print the table, "
      "record results/iobench-<host>-<date>.csv and .json, and name the best setting per direction");
  sub->add_option("--dir", args->dirs, "Test directory (repeat: K stripes use the first K)")->check(kPath)->required();
  sub->add_option("--size", args->size, "Test file size per point (K/M/G = 2^10/20/30)")
      ->check(kByteSize)
      ->capture_default_str();
  sub->add_option("--transfer-size", args->transfer_sizes, "Bytes per disk request, comma-separated or repeated")
      ->check(kByteSize)
      ->delimiter(',')
      ->default_str(JoinSizes(tune::kIobenchTransferSizes));
  sub->add_option("--queue-depth", args->depths, "Requests in flight, comma-separated or repeated")
      ->check(CLI::Range(1u, config::kMaxQueueDepth))
      ->delimiter(',')
      ->default_str(JoinNumbers(tune::kIobenchQueueDepths));
  sub->add_option("--stripes", args->stripes, "Stripe counts K (1 .. number of --dir), comma-separated or repeated")
      ->check(kStripeCount)
      ->delimiter(',')
      ->default_str("1 .. number of --dir");
  sub->add_option("--io-engine", args->engines, "I/O engines, comma-separated or repeated")
      ->check(OneOf({"uring", "threads"}, "an I/O engine iobench measures"))
      ->delimiter(',')
      ->default_str("uring,threads");
  sub->add_option("--rw", args->rws, "Directions, comma-separated or repeated")
      ->check(OneOf({"read", "write"}, "a direction"))
      ->delimiter(',')
      ->default_str("read,write");
  sub->add_option("--stripe-unit", args->stripe_unit, "Stripe unit when K > 1 (K/M/G = 2^10/20/30)")
      ->check(kByteSize)
      ->capture_default_str();
  sub->add_flag("--buffered", args->buffered, "Go through the page cache instead of O_DIRECT (reads may be cached)");
  sub->add_option("--runs", args->runs, "Measure every point this many times; rows hold the medians")
      ->check(CLI::Range(1, tune::kIobenchMaxRuns))
      ->capture_default_str();
  sub->add_option("--out-dir", args->out_dir, "Where the CSV and JSON go")->check(kPath)->capture_default_str();

  return [sub, args](Comm& comm) -> int {
    if (!sub->parsed()) return -1;
    if (comm.size() > 1) {
      if (comm.rank() == 0) {
        std::cerr << "riversort: iobench: run it without mpirun (one process per machine; ranks sharing a disk "
                     "would measure each other)\n";
      }
      return 2;
    }
    tune::IobenchConfig cfg;
    cfg.dirs = args->dirs;
    cfg.file_size = *ParseBytes(args->size);
    if (!args->transfer_sizes.empty()) {
      cfg.transfer_sizes.clear();
      for (const auto& t : args->transfer_sizes) cfg.transfer_sizes.push_back(*ParseBytes(t));
    }
    if (!args->depths.empty()) cfg.queue_depths = args->depths;
    for (const auto& k : args->stripes) cfg.stripes.push_back(int(*ParseCount(k)));
    if (!args->engines.empty()) {
      cfg.engines.clear();
      for (const auto& e : args->engines) {
        cfg.engines.push_back(e == "uring" ? EngineKind::kUring : EngineKind::kThreads);
      }
    }
    if (!args->rws.empty()) {
      cfg.rws.clear();
      for (const auto& rw : args->rws) cfg.rws.push_back(rw == "read" ? tune::Rw::kRead : tune::Rw::kWrite);
    }
    cfg.stripe_unit = *ParseBytes(args->stripe_unit);
    cfg.direct = !args->buffered;
    cfg.runs = args->runs;
    if (Status st = cfg.Check(); !st.ok()) {
      std::cerr << "riversort: iobench: " << st.message() << " (see --help)\n";
      return 2;
    }

    auto result = tune::RunIobench(cfg, [](const std::string& line) { std::cerr << line << std::endl; });
    if (!result.ok()) {
      std::cerr << "riversort: iobench: " << result.status().message() << '\n';
      return 1;
    }
    for (const auto& n : result->notices) {
      // The thread engine announces itself even when asked for; here it always is.
      if (n.find(", as asked") == std::string::npos) std::cerr << n << '\n';
    }
    std::cout << tune::FormatTable(*result);
    tune::RunInfo info = tune::CurrentRunInfo();
    auto paths = tune::WriteResults(*result, info, args->out_dir);
    if (!paths.ok()) {
      std::cerr << "riversort: iobench: " << paths.status().message() << '\n';
      return 1;
    }
    std::cout << "csv: " << paths->csv << "\njson: " << paths->json << '\n';
    if (result->best_read >= 0) {
      std::cout << "best read: " << tune::DescribeBest(result->rows[size_t(result->best_read)]) << '\n';
    }
    if (result->best_write >= 0) {
      std::cout << "best write: " << tune::DescribeBest(result->rows[size_t(result->best_write)]) << '\n';
    }
    return 0;
  };
}

}  // namespace rs::cli
