// bench/bench_args.hpp — the plain-main micro-benchmarks' flags (partition_bench, sample_bench):
// `--name value` pairs read where they are needed, a fallback where a flag is absent.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace rs::bench {

// The value of `--name TEXT`, or `fallback`.
inline std::string TextArg(int argc, char** argv, const char* name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return fallback;
}

// The value of `--name N` (decimal), or `fallback`.
inline uint64_t Arg(int argc, char** argv, const char* name, uint64_t fallback) {
  const std::string text = TextArg(argc, argv, name, "");
  return text.empty() ? fallback : std::strtoull(text.c_str(), nullptr, 10);
}

}  // namespace rs::bench
