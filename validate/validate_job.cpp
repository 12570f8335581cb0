// validate/validate_job.cpp
#include "validate/validate_job.hpp"

#include <tbb/task_arena.h>

#include <vector>

#include "io/file.hpp"
#include "io/manifest.hpp"
#include "validate/partition_validator.hpp"
#include "validate/report.hpp"

namespace rs::validate {

namespace {

ValidateOutcome Failure(const Status& st) { return {"", st.message(), 1}; }

// Summary of every rank's partition, combined in rank order (the same on every rank).
Result<Summary> ValidateDistributed(Comm& comm, const ValidateJobOptions& opt) {
  RS_RETURN_IF_ERROR(opt.paths.Check(comm.size()));
  RS_RETURN_IF_ERROR(opt.disk.Check());
  Result<Summary> mine = Status::Ok();
  tbb::task_arena arena(opt.threads > 0 ? opt.threads : tbb::task_arena::automatic);
  arena.execute([&] { mine = ValidatePartition(opt.paths.Members(comm.rank()), opt.disk); });
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, mine.status()));

  auto bytes = mine->Serialize();
  std::vector<std::string> all = comm.AllGather(std::string(bytes.begin(), bytes.end()));
  std::vector<Summary> parts;
  for (const auto& s : all) parts.push_back(Summary::Deserialize(reinterpret_cast<const uint8_t*>(s.data())));
  return Combine(parts);
}

Result<Summary> CombineSummaryFile(const std::string& path) {
  auto bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  auto parts = ParseSummaries(*bytes);
  if (!parts.ok()) return Status::Error(path + ": " + parts.status().message());
  return Combine(*parts);
}

// Compares the validated totals with what the input held (rank 0 reads the manifest).
Status CheckExpected(const ValidateJobOptions& opt, const Summary& total, int rank) {
  if (rank != 0) return Status::Ok();
  std::optional<u128> want_sum = opt.expect_checksum;
  std::optional<u128> want_records;
  if (opt.expect_records) want_records = *opt.expect_records;
  std::string source = opt.expect_records ? "the input" : "--expect-checksum";
  if (!opt.manifest.empty()) {
    auto m = Manifest::Load(opt.manifest);
    if (!m.ok()) return m.status();
    want_sum = m->checksum.value();
    want_records = m->records;
    source = "manifest " + opt.manifest;
  }
  if (want_records && *want_records != total.records) {
    return Status::Error("record count mismatch: validated " + ToDecimal(total.records) + " records, " + source +
                         " has " + ToDecimal(*want_records) + " (records were lost or duplicated)");
  }
  if (want_sum && *want_sum != total.checksum.value()) {
    return Status::Error("checksum mismatch: validated " + total.checksum.ToString() + ", " + source + " has " +
                         ToValsortHex(*want_sum) + " (records were lost, duplicated or corrupted)");
  }
  return Status::Ok();
}

}  // namespace

ValidateOutcome RunValidateJob(Comm& comm, const ValidateJobOptions& opt) {
  Result<Summary> total = opt.summaries_in.empty() ? ValidateDistributed(comm, opt)
                                                   : CombineSummaryFile(opt.summaries_in);
  if (!total.ok()) return Failure(total.status());
  if (total->records == 0) return Failure(Status::Error(kNoRecordsMessage));

  Report report = MakeReport(*total);
  ValidateOutcome out{report.text, "", report.exit_code};

  Status written;
  if (!opt.summary_out.empty() && comm.rank() == 0) {
    auto bytes = total->Serialize();
    written = WriteFileAtomically(opt.summary_out, std::string(bytes.begin(), bytes.end()));
  }
  Status st = AgreeOnStatus(comm, written);
  if (st.ok()) st = AgreeOnStatus(comm, CheckExpected(opt, *total, comm.rank()));
  if (!st.ok()) {
    out.error = st.message();
    out.exit_code = 1;
  }
  return out;
}

}  // namespace rs::validate
