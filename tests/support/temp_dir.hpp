// tests/support/temp_dir.hpp — a fresh directory under $TMPDIR (or /tmp), removed with its
// contents when the object goes away; and small file helpers for tests.
#pragma once

#include <string>
#include <vector>

namespace rs::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Member paths of a striped file: one subdirectory "d<i>" of `base` per member (created), each
// holding `name`.
std::vector<std::string> StripeMembers(const std::string& base, int k, const std::string& name);

// True for the name of an output's temporary ("<final>.riversort-<token>-<n>.tmp", io/file.hpp).
bool IsOutputTemporary(const std::string& name);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& contents);

}  // namespace rs::test
