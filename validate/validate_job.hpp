// validate/validate_job.hpp — `riversort validate` on every rank: each rank validates its own
// partition, rank 0 combines the summaries in rank order and reports exactly as valsort would
// for the concatenated partitions; optionally checks records and checksum against the input.
// Every path is checked before the first record is read (io/write_guard.hpp): the partitions,
// --summaries and --manifest exist and are files, --summary-out is not one of them and its
// directory is writable. Collective over the Comm; every rank returns the same outcome.
#pragma once

#include <optional>
#include <string>

#include "core/comm.hpp"
#include "core/dataset_paths.hpp"
#include "core/record_shape.hpp"
#include "core/uint128.hpp"
#include "river/disk_options.hpp"

namespace rs::validate {

struct ValidateJobOptions {
  DatasetPaths paths;                      // the partitions (unused with summaries_in)
  std::string summaries_in;                // --summaries F: combine a file of summaries (valsort -s)
  std::string summary_out;                 // --summary-out F: write the combined 280-byte summary
  std::string manifest;                    // --manifest M: expect its records and checksum
  std::optional<u128> expect_checksum;     // --expect-checksum X
  std::optional<uint64_t> expect_records;  // records the input held (a sort's --validate)
  // What the expectations above come from, for a mismatch's message (a sort's --validate: "the
  // input's manifest M" or "the records the sort read"), and the command that checks the input
  // itself, when the input, not the sort, may be what changed. Empty: "--expect-checksum".
  std::string expect_source;
  std::string input_check;
  int threads = 0;    // TBB threads per rank; 0 = one per core
  DiskOptions disk;   // how partitions are read
  RecordShape shape;  // the records' size, key size and key offset (a manifest must agree)
};

struct ValidateOutcome {
  std::string report;  // valsort's report lines (rank 0 prints them to stderr)
  std::string error;   // one line when something failed or did not match; empty otherwise
  int exit_code = 0;
};

ValidateOutcome RunValidateJob(Comm& comm, const ValidateJobOptions& options);

}  // namespace rs::validate
