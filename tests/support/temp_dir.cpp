// tests/support/temp_dir.cpp
#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rs::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/riversort-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> StripeMembers(const std::string& base, int k, const std::string& name) {
  std::vector<std::string> members;
  for (int i = 0; i < k; ++i) {
    std::string sub = base;
    sub += "/d";
    sub += std::to_string(i);
    std::filesystem::create_directories(sub);
    sub += "/";
    sub += name;
    members.push_back(sub);
  }
  return members;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), std::streamsize(contents.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

bool IsOutputTemporary(const std::string& name) {
  return name.find(".riversort-") != std::string::npos && name.size() > 4 &&
         name.compare(name.size() - 4, 4, ".tmp") == 0;
}

}  // namespace rs::test
