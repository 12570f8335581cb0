// sort/sort_input.cpp — input checks shared by the sort algorithms.
#include "sort/sort_input.hpp"

#include <filesystem>

#include "core/record.hpp"
#include "core/uint128.hpp"
#include "io/manifest.hpp"
#include "io/striped_file.hpp"

namespace rs::sort {
namespace {

Status CheckNotSameFiles(const DatasetPaths& in, const DatasetPaths& out, int rank) {
  namespace fs = std::filesystem;
  for (const auto& o : out.Members(rank)) {
    for (const auto& i : in.Members(rank)) {
      std::error_code e1, e2;
      if (fs::weakly_canonical(o, e1) == fs::weakly_canonical(i, e2)) {
        return Status::Error(o + ": output is the input (give other --out-dir or --out-name; input is never modified)");
      }
    }
  }
  return Status::Ok();
}

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
  std::string path = opt.manifest.empty() ? opt.in.DefaultManifestPath() : opt.manifest;
  Status st;
  std::string sum;
  if (comm.rank() == 0 && (!opt.manifest.empty() || std::filesystem::exists(path))) {
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
  Status st = CheckNotSameFiles(opt.in, opt.out, rank);
  if (st.ok()) {
    auto bytes = PartitionBytes(opt, rank);
    if (bytes.ok()) in.bytes = *bytes;
    else st = bytes.status();
  }
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

}  // namespace rs::sort
