#!/usr/bin/env bash
# Installs everything the build, tests and benchmarks need on a fresh Debian 12 machine.
# Non-interactive and idempotent: a second run installs nothing and takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  g++ cmake ninja-build pkg-config git ca-certificates openssl
  libboost-dev libssl-dev libsqlite3-dev libsqlitecpp-dev sqlite3
  nlohmann-json3-dev libsimdjson-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libcli11-dev
  libhowardhinnant-date-dev libgtest-dev libgmock-dev googletest libbenchmark-dev
  nodejs npm ccache
)

# Fuzzing (scripts/fuzz.sh, run by scripts/test.sh): libFuzzer comes with clang 14's runtime.
APT_PACKAGES+=(clang-14 libclang-rt-14-dev)

# Test tools: promtool (Debian's prometheus package) checks the /metrics exposition
# (tests/integration/metrics_promtool_test.cpp skips with a message without it).
APT_PACKAGES+=(prometheus)

# The PostgreSQL store engine (store/postgres): libpq to build, and the server for the throwaway
# database the store suite runs on (scripts/pg_test_server.sh, started by scripts/test.sh).
APT_PACKAGES+=(libpq-dev postgresql)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A machine that already has node (e.g. from NodeSource) need not get Debian's.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=($(printf '%s\n' "${missing[@]}" | grep -vx -e nodejs -e npm || true))
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present"
fi

# Contract tests check us against the platforms' own published packages (Slack's Socket Mode
# client, GitHub's webhook examples and OpenAPI spec, the GraphQL reference validator).
# They go into a project-local folder, never into the repository.
if [ -f tests/contract/package.json ]; then
  if [ ! -d tests/contract/node_modules ] || [ tests/contract/package.json -nt tests/contract/node_modules ]; then
    echo "setup: installing contract-test npm packages"
    (cd tests/contract && npm install --no-audit --no-fund --loglevel=error >/dev/null)
    touch tests/contract/node_modules
  fi
fi
