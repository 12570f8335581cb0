// gen/gen_job.cpp
#include "gen/gen_job.hpp"

#include <tbb/task_arena.h>

#include <sstream>

#include "gen/partition_writer.hpp"
#include "gen/rank_slice.hpp"
#include "io/file.hpp"
#include "io/manifest.hpp"
#include "io/publish_together.hpp"
#include "io/write_guard.hpp"

namespace rs::gen {

namespace {

// One rank's line for the manifest: "start records checksum\nfile\nfile...".
std::string EncodePartition(const RankSlice& slice, Checksum128 sum, const std::vector<std::string>& files) {
  std::string s = ToDecimal(slice.first) + " " + std::to_string(slice.count) + " " + sum.ToString();
  for (const auto& f : files) s += "\n" + f;
  return s;
}

ManifestPartition DecodePartition(int rank, const std::string& text) {
  ManifestPartition p;
  p.rank = rank;
  std::istringstream in(text);
  std::string start, records, sum, file;
  in >> start >> records >> sum;
  p.start = ParseU128(start).value_or(0);
  p.records = std::stoull(records);
  p.checksum = Checksum128(ParseHexU128(sum).value_or(0));
  std::getline(in, file);  // rest of the first line
  while (std::getline(in, file)) p.files.push_back(file);
  return p;
}

}  // namespace

Result<GenJobResult> RunGenJob(Comm& comm, const GenJobOptions& opt, void (*notice)(const std::string&)) {
  const int rank = comm.rank(), ranks = comm.size();
  // Each rank checks its own arguments (under MPMD they can differ) and the ranks agree on the
  // verdict: a rank refused alone would leave the others waiting in GuardWrites.
  Status args = opt.paths.Check(ranks);
  if (args.ok()) args = opt.disk.Check();
  if (args.ok()) args = opt.spec.Check();
  RS_RETURN_IF_ERROR(AgreeKeepingOwn(comm, args));

  const RankSlice slice = SliceForRank(opt.start, opt.records, rank, ranks);
  const std::vector<std::string> files = opt.paths.Members(rank);
  const bool to_null = files[0] == "/dev/null";
  const std::string manifest_path = to_null                     ? std::string()
                                    : opt.manifest_path.empty() ? opt.paths.DefaultManifestPath()
                                                                : opt.manifest_path;
  // Before the first record: no name written twice (`--name a a`, a manifest named like a
  // partition), output directories sound, the names locked against other jobs.
  WritePlan plan;
  if (!to_null) plan.outputs = files;
  if (rank == 0 && !manifest_path.empty()) plan.outputs.push_back(manifest_path);
  auto guard = GuardWrites(comm, plan);
  if (!guard.ok()) return guard.status();
  if (notice != nullptr) {
    for (const auto& n : (*guard)->notices()) notice(n);
  }
  tbb::task_arena arena(opt.threads > 0 ? opt.threads : tbb::task_arena::automatic);
  Result<PartitionWriteResult> written =
      arena.execute([&] { return GeneratePartition(opt.spec, slice.first, slice.count, files, opt.disk); });
  if (written.ok() && notice != nullptr) {
    for (const auto& line : written->notices) notice("rank " + std::to_string(rank) + ": " + line);
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, written.ok() ? Status::Ok() : written.status()));

  std::vector<std::string> all = comm.AllGather(EncodePartition(slice, written->checksum, files));
  Manifest manifest;
  manifest.shape = opt.spec.shape;
  manifest.generator = opt.spec.GeneratorName();
  manifest.duplicates = opt.spec.duplicates;
  manifest.ascii = opt.spec.mode.ascii;
  manifest.skew = opt.spec.mode.skew;
  manifest.start = opt.start;
  manifest.records = opt.records;
  manifest.stripe_unit = opt.paths.dirs.size() > 1 ? opt.disk.stripe_unit : 0;
  for (int r = 0; r < ranks; ++r) {
    manifest.partitions.push_back(DecodePartition(r, all[r]));
    manifest.checksum += manifest.partitions.back().checksum;
  }

  GenJobResult result;
  result.checksum = manifest.checksum;
  result.records = opt.records;
  result.manifest_path = manifest_path;
  // All or none: every rank's partition and the manifest appear together, after every rank has
  // written and synced its own (a disk that fills on one rank leaves no partition anywhere).
  Status completed;
  std::vector<Publishable*> outputs;
  if (written->sink) outputs.push_back(written->sink.get());
  OutputFile manifest_file;
  if (rank == 0 && !manifest_path.empty()) {
    const std::string json = manifest.ToJson();
    auto made = OutputFile::Create(manifest_path);
    if (made.ok()) manifest_file = std::move(*made);
    completed = made.ok() ? manifest_file.file().WriteAt(json.data(), json.size(), 0) : made.status();
    if (completed.ok()) completed = manifest_file.Finish(json.size());
    if (completed.ok()) outputs.push_back(&manifest_file);
  }
  RS_RETURN_IF_ERROR(PublishTogether(comm, completed, outputs));
  return result;
}

}  // namespace rs::gen
