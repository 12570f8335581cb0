// sort/job/external_setup.cpp — the common start of the out-of-core sorts.
#include "sort/job/external_setup.hpp"

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
  s.temp = std::make_unique<TempFiles>(opt.tmp_dirs.empty() ? opt.out.dirs : opt.tmp_dirs, comm.rank());
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, s.temp->Check()));
  // From here on the sort runs with the plan's transfer size (lower than asked when the budget
  // needed it: the plan's notice says so), validation at the end included.
  s.options = opt;
  s.options.disk.transfer_size = s.plan.buffer_bytes;
  s.disk = RecordDiskOptions(s.options);
  return s;
}

}  // namespace rs::sort
