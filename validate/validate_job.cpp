// validate/validate_job.cpp
#include "validate/validate_job.hpp"

#include <tbb/task_arena.h>

#include <vector>

#include "core/comm.hpp"
#include "io/file.hpp"
#include "io/manifest.hpp"
#include "io/write_guard.hpp"
#include "validate/partition_validator.hpp"
#include "validate/report.hpp"

namespace rs::validate {

namespace {

ValidateOutcome Failure(const Status& st) { return {"", st.message(), 1}; }

// Summary of every rank's partition, combined in rank order (the same on every rank).
Result<Summary> ValidateDistributed(Comm& comm, const ValidateJobOptions& opt) {
  tbb::task_arena arena(opt.threads > 0 ? opt.threads : tbb::task_arena::automatic);
  // execute() returns the lambda's value: no placeholder Result to overwrite.
  Result<Summary> mine =
      arena.execute([&] { return ValidatePartition(opt.paths.Members(comm.rank()), opt.disk, nullptr, opt.shape); });
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, mine.status()));

  // Rank 0 gathers the summaries (Summary::Bytes(shape) each: 280 bytes for gensort's records,
  // 100 + 2R for others, so P x 131 KiB at R = 64 KiB) and combines them; the other ranks get
  // only the combined one (docs/scale.md#validation).
  auto bytes = mine->Serialize();
  std::vector<std::string> all = comm.Gather(std::string(bytes.begin(), bytes.end()), 0);
  std::string combined;
  if (comm.rank() == 0) {
    std::vector<Summary> parts;
    parts.reserve(all.size());
    for (const auto& s : all) {
      parts.push_back(Summary::Deserialize(reinterpret_cast<const uint8_t*>(s.data()), opt.shape));
    }
    auto total = Combine(parts).Serialize();
    combined.assign(total.begin(), total.end());
  }
  combined = comm.AllGather(combined)[0];
  return Summary::Deserialize(reinterpret_cast<const uint8_t*>(combined.data()), opt.shape);
}

Result<Summary> CombineSummaryFile(const std::string& path, const RecordShape& shape) {
  auto bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  auto parts = ParseSummaries(*bytes, shape);
  if (!parts.ok()) return parts.status().WithContext(path);
  return Combine(*parts);
}

// What the validated totals must match (rank 0 reads the manifest, before any record is read).
struct Expected {
  std::optional<u128> checksum;
  std::optional<uint64_t> records;
  std::string source;
};

Result<Expected> LoadExpected(const ValidateJobOptions& opt, int rank) {
  Expected e{opt.expect_checksum, opt.expect_records, opt.expect_source};
  if (e.source.empty()) e.source = opt.expect_records ? "the input" : "--expect-checksum";
  if (rank != 0 || opt.manifest.empty()) return e;
  auto m = Manifest::Load(opt.manifest);
  if (!m.ok()) return m.status();
  RS_RETURN_IF_ERROR(m->CheckShape(opt.manifest, opt.shape));
  e.checksum = m->checksum.value();
  e.records = m->records;
  e.source = "manifest " + opt.manifest;
  return e;
}

// Compares the validated totals with what was expected (rank 0).
Status CheckExpected(const ValidateJobOptions& opt, const Expected& want, const Summary& total, int rank) {
  if (rank != 0) return Status::Ok();
  // A sort's --validate compares its output with what the input was said to hold: when that is
  // the input's manifest, the input may have changed since, so the line blames neither side.
  const std::string hint = opt.input_check.empty() ? "" : "; check the input itself with `" + opt.input_check + "`";
  if (want.records && *want.records != total.records) {
    return Status::Error("record count mismatch: validated " + ToDecimal(total.records) + " records, " + want.source +
                         " has " + ToDecimal(*want.records) + " (records were lost or duplicated" + hint + ")");
  }
  if (want.checksum && *want.checksum != total.checksum.value()) {
    return Status::Error("checksum mismatch: validated " + total.checksum.ToString() + ", " + want.source + " has " +
                         ToValsortHex(*want.checksum) + " (records were lost, duplicated or corrupted" + hint + ")");
  }
  return Status::Ok();
}

// What this rank reads and writes, for the write guard.
WritePlan ValidateWritePlan(const ValidateJobOptions& opt, int rank) {
  WritePlan plan;
  if (opt.summaries_in.empty()) plan.inputs = opt.paths.Members(rank);
  if (rank == 0) {
    if (!opt.summaries_in.empty()) plan.inputs.push_back(opt.summaries_in);
    if (!opt.manifest.empty()) plan.inputs.push_back(opt.manifest);
    if (!opt.summary_out.empty()) plan.outputs.push_back(opt.summary_out);
  }
  return plan;
}

}  // namespace

ValidateOutcome RunValidateJob(Comm& comm, const ValidateJobOptions& opt) {
  // Cheap checks first: flags, paths, the write guard, the manifest — before any record is read.
  // Each rank checks its own arguments (under MPMD they can differ) and the ranks agree on the
  // verdict: a rank refused alone would leave the others waiting in GuardWrites.
  Status args = opt.summaries_in.empty() ? opt.paths.Check(comm.size()) : Status::Ok();
  if (args.ok()) args = opt.disk.Check();
  if (args.ok()) args = opt.shape.Check();
  if (Status st = AgreeKeepingOwn(comm, args); !st.ok()) return Failure(st);
  auto guard = GuardWrites(comm, ValidateWritePlan(opt, comm.rank()));
  if (!guard.ok()) return Failure(guard.status());
  auto expected = LoadExpected(opt, comm.rank());
  if (Status st = AgreeOnStatus(comm, expected.status()); !st.ok()) return Failure(st);

  Result<Summary> total =
      opt.summaries_in.empty() ? ValidateDistributed(comm, opt) : CombineSummaryFile(opt.summaries_in, opt.shape);
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
  if (st.ok()) st = AgreeOnStatus(comm, CheckExpected(opt, *expected, *total, comm.rank()));
  if (!st.ok()) {
    out.error = st.message();
    out.exit_code = 1;
  }
  return out;
}

}  // namespace rs::validate
