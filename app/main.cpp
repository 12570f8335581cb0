// app/main.cpp — the riversort executable: subcommands, MPI when launched by mpirun.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <new>

#include "app/clean_command.hpp"
#include "app/gen_command.hpp"
#include "app/iobench_command.hpp"
#include "app/plan_command.hpp"
#include "app/sort_command.hpp"
#include "app/validate_command.hpp"
#include "app/version.hpp"
#include "core/config.hpp"
#include "core/cpu_affinity.hpp"
#include "core/signal_cleanup.hpp"
#include "io/open_files.hpp"
#include "river/net/liveness.hpp"
#include "river/net/mpi_comm.hpp"

namespace {

// The parsed subcommand's --net-timeout; commands without the flag get the default.
unsigned NetTimeoutOf(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) {
    const CLI::Option* opt = sub->get_option_no_throw("--net-timeout");
    if (opt != nullptr && opt->count() > 0) return opt->as<unsigned>();
  }
  return rs::config::kNetTimeoutSeconds;
}

// One line for the job when ranks were bound to less than their share of their node (Open MPI
// binds a lone rank to one core): launch with --bind-to none (docs/scale.md#binding).
void BindingNotice(rs::Comm& comm) {
  std::vector<uint64_t> under{rs::UnderBound() ? 1u : 0u};
  comm.AllReduceSum(under);
  if (under[0] > 0 && comm.rank() == 0) {
    std::cerr << "notice: " << under[0] << " of " << comm.size() << " ranks may use fewer cores than their share of "
              << "the node (rank 0: " << rs::AllowedCores() << " of " << rs::NodeCores() << " cores, "
              << rs::RanksOnNode() << " rank(s) on it): launch with --bind-to none (docs/scale.md#binding)\n";
  }
}

int RunMain(int argc, char** argv) {
  // Before MPI and every other thread: a wide merge holds a few files per run it reads
  // (io/open_files.hpp), and the plan sizes its fan-in from this limit.
  rs::RaiseOpenFileLimit();
  std::unique_ptr<rs::Comm> comm = rs::MakeWorldComm(&argc, &argv);
  rs::InstallSignalCleanup();  // after MPI_Init, so the handler is ours
  CLI::App app{"riversort: Sort Benchmark datasets, distributed external sorts and validation"};
  app.require_subcommand(1);
  // The text is built only when --version is given; under mpirun rank 0 alone prints it.
  app.set_version_flag("--version", [] { return rs::cli::VersionText(); });
  std::vector<std::function<int(rs::Comm&)>> commands = {
      rs::cli::AddGenCommand(app),     rs::cli::AddValidateCommand(app), rs::cli::AddSortCommand(app),
      rs::cli::AddIobenchCommand(app), rs::cli::AddCleanCommand(app),    rs::cli::AddPlanCommand(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    if (comm->rank() == 0) app.exit(e);
    return 0;
  } catch (const CLI::CallForAllHelp& e) {
    if (comm->rank() == 0) app.exit(e);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    if (comm->rank() == 0) app.exit(e);
    return 0;
  } catch (const CLI::ParseError& e) {
    // One line naming the flag and what is allowed.
    if (comm->rank() == 0) std::cerr << "riversort: " << e.what() << " (see --help)\n";
    return 2;
  }
  // Watches the other ranks through every phase of the command (river/net/liveness.hpp).
  rs::LivenessGuard liveness = rs::StartLivenessRing(*comm, rs::LivenessFor(NetTimeoutOf(app)));
  BindingNotice(*comm);
  int code = 2;
  try {
    for (auto& run : commands) {
      code = run(*comm);
      if (code >= 0) break;
    }
  } catch (const std::exception& e) {
    // The layers below return Status (docs/architecture.md#errors); what still throws is the
    // standard library: out of memory, or a bug. One line and the end of the job, temporaries
    // removed, rather than std::terminate's abort with other ranks left waiting.
    const bool oom = dynamic_cast<const std::bad_alloc*>(&e) != nullptr;
    std::cerr << "rank " << comm->rank() << ": " << (oom ? "out of memory" : "internal error: ")
              << (oom ? "" : e.what()) << '\n';
    comm->Abort(1);
  }
  if (code < 0) code = 2;
  // MPI_Finalize waits for every rank: the ring keeps watching through it, then says goodbye.
  comm.reset();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // RunMain turns an exception out of a command into the end of the job; what could still escape
  // (start-up, before there is a Comm to end the job through) is one line and exit status 70.
  try {
    return RunMain(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "riversort: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "riversort: internal error\n";
  }
  return 70;
}
