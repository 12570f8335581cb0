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
  if (probe->size() % kRecordSize != 0) {
    return Status::Error(opt.in.Members(rank)[0] + ": size " + std::to_string(probe->size()) +
                         " is not a multiple of 100 bytes");
  }
  return probe->size();
}

// The input's total checksum from its manifest, when there is one (rank 0 reads it).
Result<std::optional<Checksum128>> ManifestChecksum(Comm& comm, const SortOptions& opt, uint64_t records) {
  const std::string path = InputManifestPath(opt);
  Status st;
  std::string sum;
  std::error_code ignored;  // an unreadable directory: the partitions' own check names it
  if (comm.rank() == 0 && (!opt.manifest.empty() || std::filesystem::exists(path, ignored))) {
    auto m = Manifest::Load(path);
    if (!m.ok()) {
      st = m.status();
    } else if (m->records != records) {
      st = Status::Error(path + ": manifest lists " + std::to_string(m->records) + " records, the partitions hold " +
                         std::to_string(records));
    } else {
      sum = m->checksum.ToString();
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
  RS_RETURN_IF_ERROR(opt.in.Check(ranks));
  RS_RETURN_IF_ERROR(opt.out.Check(ranks));
  RS_RETURN_IF_ERROR(opt.disk.Check());
  SortInput in;
  Status st;
  auto bytes = PartitionBytes(opt, rank);
  if (bytes.ok())
    in.bytes = *bytes;
  else
    st = bytes.status();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  in.records = in.bytes / kRecordSize;
  for (const auto& c : comm.AllGather(std::to_string(in.records))) {
    const uint64_t n = std::stoull(c);
    in.total += n;
    in.max_records = std::max(in.max_records, n);
  }
  auto sum = ManifestChecksum(comm, opt, in.total);
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
