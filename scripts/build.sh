#!/usr/bin/env bash
# Configures and builds into build/ (the executable lands at build/contexten).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${CONTEXTEN_BUILD_DIR:-build}"
# ccache (installed by setup.sh) makes a fresh clone on a machine that has built before compile in
# a minute or two: the cache lives outside the tree, keyed by preprocessed source.
LAUNCHER=()
if command -v ccache >/dev/null; then
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
  ccache --max-size=5G >/dev/null 2>&1 || true
fi
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" \
    "${LAUNCHER[@]}" >/dev/null
fi
cmake --build "$BUILD_DIR" -j "$(nproc)" "$@"
