// app/sort_command.hpp — the `sort` subcommand.
#pragma once

#include <CLI/CLI.hpp>

#include "core/comm.hpp"

namespace rs::cli {
std::function<int(Comm&)> AddSortCommand(CLI::App& app);
}  // namespace rs::cli
