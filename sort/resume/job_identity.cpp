// sort/resume/job_identity.cpp — hashes of names and file facts.
#include "sort/resume/job_identity.hpp"

#include <sys/stat.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "io/job_files.hpp"

namespace rs::sort {
namespace {

// FNV-1a, 64 bits: names only need to differ, not to resist an adversary (the journal's header
// is checked field by field anyway).
uint64_t Fnv(const std::string& s, uint64_t h = 14695981039346656037ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Real(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

}  // namespace

JobIdentity MakeJobIdentity(const SortOptions& opt, int rank) {
  JobIdentity id;
  id.job = Hex(Fnv("riversort sort\nin " + opt.in.AsFlags() + "\nout " + opt.out.AsFlags()));
  std::string mine = id.job + "\nrank " + std::to_string(rank);
  std::string facts;
  for (const auto& m : opt.in.Members(rank)) {
    const std::string real = Real(m);
    mine += "\nin " + real;
    struct stat st {};
    if (::stat(real.c_str(), &st) == 0) {
      facts += real + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
               std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino) + "\n";
    } else {
      facts += real + " missing\n";
    }
  }
  // The output may not exist yet: its directory's real path and its name.
  for (const auto& m : opt.out.Members(rank)) mine += "\nout " + Real(DirectoryOf(m)) + "/" + BaseName(m);
  id.token = Hex(Fnv(mine));
  id.input = Hex(Fnv(facts));
  return id;
}

}  // namespace rs::sort
