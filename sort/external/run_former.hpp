// sort/external/run_former.hpp — run formation under a memory budget: unsorted buffers of records come in
// (from the disk in threepass, from the network in twopass); every run_records records are sorted
// in core (RecordSorter) and written as one sorted run to a temporary file, on a worker thread, while
// the next run fills. At most two runs are in memory: the one being written and the one filling.
// Put/Close from one producer thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "river/disk_options.hpp"
#include "river/mem_pool.hpp"
#include "sort/external/temp_files.hpp"
#include "sort/incore/record_sorter.hpp"

namespace rs::sort {

struct RunFormerOptions {
  DiskOptions disk;          // for writing runs (transfer_size: whole records and 4 KiB blocks)
  RecordShape shape;         // the records
  uint64_t run_records = 0;  // records per run (the budget's share for one run)
  TempFiles* temp = nullptr;
  std::string tag = "run";  // in the temporary file names
  int threads = 0;          // TBB threads for the in-core sort (0: one per core)
  // Most buffers one run holds (0: no limit). Runs come from a pool sized for two runs of this
  // many buffers and what circulates (ExternalPlan::pool_buffers): partly filled buffers (each
  // sender's last to each receiver, many with many ranks) must not let a run take more, or the
  // pool runs dry before the run is full and the exchange waits on it for good (32 ranks did).
  size_t run_buffers = 0;
  // Resumable sorts (sort/resume/work_journal.hpp): the records arriving from each of `streams`
  // streams (Put's `from`) are counted, and once a run is on disk (synced, under its name)
  // on_written gets it, the CRC-32 of its bytes in file order, and the counts of records from
  // each stream that had arrived before its first and after its last record. Called on the
  // worker thread; an error fails the run formation.
  size_t streams = 0;
  std::function<Status(const SortedRun& run, uint32_t crc, const std::vector<uint64_t>& arrived_before,
                       const std::vector<uint64_t>& arrived_after)>
      on_written;
};

class RunFormer {
 public:
  // Allocates the sorter's entry arrays (RecordSorter::Bytes: 34 bytes per run record) and the write buffers.
  static Result<std::unique_ptr<RunFormer>> Create(const RunFormerOptions& options, std::vector<std::string>* notices);
  ~RunFormer();
  // Takes a buffer of whole records. Blocks while a full run waits for the previous one to be
  // written (the caller's pool then runs dry: back-pressure). After an error, buffers are dropped.
  void Put(Buffer buffer, int from = 0);
  // Sorts and writes what is left; waits for the worker. The runs in order of formation.
  Result<std::vector<SortedRun>> Close();
  // Memory one run of `run_records` records costs besides its records: entries and write buffers.
  static uint64_t OverheadBytes(const DiskOptions& disk, uint64_t run_records);
  // Where run formation's time went (the sort's JSON details, docs/results.md): the worker's
  // seconds sorting runs, gathering them into write buffers (from creating the run's file; with the
  // journal's CRC-32; waiting for a free buffer while the writes before it are under way) and
  // closing each run (its last writes, its sync and name, and the journal's entry); the producer's
  // seconds waiting for the worker to finish the run before (in Put) and the last one (in Close).
  // Runs formed by this attempt only (a resumed sort's kept runs are not counted). Read after
  // Close(), which joins the worker.
  struct Timings {
    uint64_t runs = 0;
    double sort_s = 0, gather_s = 0, close_s = 0;  // the worker's
    double producer_wait_s = 0;                    // the producer's
  };
  const Timings& timings() const { return timings_; }

 private:
  RunFormer(const RunFormerOptions& options, std::unique_ptr<RecordSorter> sorter, std::unique_ptr<MemPool> write_pool,
            std::vector<std::string>* notices);
  void HandOff();  // producer: gives the filling run to the worker (waits until it is idle)
  void Work();     // worker thread
  Status WriteRun(std::vector<Buffer>& batch, uint64_t records, const std::vector<uint64_t>& before,
                  const std::vector<uint64_t>& after);

  RunFormerOptions options_;
  std::unique_ptr<RecordSorter> sorter_;
  std::unique_ptr<MemPool> write_pool_;
  std::vector<std::string>* notices_;
  std::vector<Buffer> filling_;
  uint64_t filling_records_ = 0;
  std::vector<uint64_t> arrived_;     // records from each stream so far (producer's)
  std::vector<uint64_t> handed_off_;  // arrived_ when the last run was handed off (producer's)

  std::mutex mu_;
  std::condition_variable cv_;
  bool has_batch_ = false;  // the worker has a run to sort and write
  bool closing_ = false;
  std::vector<Buffer> batch_;
  uint64_t batch_records_ = 0;
  std::vector<uint64_t> batch_before_, batch_after_;  // the batch's arrival counts
  Status status_;
  std::vector<SortedRun> runs_;              // the worker's until it is joined
  std::vector<std::string> worker_notices_;  // likewise; appended to *notices_ at Close
  Timings timings_;  // runs, sort_s, gather_s, close_s: the worker's; producer_wait_s: the producer's
  std::thread worker_;
};

}  // namespace rs::sort
