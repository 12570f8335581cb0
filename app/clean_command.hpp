// app/clean_command.hpp — the `clean` subcommand: removes leftovers of riversort jobs that ended
// abnormally (io/job_files.hpp).
#pragma once

#include <CLI/CLI.hpp>

#include "core/comm.hpp"

namespace rs::cli {
// Adds `clean` to the app; the returned function runs it after parsing and returns the exit code.
std::function<int(Comm&)> AddCleanCommand(CLI::App& app);
}  // namespace rs::cli
