#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests that need one (store suite on PostgreSQL).
#   pg_test_server.sh start DIR   initdb in DIR, start on a Unix socket in DIR (no TCP), print
#                                 the connection URL on stdout (and write it to DIR/url)
#   pg_test_server.sh stop DIR    stop the server and remove DIR
# CONTEXTEN_PG_FSYNC=on makes the server fsync its WAL at commit as a production one does (fsync
# and synchronous_commit on); benchmarks that compare engines set it, since SQLite's store
# fsyncs every commit (synchronous=FULL). Default off: tests throw the data away and want speed.
# initdb refuses root: as root the server runs as the `postgres` system user (Debian's packages
# create it). Exits non-zero, with the reason on stderr, when PostgreSQL is not installed or will
# not start; callers then run the tests without it (they skip with a message).
set -euo pipefail

bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

case "$cmd" in
  start)
    bin=$(bindir) || { echo "pg_test_server: PostgreSQL is not installed (no initdb)" >&2; exit 1; }
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      echo "pg_test_server: running as root and there is no 'postgres' user to run the server" >&2
      exit 1
    fi
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    as_server_user "$bin/initdb" -D "$dir/data" -A trust -U contexten --no-sync -E UTF8 --locale=C \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # Unix socket only. fsync off by default: the data is thrown away, and the tests' speed
    # matters. With CONTEXTEN_PG_FSYNC=on, commits are durable (the server's defaults).
    case "${CONTEXTEN_PG_FSYNC:-off}" in
      on) durability="-c fsync=on -c synchronous_commit=on" ;;
      off) durability="-c fsync=off" ;;
      *) echo "pg_test_server: CONTEXTEN_PG_FSYNC must be on or off" >&2; exit 2 ;;
    esac
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses='' -k $dir -p 5432 $durability -c max_connections=200" start \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    url="postgresql:///postgres?host=$dir&port=5432&user=contexten"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
  stop)
    if bin=$(bindir) && [[ -d "$dir/data" ]]; then
      as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
