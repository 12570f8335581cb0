# cmake/packaging.cmake — `cmake --install` and the Debian package (`cpack`, in the build directory).
# Included last from the top CMakeLists.txt: CPack packs the install rules declared before it.
# app/CMakeLists.txt installs the executable (bin/). The man page and the documents go here.
install(FILES ${CMAKE_SOURCE_DIR}/docs/riversort.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/LICENSE ${CMAKE_SOURCE_DIR}/CHANGELOG.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The README sends the reader to docs/ for every format and algorithm.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
# scripts/ is not installed: every script works on the source tree (it builds into ./build,
# writes under ./results, runs tests/), so outside a checkout none of them would run.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME riversort)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "cluster external sort benchmark: gensort-compatible generation, MPI sorts, valsort-compatible validation")
set(CPACK_PACKAGE_DESCRIPTION
    "riversort generates Sort Benchmark datasets byte-for-byte like gensort, sorts them across nodes \
over MPI (the Datamation sort and out-of-core terabyte sorts with io_uring disk streams), validates \
the result like valsort across ranks, and benchmarks disk striping and buffer depth.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # a Release binary without its symbol table: a fraction of the size
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # riversort_VERSION_ARCH.deb
set(RS_PACKAGE_MAINTAINER "riversort maintainers <maintainers@users.noreply.h-seed-56197714.example>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${RS_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# mpirun is no shared library, so no library scan finds it: the package names it.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "openmpi-bin")
# dpkg-shlibdeps (dpkg-dev) names the package of every library the binary loads, with the minimum
# versions the symbols need; CPack appends them to the Depends above. Without it, the Debian 12
# names of those libraries are listed by hand (scripts/package_test.sh checks either way that
# every library the binary loads comes from a package in Depends).
find_program(RS_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(RS_FILE file)  # CPack finds the ELF files to scan with file(1)
if(RS_DPKG_SHLIBDEPS AND RS_FILE)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS
         ", libc6, libstdc++6, libgcc-s1, libopenmpi3, liburing2, libtbb12, libdeflate0, libisal2")
endif()
# A source package is not made here; should anyone run `make package_source`, build trees and git
# metadata stay out of it.
set(CPACK_SOURCE_IGNORE_FILES "/build[^/]*/" "/\\\\.git/")
include(CPack)
