// app/clean_command.cpp — `riversort clean --dir D...`: temporaries (*.tmp, *.run) and lock files
// that no live job holds are removed, and the space freed is reported; files a failed publish
// moved aside (*.riversort-*.old) are listed with how to restore them, never removed. Each rank
// cleans its own directories (under mpirun: every host's local disks).
#include "app/clean_command.hpp"

#include <iostream>

#include "app/cli_values.hpp"
#include "core/units.hpp"
#include "io/job_files.hpp"

namespace rs::cli {

std::function<int(Comm&)> AddCleanCommand(CLI::App& app) {
  struct Args {
    std::vector<std::string> dirs;
    bool dry_run = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("clean",
                                     "Remove the temporaries of riversort jobs that ended abnormally "
                                     "(files of running jobs are left alone)");
  sub->add_option("--dir", args->dirs, "Directory to clean (output, --tmp-dir); repeat for several")
      ->check(kPath)
      ->required();
  sub->add_flag("--dry-run", args->dry_run, "List what would be removed, remove nothing");

  return [sub, args](Comm& comm) -> int {
    if (!sub->parsed()) return -1;
    const std::string who = comm.size() > 1 ? "rank " + std::to_string(comm.rank()) + ": " : "";
    uint64_t freed = 0, files = 0;
    int code = 0;
    for (const auto& dir : args->dirs) {
      auto found = FindLeftovers(dir);
      if (!found.ok()) {
        std::cerr << who << found.status().message() << '\n';
        code = 1;
        continue;
      }
      for (const auto& f : found->removable)
        std::cout << who << (args->dry_run ? "would remove " : "remove ") << f << '\n';
      files += found->removable.size();
      freed += args->dry_run ? found->removable_bytes : RemoveLeftovers(*found);
      for (const auto& old : found->replaced) {
        const std::string final_name = old.substr(0, old.rfind(".riversort-"));
        std::cout << who << "kept " << old << ": the file " << final_name
                  << " held before a publish that did not finish; if " << final_name
                  << " is not the output you want, `mv` this back, else remove it\n";
      }
      if (found->live_jobs > 0) {
        std::cout << who << dir << ": " << found->live_jobs << " running job(s); their files are left alone\n";
      }
    }
    std::cout << who << (args->dry_run ? "would free " : "freed ") << MibText(freed) << " in " << files << " files\n";
    return code;
  };
}

}  // namespace rs::cli
