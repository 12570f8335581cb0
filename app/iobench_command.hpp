// app/iobench_command.hpp — the `iobench` subcommand.
#pragma once

#include <CLI/CLI.hpp>

#include "core/comm.hpp"

namespace rs::cli {
// Adds `iobench` to the app; the returned function runs it after parsing and returns the exit code.
std::function<int(Comm&)> AddIobenchCommand(CLI::App& app);
}  // namespace rs::cli
