// tests/support/expect_status.hpp — one check for a failure's parts: the exact line, the code,
// the errno and the path (tests assert all four, not only the text).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/status.hpp"

namespace rs::test {

inline void ExpectFailure(const Status& st, const std::string& line, StatusCode code, int sys_errno,
                          const std::string& path) {
  EXPECT_FALSE(st.ok()) << "expected: " << line;
  EXPECT_EQ(st.message(), line);
  EXPECT_EQ(st.code(), code) << StatusCodeName(st.code()) << " instead of " << StatusCodeName(code);
  EXPECT_EQ(st.sys_errno(), sys_errno);
  EXPECT_EQ(st.path(), path);
}

}  // namespace rs::test
