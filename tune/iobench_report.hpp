// tune/iobench_report.hpp — what an iobench sweep reports: the table for the terminal, the best
// setting per direction in words, and the CSV and JSON files under results/ (schema in
// docs/iobench.md). Pure formatting plus one file-writing call; any thread.
#pragma once

#include <string>

#include "core/status.hpp"
#include "tune/iobench.hpp"

namespace rs::tune {

// Where and when a sweep ran, for the file names and the JSON.
struct RunInfo {
  std::string host;
  std::string stamp;   // local time, "20261121-053834" (the file-name form)
  std::string date;    // local time, ISO 8601 with offset
  std::string commit;  // `git rev-parse --short HEAD` in the working directory, or empty
};
RunInfo CurrentRunInfo();

// One row per point with the medians, "<- best read" beside the winners.
std::string FormatTable(const IobenchResult& result);
// "2M x QD32, uring, 1 stripe: 2890 MB/s".
std::string DescribeBest(const IobenchRow& row);
// Header rw,engine,stripes,stripe_unit,transfer_size,queue_depth,bytes,seconds,MBps,cpu_s_per_GB
// and one row per point.
std::string ToCsv(const IobenchResult& result);
std::string ToJson(const IobenchResult& result, const RunInfo& info);

struct ResultPaths {
  std::string csv, json;
};
// Writes OUT_DIR/iobench-<host>-<stamp>.csv and .json (creating OUT_DIR; "-2", "-3" ... appended
// rather than overwriting an earlier sweep's files).
Result<ResultPaths> WriteResults(const IobenchResult& result, const RunInfo& info, const std::string& out_dir);

}  // namespace rs::tune
