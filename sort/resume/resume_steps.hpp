// sort/resume/resume_steps.hpp — the steps twopass and threepass take to reuse kept work
// (sort/resume/work_journal.hpp): splitters kept or found again, where each rank resumes reading
// and which records it no longer sends, and a merge that journals the runs it makes.
// Collective where noted; call from each rank's main thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/comm.hpp"
#include "core/record.hpp"
#include "partition/sorted_keys.hpp"
#include "partition/splitter.hpp"
#include "river/disk_options.hpp"
#include "sort/external/run_merge.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_options.hpp"
#include "sort/report/sort_report.hpp"
#include "sort/resume/coverage.hpp"
#include "sort/resume/work_journal.hpp"
#include "sort/selection/key_index.hpp"

namespace rs::sort {

// Collective. The splitters the kept runs were formed with, when every rank kept the same ones;
// else new ones (SplitterFromDisk), journaled — and a rank whose kept runs were formed with other
// splitters forgets them (a notice says so). Every rank returns the same status.
Result<std::unique_ptr<partition::Splitter>> TwopassSplitter(Comm& comm, const SortOptions& options,
                                                             const SortInput& input, WorkJournal& journal,
                                                             std::vector<std::string>* notices,
                                                             const std::vector<uint64_t>& shares);

// Where a rank's reading resumes: the last read checkpoint before the first record any receiver
// still needs from it, and which records each receiver kept (not sent again).
struct ResumePoint {
  uint64_t position = 0;                // records of the partition before it
  Checksum128 sum;                      // their checksum (when the sort sums its input)
  std::vector<uint64_t> routed;         // records routed to each destination before it (empty: none)
  bool skips = false;                   // some receiver kept some of this rank's records
  std::vector<CoverageCursor> cursors;  // per destination: the ordinals it kept
};

// Collective (one all-to-all of interval lists: a few bytes per kept run and rank). `kept`: what
// this rank's runs hold of each sender's records; `records`: the rank's partition. Every rank
// returns the same status.
Result<ResumePoint> TwopassResumePoint(Comm& comm, const WorkJournal& journal, const Coverage& kept, uint64_t records);

// threepass: the same for the rank's own input (one stream, no communication).
ResumePoint LocalResumePoint(const WorkJournal& journal, const Coverage& kept, uint64_t records);

// Reads a kept striped file of `records` records whole and checks its CRC-32 (threepass's work
// file, reused by a resumed run: its ranges are read by other ranks later, so it is checked
// before). An error names the file.
Status VerifyKeptFile(const std::vector<std::string>& members, uint64_t records, uint32_t crc, const DiskOptions& disk,
                      const RecordShape& shape);

// threepass's key index as a plain file (synced) and back, with the CRC-32 of its bytes.
Result<uint32_t> WriteKeyIndex(const std::string& path, const KeyIndex& index);
Result<KeyIndex> ReadKeyIndex(const std::string& path, uint64_t keys, uint32_t crc, uint32_t key_size);

// Collective: true on every rank when some rank found kept work damaged (and dropped it from
// its journal) and no rank failed otherwise — then every rank ends this attempt and the sort
// runs again as with --resume, redoing only the damaged work (RunAgainIfDamaged).
bool AgreeToRedo(Comm& comm, bool damaged, bool failed_otherwise);

// Runs `attempt` once, and once more with --resume when it set *redo: a kept unit found damaged
// as it was read back is redone in the same command, never trusted. Call on every rank.
Result<SortReport> RunAgainIfDamaged(const SortOptions& options,
                                     const std::function<Result<SortReport>(const SortOptions&, bool* redo)>& attempt);

// Makes MergeRuns journal each intermediate run (covering what its inputs covered) and drop its
// inputs, and drop a kept run found damaged as it is read back (*damaged turns true).
void KeepMerges(WorkJournal& journal, RunMergeOptions* options, bool* damaged);

}  // namespace rs::sort
