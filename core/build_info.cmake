# core/build_info.cmake — writes core/build_info.hpp (cmake -P). Run by the rs_build_info target on
# every build, not only when CMake configures: a commit made after configuring must still show in
# `riversort --version` and the result files. configure_file rewrites the header only when its text
# changes, so an unchanged commit recompiles nothing.
# Inputs (-D): RS_SOURCE_DIR, RS_IN (the .in template), RS_OUT, RS_VERSION, CMAKE_BUILD_TYPE.

set(RS_GIT_COMMIT unknown)  # outside a git checkout (a source tarball) or without git
execute_process(COMMAND git rev-parse --show-toplevel WORKING_DIRECTORY ${RS_SOURCE_DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE top OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
# The checkout must be this source tree's own: a tarball unpacked inside another repository must
# not report that repository's commit.
if(rc EQUAL 0)
  file(REAL_PATH "${top}" top)
  file(REAL_PATH "${RS_SOURCE_DIR}" src)
endif()
if(rc EQUAL 0 AND top STREQUAL src)
  execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${RS_SOURCE_DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0 AND commit)
    set(RS_GIT_COMMIT ${commit})
    # Tracked files that differ from the commit make the build not that commit's: say so.
    # (Untracked files — data, results — do not.)
    execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY ${RS_SOURCE_DIR}
                    RESULT_VARIABLE dirty ERROR_QUIET)
    if(dirty EQUAL 1)
      string(APPEND RS_GIT_COMMIT -dirty)
    endif()
  endif()
endif()
configure_file(${RS_IN} ${RS_OUT} @ONLY)
