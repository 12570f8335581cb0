// tests/support/stripe_io.hpp — write test data into striped files by the striped layout (docs/dataset.md#names),
// straight through the member fds (independent of DiskSink, which the tests check).
#pragma once

#include <string>
#include <vector>

#include "io/striped_file.hpp"

namespace rs::test {

// Writes `data` at logical offset 0 of `file` (created, not yet committed); gtest failures on error.
void WriteStripedData(const StripedFile& file, const std::string& data);
// Creates the striped file over `members` with unit `unit`, writes `data` and commits it.
void WriteStriped(const std::vector<std::string>& members, uint64_t unit, const std::string& data);

}  // namespace rs::test
