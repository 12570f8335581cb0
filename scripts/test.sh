#!/usr/bin/env bash
# scripts/test.sh — the README's test command: installs missing packages, builds (Release) and
# runs every test with ctest. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}"
rs_build build
rs_say "test: ctest --test-dir build -j$(nproc) --output-on-failure"
ctest --test-dir build -j"$(nproc)" --output-on-failure
