#!/usr/bin/env bash
# README command 2: install, build everything, run the whole test suite (unit, integration,
# contract). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
start=$(date +%s)
bash scripts/build.sh
echo "build: $(( $(date +%s) - start )) s"
start=$(date +%s)
ctest --test-dir "${CONTEXTEN_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
echo "tests: $(( $(date +%s) - start )) s"
