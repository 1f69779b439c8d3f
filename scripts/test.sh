#!/usr/bin/env bash
# README command 2: install, build everything, run the whole test suite (unit, integration,
# contract), build the Release executable (the image's build type) and run each fuzz target for
# a few seconds. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
start=$(date +%s)
bash scripts/build.sh
echo "build: $(( $(date +%s) - start )) s"
# A throwaway PostgreSQL for the store suite's PostgreSQL half (unless one is given). When it
# cannot start, those tests skip and say so; everything else runs.
if [ -z "${CONTEXTEN_TEST_PG_URL:-}" ]; then
  pg_dir="/tmp/contexten-pg-$$"  # the server user must reach it: not a private TMPDIR
  if CONTEXTEN_TEST_PG_URL=$(bash scripts/pg_test_server.sh start "$pg_dir"); then
    export CONTEXTEN_TEST_PG_URL
    trap 'bash scripts/pg_test_server.sh stop "$pg_dir"' EXIT
    echo "tests: PostgreSQL for the store suite in $pg_dir"
  else
    unset CONTEXTEN_TEST_PG_URL
    echo "tests: WARNING: no PostgreSQL could be started; the PostgreSQL store tests will skip"
  fi
fi
start=$(date +%s)
ctest --test-dir "${CONTEXTEN_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
echo "tests: $(( $(date +%s) - start )) s"
# The image builds Release (-O3), which warns where RelWithDebInfo does not; build its
# executable here too so that cannot regress unnoticed (ccache makes a rebuild cheap).
start=$(date +%s)
CONTEXTEN_BUILD_DIR=build-release CMAKE_BUILD_TYPE=Release bash scripts/build.sh --target contexten
echo "release executable: $(( $(date +%s) - start )) s"
# The runtime image installs deploy/runtime-packages.txt: it must hold every library this links.
bash deploy/check-runtime-packages.sh build-release/contexten
# Fuzz smoke: every libFuzzer target (clang, ASan + UBSan) a few seconds on its seed corpus.
start=$(date +%s)
bash scripts/fuzz.sh smoke "${CONTEXTEN_FUZZ_SMOKE_SECONDS:-5}"
echo "fuzz smoke: $(( $(date +%s) - start )) s"
