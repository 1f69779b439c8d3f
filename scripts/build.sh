#!/usr/bin/env bash
# Configures and builds into build/ (the executable lands at build/contexten).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${CONTEXTEN_BUILD_DIR:-build}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
fi
cmake --build "$BUILD_DIR" -j "$(nproc)" "$@"
