// app/gen_command.hpp — the `gen` subcommand.
#pragma once

#include <CLI/CLI.hpp>

#include "core/comm.hpp"

namespace rs::cli {
// Adds `gen` to the app; the returned function runs it after parsing and returns the exit code.
std::function<int(Comm&)> AddGenCommand(CLI::App& app);
}  // namespace rs::cli
