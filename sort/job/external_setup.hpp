// sort/job/external_setup.hpp — what twopass and threepass establish before their first phase: the
// input checked and counted (collective), the memory plan (the same on every rank), the
// temporary directories checked, and the disk options every stream of records uses.
// Collective over the Comm; call from each rank's main thread.
#pragma once

#include <memory>

#include "core/comm.hpp"
#include "river/disk_options.hpp"
#include "sort/external/temp_files.hpp"
#include "sort/job/memory_plan.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_options.hpp"
#include "sort/resume/work_journal.hpp"

namespace rs::sort {

enum class ExternalAlgo { kTwopass, kThreepass };

struct ExternalSetup {
  SortInput input;
  ExternalPlan plan;
  std::unique_ptr<TempFiles> temp;  // --tmp-dir, else the output's directories
  SortOptions options;              // the caller's, with the plan's transfer size
  DiskOptions disk;                 // options.disk with the plan's buffer size
  // The work this rank keeps for --resume (sort/resume/work_journal.hpp), and what starting it
  // said (kept work reused or removed, damaged units).
  std::unique_ptr<WorkJournal> journal;
  std::vector<std::string> notices;
};

// Every rank returns the same status.
Result<ExternalSetup> SetUpExternalSort(Comm& comm, const SortOptions& options, ExternalAlgo algo);

}  // namespace rs::sort
