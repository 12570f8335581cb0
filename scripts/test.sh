#!/usr/bin/env bash
# scripts/test.sh — the README's test command: installs missing packages, builds (Release) and
# runs every test with ctest. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}"
rs_build build
# Some huge pages, so that the tests take both paths: buffers from the reserved pool while it has
# room, ordinary memory after (io/huge_tlb.hpp).
rs_reserve_huge_pages $((256 << 20))
rs_say "test: ctest --test-dir build -j$(nproc) --output-on-failure"
ctest --test-dir build -j"$(nproc)" --output-on-failure
