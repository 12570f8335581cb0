// core/dataset_paths.cpp
#include "core/dataset_paths.hpp"

namespace rs {

namespace {
constexpr const char kRankToken[] = "{rank}";
}

std::string ReplaceRank(const std::string& pattern, const std::string& with) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t at = pattern.find(kRankToken, pos);
    if (at == std::string::npos) break;
    out.append(pattern, pos, at - pos);
    out += with;
    pos = at + sizeof(kRankToken) - 1;
  }
  out.append(pattern, pos, std::string::npos);
  return out;
}

Status DatasetPaths::Check(int ranks) const {
  if (dirs.empty()) return Status::Error("--dir: at least one directory is required");
  if (names.empty()) return Status::Error("--name: a file name or pattern is required");
  if (names.size() == 1) {
    if (ranks > 1 && names[0].find(kRankToken) == std::string::npos) {
      return Status::Error("--name " + names[0] + ": with " + std::to_string(ranks) +
                           " ranks the name needs a {rank} placeholder (or one --name per rank)");
    }
  } else if (int(names.size()) != ranks) {
    return Status::Error("--name: " + std::to_string(names.size()) + " names given for " + std::to_string(ranks) +
                         " ranks (give one pattern with {rank}, or one name per rank)");
  }
  for (const auto& d : dirs) {
    if (d.empty()) return Status::Error("--dir '': an empty directory name (did a variable expand to nothing?)");
  }
  for (const auto& n : names) {
    if (n.empty() || n.find('/') != std::string::npos) {
      return Status::Error("--name '" + n + "': must be a file name without '/' (directories go in --dir)");
    }
  }
  return Status::Ok();
}

std::vector<std::string> DatasetPaths::Members(int rank) const {
  std::string name = names.size() == 1 ? ReplaceRank(names[0], std::to_string(rank)) : names[rank];
  std::vector<std::string> out;
  for (const auto& d : dirs) out.push_back(d == "/" ? "/" + name : d + "/" + name);
  return out;
}

std::string DatasetPaths::DefaultManifestPath() const {
  std::string base = names.size() == 1 ? names[0] : names[0] + ".all";
  std::string name = base.find(kRankToken) != std::string::npos ? ReplaceRank(base, "manifest") : base + ".manifest";
  return dirs[0] + "/" + name + ".json";
}

std::string DatasetPaths::AsFlags() const {
  const auto quoted = [](const std::string& s) {
    return s.find_first_of(" '{}\"$*?") == std::string::npos ? s : "'" + s + "'";
  };
  std::string out;
  for (const auto& d : dirs) out += (out.empty() ? "--dir " : " --dir ") + quoted(d);
  for (const auto& n : names) out += " --name " + quoted(n);
  return out;
}

}  // namespace rs
