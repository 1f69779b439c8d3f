#!/usr/bin/env bash
# README command 1: install, build, run. With Slack tokens configured (config file or
# SLACK_APP_TOKEN/SLACK_BOT_TOKEN) it connects to Slack; without, `contexten run` starts the
# sandbox: the whole bot against its built-in Slack stand-in, driven from this terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh --target contexten
args=(run)
if [ -n "${CONTEXTEN_CONFIG:-}" ]; then args+=(--config "$CONTEXTEN_CONFIG"); fi
exec build/contexten "${args[@]}" "$@"
