// app/disk_flags.hpp — the disk knobs every subcommand shares (--transfer-size, --queue-depth,
// --io-engine, --stripe-unit, --buffered), parsed into DiskOptions and checked in one place.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <memory>

#include "app/cli_values.hpp"
#include "river/disk_options.hpp"

namespace rs::cli {

class DiskFlags {
 public:
  // Adds the flags to `sub`. Values are checked after parsing by Options().
  explicit DiskFlags(CLI::App* sub) {
    sub->add_option("--transfer-size", transfer_, "Bytes per disk request (K/M/G = 2^10/20/30)")
        ->check(kByteSize)
        ->capture_default_str();
    sub->add_option("--queue-depth", depth_, "Disk requests in flight per stream")
        ->check(CLI::Range(1u, config::kMaxQueueDepth))
        ->capture_default_str();
    sub->add_option("--io-engine", engine_, "uring, threads, or auto (uring, threads where refused)")
        ->transform(CLI::CheckedTransformer(std::map<std::string, EngineKind>{
            {"auto", EngineKind::kAuto}, {"uring", EngineKind::kUring}, {"threads", EngineKind::kThreads}}))
        ->capture_default_str();
    sub->add_option("--stripe-unit", unit_, "Stripe unit over several --dir (K/M/G = 2^10/20/30)")
        ->check(kByteSize)
        ->capture_default_str();
    sub->add_flag("--buffered", buffered_, "Go through the page cache instead of O_DIRECT");
  }

  // The options, or the one-line reason they are refused.
  Result<DiskOptions> Options() const {
    DiskOptions o;
    o.transfer_size = *ParseBytes(transfer_);
    o.queue_depth = depth_;
    o.engine = engine_;
    o.stripe_unit = *ParseBytes(unit_);
    o.direct = !buffered_;
    RS_RETURN_IF_ERROR(o.Check());
    return o;
  }

 private:
  std::string transfer_ = "2M";
  unsigned depth_ = config::kQueueDepth;
  EngineKind engine_ = EngineKind::kAuto;
  std::string unit_ = "1M";
  bool buffered_ = false;
};

}  // namespace rs::cli
