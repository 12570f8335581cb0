// core/comm.cpp
#include "core/comm.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/signal_cleanup.hpp"
#include "core/uint128.hpp"

namespace rs {

void LocalComm::Abort(int exit_code) {
  RemoveRegisteredFiles();  // _Exit runs no destructors: temporaries would stay behind
  std::_Exit(exit_code);
}

// The base collectives gather every rank's whole vector: P times the bytes of MPI's, which is
// nothing for ranks that are threads of one process. Raw host-order bytes: all ranks share a host.
namespace {

std::string_view AsBytes(std::span<const uint64_t> v) {
  return {reinterpret_cast<const char*>(v.data()), v.size_bytes()};
}

}  // namespace

std::vector<std::string> Comm::Gather(std::string_view mine, int root) {
  std::vector<std::string> all = AllGather(mine);
  if (rank() != root) all.clear();
  return all;
}

void Comm::AllReduceSum(std::span<uint64_t> values) {
  const std::vector<std::string> all = AllGather(AsBytes(values));
  std::fill(values.begin(), values.end(), 0);
  for (const std::string& m : all) {
    for (size_t i = 0; i < values.size(); ++i) {
      uint64_t v;
      std::memcpy(&v, m.data() + i * sizeof v, sizeof v);
      values[i] += v;
    }
  }
}

void Comm::ExScanSum(std::span<uint64_t> values) {
  const std::vector<std::string> all = AllGather(AsBytes(values));
  std::fill(values.begin(), values.end(), 0);
  for (int q = 0; q < rank(); ++q) {
    for (size_t i = 0; i < values.size(); ++i) {
      uint64_t v;
      std::memcpy(&v, all[size_t(q)].data() + i * sizeof v, sizeof v);
      values[i] += v;
    }
  }
}

void Comm::AllReduceMinBytes(std::span<uint8_t> bytes, size_t width) {
  const std::vector<std::string> all = AllGather({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
  for (const std::string& m : all) {
    for (size_t at = 0; at + width <= bytes.size(); at += width) {
      if (std::memcmp(m.data() + at, bytes.data() + at, width) < 0)
        std::memcpy(bytes.data() + at, m.data() + at, width);
    }
  }
}

std::vector<std::string> Comm::AllToAll(const std::vector<std::string>& to) {
  // Every rank's whole row, each piece after its length.
  std::string row;
  for (const std::string& piece : to) {
    const uint64_t n = piece.size();
    row.append(reinterpret_cast<const char*>(&n), sizeof n);
    row += piece;
  }
  const std::vector<std::string> all = AllGather(row);
  std::vector<std::string> from(all.size());
  for (size_t q = 0; q < all.size(); ++q) {
    size_t at = 0;
    for (int r = 0; r <= rank(); ++r) {
      uint64_t n;
      std::memcpy(&n, all[q].data() + at, sizeof n);
      at += sizeof n;
      if (r == rank()) from[q] = all[q].substr(at, n);
      at += n;
    }
  }
  return from;
}

bool SameOnEveryRank(Comm& comm, const std::vector<uint64_t>& values) {
  const size_t n = values.size();
  std::vector<uint64_t> sums(2 * n);
  for (size_t i = 0; i < n; ++i) {
    sums[i] = values[i];
    sums[n + i] = values[i] * values[i];  // <= 2^40: P up to 2^23 ranks sum without overflow
  }
  comm.AllReduceSum(sums);
  bool same = true;
  for (size_t i = 0; i < n; ++i) same = same && u128(sums[n + i]) * uint64_t(comm.size()) == u128(sums[i]) * sums[i];
  return same;
}

Status AgreeKeepingOwn(Comm& comm, const Status& local) {
  Status all = AgreeOnStatus(comm, local);
  return local.ok() ? all : local;
}

Status AgreeOnStatus(Comm& comm, const Status& local) {
  // One byte of verdict, one of code, then the line: another rank's failure keeps its code.
  std::string mine(1, local.ok() ? '0' : '1');
  if (!local.ok()) {
    mine += char(local.code());
    mine += local.message();
  }
  std::vector<std::string> all = comm.AllGather(mine);
  int first = -1, failed = 0;
  for (int r = 0; r < int(all.size()); ++r) {
    if (all[r].size() >= 2 && all[r][0] == '1') {
      if (first < 0) first = r;
      ++failed;
    }
  }
  if (first < 0) return Status::Ok();
  // This rank's own failure keeps its errno and path as well; the line is the same either way.
  Status st = first == comm.rank() ? local : Status::Error(StatusCode(all[first][1]), all[first].substr(2));
  st = st.WithContext("rank " + std::to_string(first));
  if (failed > 1) st = st.WithSuffix(" (and " + std::to_string(failed - 1) + " more ranks failed)");
  return st;
}

}  // namespace rs
