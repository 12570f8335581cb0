// app/validate_command.hpp — the `validate` subcommand.
#pragma once

#include <CLI/CLI.hpp>

#include "core/comm.hpp"

namespace rs::cli {
std::function<int(Comm&)> AddValidateCommand(CLI::App& app);
}  // namespace rs::cli
