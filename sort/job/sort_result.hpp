// sort/job/sort_result.hpp — the end of every sort: wait until all output is durable, gather the
// ranks' phases into rank 0's report, settle the input checksum (manifest, or the sum of what
// the ranks read), and validate the output when asked. Collective; each rank's main thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/comm.hpp"
#include "river/net/transport.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_options.hpp"
#include "sort/report/phase_clock.hpp"
#include "sort/report/sort_report.hpp"

namespace rs::sort {

struct SortOutcome {
  std::string algo;
  const PhaseClock* clock = nullptr;  // from PhaseClock::FromLaunch
  uint64_t records_out = 0;           // this rank's output
  TransportStats net;
  std::string transport_name;
  std::string engine_name;
  Checksum128 read_sum;  // of this rank's input, when the input has no manifest
  uint64_t budget = 0;   // the memory budget per rank the sort planned with (0: none)
  double weight = 0;     // this rank's share of the keys under --balance speed / --weights (0: equal)
  std::string details_json;
  std::vector<std::string> notes;    // rank 0's lines under the table
  std::vector<std::string> notices;  // rank 0's notices (engine fallback, ...)
  double durable_at = 0;             // PublishPartition's durable point (0: FinishSort's first agreement)
  // What need not hold up the durable output (removing the sort's runs and journal): FinishSort
  // runs it on a thread of its own once every rank's output is durable, beside the validation and
  // the report, and says how long it took. No MPI calls.
  std::function<void()> after_durable;
};

// Every algorithm's outcome, made by this one call so that none leaves a field out; details_json
// and notes (what only the out-of-core sorts say) are added after.
SortOutcome MakeOutcome(std::string algo, const PhaseClock& clock, uint64_t budget, uint64_t records_out,
                        const TransportStats& net, std::string transport_name, std::string engine_name,
                        const Checksum128& read_sum, std::vector<std::string> notices);

// This rank's peak RSS in this sort against RssLimit(budget) (budget 0: none): an error saying
// both, `when` ending the line (what became of the output). Call before the ranks agree to
// publish, so that a run over its limit publishes nothing. Not checked where the process runs
// several ranks or hosts the rank (Comm::owns_process): its memory is no single rank's.
Status CheckPeakRss(const Comm& comm, uint64_t budget, const std::string& when = "nothing was published");

// Call once every rank's output is published (synced and renamed). A rank whose peak RSS ended
// over the budget's limit (RssLimit) makes it an error naming the rank, the peak and the limit.
Result<SortReport> FinishSort(Comm& comm, const SortOptions& options, const SortInput& input,
                              const SortOutcome& outcome);

}  // namespace rs::sort
