// validate/report.hpp — valsort's report (docs/gensort-spec.md §8) for a summary, and its exit status.
#pragma once

#include <string>

#include "validate/summary.hpp"

namespace rs::validate {

struct Report {
  std::string text;   // the lines valsort prints to stderr, each ending in '\n'
  int exit_code = 0;  // 1 if any record is out of order
};

// For a summary with at least one record.
Report MakeReport(const Summary& s);

inline constexpr const char* kNoRecordsMessage = "there must be at least one record to be validated";

}  // namespace rs::validate
