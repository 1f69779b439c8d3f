#!/usr/bin/env bash
# Builds the whole project and runs the whole test suite under sanitizers, each in its own build
# folder (never build/): `asan` = AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/),
# `tsan` = ThreadSanitizer (build-tsan/). Not part of CI's default run: each takes a full build.
#   bash scripts/sanitize.sh asan            # or: tsan, or: asan tsan
#   bash scripts/sanitize.sh asan -- -R unit # extra arguments after -- go to ctest
#   SANITIZE_TARGETS="unit_store_tests unit_core_tests" bash scripts/sanitize.sh tsan
#                                            # only those test binaries: build and run each
#   SANITIZE_BUILD="cron_next_tool github_requests_tool ..." bash scripts/sanitize.sh tsan -- -L contract
#                                            # build only those targets, then run the ctest selection
# Exits non-zero on a build failure or any test failure (a sanitizer report fails its test).
set -euo pipefail
cd "$(dirname "$0")/.."

kinds=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do kinds+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ "${#kinds[@]}" -gt 0 ] || kinds=(asan tsan)

LAUNCHER=()
if command -v ccache >/dev/null; then
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # The same sloppiness as scripts/build.sh: without it ccache does not cache the test binaries'
  # precompiled-header compiles.
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
fi
# The contract tests' npm packages (scripts/setup.sh installs them) are shared by every build dir.

# A throwaway PostgreSQL for the store suite's PostgreSQL half, as scripts/test.sh does (unless
# one is given), so the sanitized run covers the PostgreSQL store too. When it cannot start,
# those tests skip and say so.
if [ -z "${CONTEXTEN_TEST_PG_URL:-}" ]; then
  pg_dir="/tmp/contexten-pg-sanitize-$$"  # the server user must reach it: not a private TMPDIR
  if CONTEXTEN_TEST_PG_URL=$(bash scripts/pg_test_server.sh start "$pg_dir"); then
    export CONTEXTEN_TEST_PG_URL
    trap 'bash scripts/pg_test_server.sh stop "$pg_dir"' EXIT
    echo "sanitize: PostgreSQL for the store suite in $pg_dir"
  else
    unset CONTEXTEN_TEST_PG_URL
    echo "sanitize: WARNING: no PostgreSQL could be started; the PostgreSQL store tests will skip"
  fi
fi

for kind in "${kinds[@]}"; do
  case "$kind" in
    asan)
      # -Wno-maybe-uninitialized: with ASan's instrumentation GCC 12 reports false-positive
      # -Wmaybe-uninitialized (in std::optional and std::variant members the normal build does not
      # warn about), and -Werror turns them into a failed build. GCC documents the warning as
      # dependent on optimization and prone to false positives ("Warning Options",
      # -Wmaybe-uninitialized).
      flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
      flags="$flags -Wno-maybe-uninitialized"
      # detect_leaks: LeakSanitizer is part of ASan on Linux; abort_on_error gives a core-style
      # failure the test runner reports as a crash of that test.
      export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
      export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
      scale=3
      ;;
    tsan)
      # -Wno-tsan: GCC warns that TSan does not model std::atomic_thread_fence, which Boost.Asio
      # uses in its reactor (third-party headers); under -Werror that stops the build.
      flags="-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan"
      export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp"
      scale=5
      ;;
    *) echo "sanitize: unknown kind '$kind' (asan or tsan)" >&2; exit 2 ;;
  esac
  # Sanitized code runs several times slower (ASan about 2x, TSan 5-15x: the sanitizers'
  # documentation), so the tests' own deadlines (tests/support/wait_for.hpp) and CTest's
  # per-test timeouts are stretched by `scale`; what the tests check does not change.
  export CONTEXTEN_TEST_DEADLINE_SCALE="$scale"
  dir="build-$kind"
  start=$(date +%s)
  # -O1 keeps the suite fast enough while the reports still point at the right lines.
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCONTEXTEN_BUILD_BENCH=OFF \
    -DCONTEXTEN_TEST_TIMEOUT_SCALE="$scale" "${LAUNCHER[@]}" >/dev/null
  if [ -n "${SANITIZE_TARGETS:-}" ]; then
    # One binary at a time, built then run (all its tests in one process, from the folder CTest
    # would run it in), so results arrive in the order given; a failing binary does not stop
    # the others, and the command fails at the end.
    failed=()
    for target in $SANITIZE_TARGETS; do
      if ! cmake --build "$dir" -j "${SANITIZE_JOBS:-$(nproc)}" --target "$target"; then
        failed+=("$target (build)")
        continue
      fi
      exe=$(find "$dir/tests" -type f -name "$target" -perm -u+x | head -1)
      echo "sanitize[$kind]: $target (built after $(( $(date +%s) - start )) s)"
      if (cd "$(dirname "$exe")" && timeout 3600 "./$target" --gtest_brief=1 "$@"); then
        echo "sanitize[$kind]: $target clean"
      else
        echo "sanitize[$kind]: $target FAILED" >&2
        failed+=("$target")
      fi
    done
    if [ "${#failed[@]}" -gt 0 ]; then
      echo "sanitize[$kind]: failed: ${failed[*]}" >&2
      exit 1
    fi
  else
    # SANITIZE_BUILD: build only those targets, e.g. the contract tools for `-- -L contract`.
    # shellcheck disable=SC2086  # a list of target names
    cmake --build "$dir" -j "${SANITIZE_JOBS:-$(nproc)}" ${SANITIZE_BUILD:+--target $SANITIZE_BUILD}
    echo "sanitize[$kind]: build $(( $(date +%s) - start )) s"
    start=$(date +%s)
    ctest --test-dir "$dir" --output-on-failure -j "${SANITIZE_JOBS:-$(nproc)}" "$@"
  fi
  echo "sanitize[$kind]: tests $(( $(date +%s) - start )) s, clean"
done
