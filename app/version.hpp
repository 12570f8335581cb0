// app/version.hpp — what `riversort --version` prints.
#pragma once

#include <string>

namespace rs::cli {
// The release (VERSION), the commit built, the build type, and the MPI, liburing and oneTBB
// versions, one per line.
std::string VersionText();
}  // namespace rs::cli
