// sort/job/sort_input.cpp — input checks shared by the sort algorithms.
#include "sort/job/sort_input.hpp"

#include <filesystem>

#include "core/record.hpp"
#include "core/uint128.hpp"
#include "io/manifest.hpp"
#include "io/striped_file.hpp"

namespace rs::sort {
namespace {

Result<uint64_t> PartitionBytes(const SortOptions& opt, int rank) {
  auto probe = StripedFile::OpenRead(opt.in.Members(rank), opt.disk.stripe_unit, false);
  if (!probe.ok()) return probe.status();
  if (probe->size() % opt.shape.size != 0) {
    return Status::Error(StatusCode::kCorruption, opt.in.Members(rank)[0],
                         "size " + std::to_string(probe->size()) + " is not a multiple of " +
                             std::to_string(opt.shape.size) + " bytes (the record size)");
  }
  return probe->size();
}

// The input's manifest, when there is one (rank 0 reads it; the others get nothing). Its shape is
// checked before the partitions' sizes, so data of another shape is named as such rather than as
// files of partial records or a count that does not match.
Result<std::optional<Manifest>> LoadInputManifest(Comm& comm, const SortOptions& opt) {
  const std::string path = InputManifestPath(opt);
  Status st;
  std::optional<Manifest> manifest;
  std::error_code ignored;  // an unreadable directory: the partitions' own check names it
  if (comm.rank() == 0 && (!opt.manifest.empty() || std::filesystem::exists(path, ignored))) {
    auto m = Manifest::Load(path);
    if (!m.ok()) {
      st = m.status();
    } else {
      st = m->CheckShape(path, opt.shape);
      manifest = std::move(*m);
    }
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  return manifest;
}

// The input's total checksum from its manifest, when there is one.
Result<std::optional<Checksum128>> ManifestChecksum(Comm& comm, const SortOptions& opt,
                                                    const std::optional<Manifest>& manifest, uint64_t records) {
  Status st;
  std::string sum;
  if (manifest) {
    if (manifest->records != records) {
      st = Status::Error(InputManifestPath(opt) + ": manifest lists " + std::to_string(manifest->records) +
                         " records, the partitions hold " + std::to_string(records));
    } else {
      sum = manifest->checksum.ToString();
    }
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  sum = comm.AllGather(sum)[0];
  if (sum.empty()) return std::optional<Checksum128>();
  return std::optional<Checksum128>(Checksum128(*ParseHexU128(sum)));
}

}  // namespace

Result<SortInput> OpenSortInput(Comm& comm, const SortOptions& opt) {
  const int rank = comm.rank(), ranks = comm.size();
  // Ranks given different shapes (an MPMD launch can give each its own flags) would exchange
  // records of one size as records of another: refused first, by every rank alike.
  const RecordShape& shape = opt.shape;
  if (!SameOnEveryRank(comm, {shape.size, shape.key_size, shape.key_offset})) {
    return Status::Error("rank " + std::to_string(rank) + ": " + shape.Flags() +
                         ", and another rank was given another shape: every rank must sort records of one shape");
  }
  RS_RETURN_IF_ERROR(opt.in.Check(ranks));
  RS_RETURN_IF_ERROR(opt.out.Check(ranks));
  RS_RETURN_IF_ERROR(opt.disk.Check());
  auto manifest = LoadInputManifest(comm, opt);
  if (!manifest.ok()) return manifest.status();
  SortInput in;
  Status st;
  auto bytes = PartitionBytes(opt, rank);
  if (bytes.ok())
    in.bytes = *bytes;
  else
    st = bytes.status();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  in.records = in.bytes / opt.shape.size;
  for (const auto& c : comm.AllGather(std::to_string(in.records))) {
    const uint64_t n = std::stoull(c);
    in.total += n;
    in.max_records = std::max(in.max_records, n);
  }
  auto sum = ManifestChecksum(comm, opt, *manifest, in.total);
  if (!sum.ok()) return sum.status();
  in.manifest_checksum = *sum;
  return in;
}

std::string InputManifestPath(const SortOptions& opt) {
  return opt.manifest.empty() ? opt.in.DefaultManifestPath() : opt.manifest;
}

WritePlan SortWritePlan(const SortOptions& opt, int rank) {
  WritePlan plan;
  plan.inputs = opt.in.Members(rank);
  plan.outputs = opt.out.Members(rank);
  plan.temp_dirs = opt.tmp_dirs;
  if (rank == 0) {
    const std::string manifest = InputManifestPath(opt);
    std::error_code ignored;  // an unreadable directory: the partitions' own check names it
    if (!opt.manifest.empty() || std::filesystem::exists(manifest, ignored)) plan.inputs.push_back(manifest);
    if (!opt.result_path.empty()) plan.outputs.push_back(opt.result_path);
    if (!opt.limits_path.empty()) plan.inputs.push_back(opt.limits_path);
  }
  return plan;
}

}  // namespace rs::sort
