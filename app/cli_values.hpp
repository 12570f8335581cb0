// app/cli_values.hpp — CLI11 validators for riversort's value types, so every bad value is
// refused with one line naming the flag and what is allowed.
#pragma once

#include <CLI/CLI.hpp>

#include "core/uint128.hpp"
#include "core/units.hpp"

namespace rs::cli {

// A path argument: an empty one (a shell variable that expanded to nothing) would mean the
// current directory or, joined to a name, the filesystem root.
inline const CLI::Validator kPath(
    [](std::string& s) -> std::string {
      return s.empty() ? "an empty path (did a shell variable expand to nothing?)" : "";
    },
    "PATH");

inline const CLI::Validator kRecordCount(
    [](std::string& s) -> std::string {
      return ParseCount(s)
                 ? ""
                 : "'" + s + "' is not a record count (allowed: 0 or more, optional suffix k/M/G/T = 10^3/6/9/12)";
    },
    "COUNT");

inline const CLI::Validator kRecordNumber(
    [](std::string& s) -> std::string {
      return ParseU128(s) ? "" : "'" + s + "' is not a record number (allowed: decimal 0 .. 2^128-1)";
    },
    "N");

inline const CLI::Validator kHexChecksum(
    [](std::string& s) -> std::string {
      return ParseHexU128(s) ? ""
                             : "'" + s + "' is not a checksum (allowed: hex as valsort prints it, up to 32 digits)";
    },
    "HEX");

inline const CLI::Validator kByteSize(
    [](std::string& s) -> std::string {
      return ParseBytes(s) ? ""
                           : "'" + s + "' is not a byte size (allowed: digits with optional K/M/G/T = 2^10/20/30/40)";
    },
    "BYTES");

inline const CLI::Validator kThreads(
    [](std::string& s) -> std::string {
      auto v = ParseCount(s);
      return v && *v <= 1024 && s.find_first_not_of("0123456789") == std::string::npos
                 ? ""
                 : "'" + s + "' is not a thread count (allowed: 0 = one per core, or 1 .. 1024)";
    },
    "T");

}  // namespace rs::cli
