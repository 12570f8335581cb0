// app/plan_command.hpp — the `plan` subcommand: what a sort would do on P ranks, without data or MPI.
#pragma once

#include <CLI/CLI.hpp>

#include "core/comm.hpp"

namespace rs::cli {
std::function<int(Comm&)> AddPlanCommand(CLI::App& app);
}  // namespace rs::cli
