// gen/gen_job.cpp
#include "gen/gen_job.hpp"

#include <tbb/task_arena.h>

#include <sstream>

#include "gen/partition_writer.hpp"
#include "gen/rank_slice.hpp"
#include "io/manifest.hpp"

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
  // Argument checks give the same answer on every rank, so each can return on its own.
  RS_RETURN_IF_ERROR(opt.paths.Check(ranks));
  RS_RETURN_IF_ERROR(opt.disk.Check());

  const RankSlice slice = SliceForRank(opt.start, opt.records, rank, ranks);
  const std::vector<std::string> files = opt.paths.Members(rank);
  Result<PartitionWriteResult> written = Status::Ok();
  tbb::task_arena arena(opt.threads > 0 ? opt.threads : tbb::task_arena::automatic);
  arena.execute([&] { written = GeneratePartition(opt.mode, slice.first, slice.count, files, opt.disk); });
  if (written.ok() && notice != nullptr) {
    for (const auto& line : written->notices) notice("rank " + std::to_string(rank) + ": " + line);
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, written.ok() ? Status::Ok() : written.status()));

  std::vector<std::string> all = comm.AllGather(EncodePartition(slice, written->checksum, files));
  Manifest manifest;
  manifest.ascii = opt.mode.ascii;
  manifest.skew = opt.mode.skew;
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
  const bool to_null = files[0] == "/dev/null";
  Status saved;
  if (!to_null) {
    result.manifest_path = opt.manifest_path.empty() ? opt.paths.DefaultManifestPath() : opt.manifest_path;
    if (rank == 0) saved = manifest.Save(result.manifest_path);
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, saved));
  return result;
}

}  // namespace rs::gen
