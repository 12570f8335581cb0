// sort/resume/work_journal.hpp — what a twopass or threepass sort keeps for `--resume`, and the
// journal (sort/resume/journal.hpp) that records it, one per rank beside its temporaries:
// `riversort-<job token>-r<rank>-journal.run` in the first temporary directory.
//
// Durable units: the splitters (twopass), every sorted run (its name, records, CRC-32 of its
// bytes in file order, merge level, and the records it covers: sort/resume/coverage.hpp), the
// end of run formation, threepass's work file and key index, and the parallel selection's
// result. Read checkpoints (where reading may resume, with the routed counts and the input
// checksum up to there) are hints. A unit's files are kept when the sort fails (TempFiles::Keep);
// a later run with --resume reuses them, one without removes them (and says how much it freed).
// Units are recorded from the main thread or a run former's worker (thread-safe).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/record_shape.hpp"
#include "partition/parallel_selection.hpp"
#include "partition/splitter.hpp"
#include "sort/external/temp_files.hpp"
#include "sort/resume/coverage.hpp"
#include "sort/resume/job_identity.hpp"
#include "sort/resume/journal.hpp"

namespace rs::sort {

struct KeptRun {
  std::string name;  // in every temporary directory (a striped file)
  uint64_t records = 0;
  uint32_t crc = 0;  // CRC-32 of its bytes in file order
  int level = 0;
  Coverage cover;
};

struct ReadCheckpoint {
  uint64_t position = 0;         // input records read before this point
  Checksum128 sum;               // of those records
  std::vector<uint64_t> counts;  // records routed to each destination (threepass: position)
};

struct KeptWork {  // threepass's locally merged file and its key index
  std::string name;
  uint64_t records = 0;
  uint32_t crc = 0;
  std::string index_name;  // a plain file in the first temporary directory
  uint64_t index_keys = 0;
  uint32_t index_crc = 0;
};

class WorkJournal {
 public:
  struct Header {
    std::string algo;
    int ranks = 1;
    int rank = 0;
    uint64_t stripe_unit = 0;  // to check the kept files' member sizes
    std::string splitters;     // sample or uniform: runs made with one are no use to the other
    RecordShape shape;         // the records (--record-size, --key-size, --key-offset)
  };
  // Starts this rank's journal. resume: reads what an earlier run of the job kept, refusing a
  // journal of another job, algorithm, number of ranks or input in one line; kept files that are
  // missing or of the wrong size are dropped (a notice names them: they are redone). Without a
  // journal there is nothing to resume (a notice says so). Not resume: removes what an earlier
  // run of the job left (a notice says how much). Call after temp->Check().
  static Result<std::unique_ptr<WorkJournal>> Begin(TempFiles* temp, const JobIdentity& id, const Header& header,
                                                    bool resume, std::vector<std::string>* notices);

  // --- what was kept (read at Begin; updated by the Record calls) ---
  bool resumed() const { return resumed_; }
  const std::optional<std::vector<partition::SplitKey>>& splitters() const { return splitters_; }
  // The records of the job's kept work.
  const RecordShape& shape() const { return header_.shape; }
  const std::map<std::string, KeptRun>& runs() const { return runs_; }
  Coverage Covered() const;
  bool formed() const { return formed_; }
  const Checksum128& formed_sum() const { return formed_sum_; }
  const std::vector<ReadCheckpoint>& checkpoints() const { return checkpoints_; }
  const std::optional<KeptWork>& work() const { return work_; }
  const std::optional<partition::Selection>& selection() const { return selection_; }
  uint64_t kept_bytes() const;

  // --- recording ---
  Status RecordSplitters(const std::vector<partition::SplitKey>& boundaries);
  // The run's files are kept from now on (after this returns Ok). `replaces`: the runs a merge
  // made it from, forgotten by the same journal line (so that no kill between two lines can
  // leave both a merged run and its inputs kept); their files are removed after.
  Status RecordRun(const KeptRun& run, const std::vector<std::string>& replaces = {});
  // Forgets a run (merged into another, or found damaged: then its records must be formed again,
  // and what was made from it is forgotten too); its files are removed.
  Status DropRun(const std::string& name, bool damaged);
  Status RecordFormed(const Checksum128& read_sum);
  Status RecordCheckpoint(const ReadCheckpoint& cp);
  Status RecordWork(const KeptWork& work);
  Status RecordSelection(const partition::Selection& selection);
  // Forgets everything kept (the splitters changed): removes the files, journals a reset.
  Status Reset();
  // The sort succeeded: removes the journal, then every kept file.
  void Finish();
  // A journal that kept no run, work file or selection (the sort failed before its first) is removed.
  ~WorkJournal();
  WorkJournal(const WorkJournal&) = delete;
  WorkJournal& operator=(const WorkJournal&) = delete;

 private:
  WorkJournal(TempFiles* temp, Header header) : temp_(temp), header_(std::move(header)) {}
  Status Replay(const std::vector<std::string>& lines, const JobIdentity& id, std::vector<std::string>* notices);
  bool Intact(const std::string& name, uint64_t bytes) const;        // a striped file's members
  static bool IntactPlain(const std::string& path, uint64_t bytes);  // one file (the key index)
  void RemoveFiles(const std::string& name);
  std::vector<std::string> KeptNamesLocked() const;  // every kept file's name (mu_ held)
  void ForgetLocked();                               // forgets every unit (mu_ held)

  TempFiles* temp_;
  Header header_;
  std::unique_ptr<Journal> journal_;
  bool resumed_ = false;
  bool finished_ = false;
  bool created_ = false;  // by this run (not opened for --resume)
  mutable std::mutex mu_;
  std::optional<std::vector<partition::SplitKey>> splitters_;
  std::map<std::string, KeptRun> runs_;
  bool formed_ = false;
  Checksum128 formed_sum_;
  std::vector<ReadCheckpoint> checkpoints_;
  std::optional<KeptWork> work_;
  std::optional<partition::Selection> selection_;
};

// The number at the end of a temporary's name (`...-<tag>-<n>.run`), for TempFiles::ReserveNames.
uint64_t TempNameNumber(const std::string& name);

}  // namespace rs::sort
