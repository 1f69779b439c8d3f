#!/usr/bin/env bash
# libFuzzer targets (fuzz/), built with clang 14 + ASan + UBSan into build-fuzz/.
#   bash scripts/fuzz.sh build                  # configure and build every target
#   bash scripts/fuzz.sh smoke [SECONDS]        # build, then each target SECONDS (default 5); CI
#   bash scripts/fuzz.sh long [RUNS] [TARGET..] # each target RUNS executions (default 10000000),
#                                               # one after another; prints the results table
#                                               # (FUZZ_MAX_SECONDS caps each target's time)
#   bash scripts/fuzz.sh run TARGET [libFuzzer args]
# Corpora grow in build-fuzz/corpus/<target>/, seeded from fuzz/corpus/<target>/ and the public
# samples fuzz/seeds.mjs writes (Slack fixtures in ../shared/contracts, octokit's examples).
# A crash, leak, timeout or broken property fails the command and leaves the input in
# build-fuzz/artifacts/; make it a regression unit test, then fix.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${CONTEXTEN_FUZZ_DIR:-build-fuzz}"
CXX_FUZZ="${CXX_FUZZ:-clang++-14}"
mode="${1:-smoke}"
shift || true

build() {
  command -v "$CXX_FUZZ" >/dev/null || { echo "fuzz: $CXX_FUZZ not found (scripts/setup.sh)" >&2; exit 1; }
  local launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  fi
  if [ ! -f "$DIR/build.ninja" ]; then
    cmake -S . -B "$DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1" \
      -DCMAKE_CXX_COMPILER="$CXX_FUZZ" -DCONTEXTEN_FUZZ=ON -DCONTEXTEN_BUILD_TESTS=OFF \
      -DCONTEXTEN_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
  fi
  cmake --build "$DIR" --target fuzzers -j "${FUZZ_JOBS:-$(nproc)}"
}

targets() { (cd "$DIR/fuzz" && ls -- *_fuzzer | sed 's/_fuzzer$//'); }

seed() {
  rm -rf "$DIR/seeds" && mkdir -p "$DIR/seeds" "$DIR/artifacts"
  local shared="${CONTEXTEN_SHARED_DIR:-../shared}"
  if command -v node >/dev/null; then
    node fuzz/seeds.mjs "$shared" tests/contract/node_modules "$DIR/seeds"
  fi
}

# The longest input each target is given. Without -max_len libFuzzer takes the largest seed,
# and two public Slack fixtures are over 120 KB (large modals): every mutation then re-parsed up
# to that much JSON, and the Slack targets ran at ~3k exec/s. Each bound still reaches every
# limit and branch of its parser: Block Kit's limits go up to 3,000 characters (kMessageText's
# 40,000 is the same Length check), an envelope or interaction needs a few KB, the grammar looks
# 4 KB ahead for a closing quote, the intent parser stops at 400 tokens and 2 KB of quote (longer
# text: their unit tests). Flags given on the command line come later and win.
max_len() {
  case "$1" in
    block_kit_validate | interaction_payload | socket_mode_envelope | command_grammar) echo 8192 ;;
    github_webhook) echo 32768 ;;  # octokit's examples run to 24 KB
    *) echo 4096 ;;
  esac
}

# run TARGET ARGS...: one libFuzzer session; its log goes to $DIR/logs/TARGET.log.
run_one() {
  local target="$1"
  shift
  mkdir -p "$DIR/corpus/$target" "$DIR/seeds/$target" "$DIR/logs"
  local dirs=("$DIR/corpus/$target" "$DIR/seeds/$target")
  [ -d "fuzz/corpus/$target" ] && dirs+=("fuzz/corpus/$target")
  [ -d "fuzz/regressions/$target" ] && dirs+=("fuzz/regressions/$target")
  "$DIR/fuzz/${target}_fuzzer" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
    -max_len="$(max_len "$target")" -artifact_prefix="$DIR/artifacts/$target-" "$@" "${dirs[@]}" \
    >"$DIR/logs/$target.log" 2>&1
}

# One table row from a finished session's log.
row() {
  local target="$1" status="$2" log="$DIR/logs/$1.log"
  local execs cov ft corpus
  execs=$(awk '/stat::number_of_executed_units/ {n = $2} END {print n}' "$log")
  cov=$(awk '{for (i = 1; i < NF; i++) if ($i == "cov:") n = $(i + 1)} END {print n}' "$log")
  ft=$(awk '{for (i = 1; i < NF; i++) if ($i == "ft:") n = $(i + 1)} END {print n}' "$log")
  corpus=$(find "$DIR/corpus/$target" -type f | wc -l)
  printf '| %-22s | %12s | %7s | %6s | %7s | %s |\n' "$target" "${execs:-?}" "$corpus" \
    "${cov:-?}" "${ft:-?}" "$status"
}

session() {  # session "LIBFUZZER FLAGS" TARGETS...
  local flags="$1" failed=0
  shift
  printf '| %-22s | %12s | %7s | %6s | %7s | %s |\n' target executions corpus cov features result
  printf '|%s|\n' "------------------------|--------------|---------|--------|---------|--------"
  for target in "$@"; do
    local start status
    start=$(date +%s)
    # shellcheck disable=SC2086  # the flags are words
    if run_one "$target" $flags; then
      status="ok, $(( $(date +%s) - start )) s"
    else
      status="FAILED (log: $DIR/logs/$target.log)"
      failed=1
    fi
    row "$target" "$status"
  done
  if [ "$failed" -ne 0 ]; then
    grep -hE 'ERROR|SUMMARY|fuzz property violated|Test unit written' "$DIR"/logs/*.log | head -20 >&2
    return 1
  fi
}

case "$mode" in
  build) build ;;
  smoke)
    build && seed
    # A fixed seed: the same mutations on every CI run, so a red smoke means a change broke it.
    session "-max_total_time=${1:-5} -seed=1" $(targets)
    ;;
  long)
    runs="${1:-10000000}"
    shift || true
    build && seed
    # -jobs/-workers stay at one: the machine is shared; run this under `nice -n 19`.
    flags="-runs=$runs"
    # ASan keeps every distinct allocation stack for the life of the process (its stack depot).
    # Debian's libyaml-cpp is built without frame pointers, so ASan's fast unwinder reads garbage
    # past the allocation's caller and nearly every stack is new: config_yaml slowed from 3,360
    # to 745 exec/s while its RSS grew to 1.3 GB (the same inputs looped without ASan stay at
    # 5 MB). Two frames, the allocation and its caller, are read reliably and name the site;
    # `run` keeps the full stacks for replaying a crash.
    export ASAN_OPTIONS="${ASAN_OPTIONS:-malloc_context_size=2}"
    [ -n "${FUZZ_MAX_SECONDS:-}" ] && flags="$flags -max_total_time=$FUZZ_MAX_SECONDS"
    # shellcheck disable=SC2046
    session "$flags" $([ $# -gt 0 ] && echo "$@" || targets)
    ;;
  run)
    target="$1"
    shift
    build >/dev/null && seed >/dev/null
    run_one "$target" "$@" || { tail -30 "$DIR/logs/$target.log"; exit 1; }
    tail -5 "$DIR/logs/$target.log"
    ;;
  *) echo "usage: scripts/fuzz.sh build|smoke [SECONDS]|long [RUNS] [TARGET..]|run TARGET [ARGS]" >&2; exit 2 ;;
esac
