// sort/job/external_setup.cpp — the common start of the out-of-core sorts.
#include "sort/job/external_setup.hpp"

#include <iostream>

namespace rs::sort {

Result<ExternalSetup> SetUpExternalSort(Comm& comm, const SortOptions& opt, ExternalAlgo algo) {
  ExternalSetup s;
  auto input = OpenSortInput(comm, opt);
  if (!input.ok()) return input.status();
  s.input = *input;
  auto plan = algo == ExternalAlgo::kTwopass ? PlanTwopass(opt, s.input, comm.size())
                                             : PlanThreepass(opt, s.input, comm.size());
  if (!plan.ok()) return plan.status();  // the same on every rank
  s.plan = *plan;
  // Temporaries are named for the job, not the process: a later run of it finds what this one
  // kept (sort/resume/).
  const JobIdentity id = MakeJobIdentity(opt, comm.rank());
  s.temp = std::make_unique<TempFiles>(WorkDirs(opt), comm.rank(), id.token);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, s.temp->Check()));
  Status st;
  {
    const WorkJournal::Header header{algo == ExternalAlgo::kTwopass ? "twopass" : "threepass",
                                     comm.size(),
                                     comm.rank(),
                                     opt.disk.stripe_unit,
                                     SplitterName(opt.splitters),
                                     opt.shape};
    auto journal = WorkJournal::Begin(s.temp.get(), id, header, opt.resume, &s.notices);
    if (journal.ok())
      s.journal = std::move(*journal);
    else
      st = journal.status();
  }
  // Each rank says what became of its own kept work (a few lines, and only when there was some).
  for (const auto& n : s.notices) {
    const std::string line = "rank " + std::to_string(comm.rank()) + ": notice: " + n + "\n";
    std::cerr << line << std::flush;  // one write, not interleaved with other ranks' lines
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  // From here on the sort runs with the plan's transfer size (lower than asked when the budget
  // needed it: the plan's notice says so), validation at the end included.
  s.options = opt;
  s.options.disk.transfer_size = s.plan.buffer_bytes;
  s.disk = RecordDiskOptions(s.options);
  return s;
}

}  // namespace rs::sort
