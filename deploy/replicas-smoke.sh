#!/usr/bin/env bash
# The topology of deploy/compose.replicas.yaml on this host, without containers: a throwaway
# PostgreSQL (scripts/pg_test_server.sh), the Slack/GitHub/Linear stand-ins (`contexten sandbox
# --peers-only`) in place of the real platforms, two `contexten run` replicas with their own
# replica_id (deploy/replicas/contexten-N.yaml) on the same store URL, every secret read from a
# file as in the compose file, and, when haproxy is installed, deploy/balancer/haproxy.cfg in
# front of them. Checks:
#   - /readyz answers 200 on both replicas (and through the balancer)
#   - a signed GitHub webhook is accepted by both replicas, and one delivery sent to both (the
#     same X-GitHub-Delivery, as a retry after a timeout would be) is stored once
#   - a delivery through the balancer is stored once
# Exits non-zero on the first failed check, with the replicas' log tails.
#   deploy/replicas-smoke.sh [path/to/contexten]          (default: build/contexten)
set -euo pipefail
cd "$(dirname "$0")/.."
bot=$(realpath "${1:-build/contexten}")
[[ -x "$bot" ]] || { echo "replicas-smoke: no executable at $bot (build it first)" >&2; exit 2; }
for tool in curl openssl psql; do
  command -v "$tool" >/dev/null || { echo "replicas-smoke: needs $tool" >&2; exit 2; }
done

work=$(mktemp -d /tmp/contexten-replicas-smoke-XXXXXX)
# Beside, not inside, the work directory: as root the server runs as `postgres`, which cannot
# enter a mode-700 directory of root's.
pg_dir=$(mktemp -u /tmp/contexten-replicas-smoke-pg-XXXXXX)
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash scripts/pg_test_server.sh stop "$pg_dir" || true
  if [[ $status -eq 0 ]]; then rm -rf "$work"; else echo "replicas-smoke: kept $work" >&2; fi
}
trap cleanup EXIT

fail() {
  echo "replicas-smoke: FAIL: $*" >&2
  for log in "$work"/*.log; do echo "--- $log" >&2; tail -n 20 "$log" >&2; done
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (at most $2 seconds) for an HTTP 200 from URL $1.
wait_200() {
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}

# 1. PostgreSQL. Its URL is a secret: it goes to a file, as deploy/secrets/store_url does.
store_url=$(bash scripts/pg_test_server.sh start "$pg_dir")
umask 077
mkdir -p "$work/secrets"
printf '%s' "$store_url" >"$work/secrets/store_url"

# 2. The stand-ins. Webhooks from them go to replica 1 (Linear and GitHub each have one URL).
port1=$(free_port)
port2=$(free_port)
"$bot" sandbox --peers-only --webhook-base "http://127.0.0.1:$port1" >"$work/peers.env" \
  2>"$work/peers.log" &
pids+=($!)
deadline=$((SECONDS + 30))
until grep -q '^LINEAR_WEBHOOK_SECRET=' "$work/peers.env" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "the stand-ins did not start"
  sleep 0.1
done
setting() { grep "^$1=" "$work/peers.env" | head -n1 | cut -d= -f2-; }
# Every secret in a file of its own, read through the *_FILE variables (compose.replicas.yaml).
for name in SLACK_APP_TOKEN SLACK_BOT_TOKEN GITHUB_TOKEN GITHUB_WEBHOOK_SECRET LINEAR_API_KEY \
  LINEAR_WEBHOOK_SECRET; do
  printf '%s' "$(setting "$name")" >"$work/secrets/$name"
done

# 3. Two replicas: each its own config (replica_id), the same store URL file. The replica
# configs bind 0.0.0.0:8080 for containers; here the port and address come from the environment.
start_replica() {
  local n=$1 port=$2
  env -i PATH="$PATH" HOME="$work" \
    SLACK_API_URL="$(setting SLACK_API_URL)" GITHUB_API_URL="$(setting GITHUB_API_URL)" \
    LINEAR_API_URL="$(setting LINEAR_API_URL)" LINEAR_DEFAULT_TEAM=ENG \
    CONTEXTEN_STORE_URL_FILE="$work/secrets/store_url" \
    SLACK_APP_TOKEN_FILE="$work/secrets/SLACK_APP_TOKEN" \
    SLACK_BOT_TOKEN_FILE="$work/secrets/SLACK_BOT_TOKEN" \
    GITHUB_TOKEN_FILE="$work/secrets/GITHUB_TOKEN" \
    GITHUB_WEBHOOK_SECRET_FILE="$work/secrets/GITHUB_WEBHOOK_SECRET" \
    LINEAR_API_KEY_FILE="$work/secrets/LINEAR_API_KEY" \
    LINEAR_WEBHOOK_SECRET_FILE="$work/secrets/LINEAR_WEBHOOK_SECRET" \
    CONTEXTEN_HTTP_BIND=127.0.0.1 CONTEXTEN_HTTP_PORT="$port" CONTEXTEN_LOG_FORMAT=text \
    "$bot" run --config "deploy/replicas/contexten-$n.yaml" >"$work/contexten-$n.log" 2>&1 &
  pids+=($!)
}
start_replica 1 "$port1"
wait_200 "http://127.0.0.1:$port1/readyz" 60 || fail "replica 1: /readyz is not 200"
start_replica 2 "$port2"
wait_200 "http://127.0.0.1:$port2/readyz" 60 || fail "replica 2: /readyz is not 200"
echo "ok: /readyz 200 on both replicas (ports $port1, $port2)"

# 4. Webhooks: signed as GitHub signs them (X-Hub-Signature-256, DESIGN.md §4).
secret=$(cat "$work/secrets/GITHUB_WEBHOOK_SECRET")
body='{"action":"created","starred_at":"2026-01-01T00:00:00Z","repository":{"full_name":"acme/web"},"sender":{"login":"octocat"}}'
signature="sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)"
post() {  # post PORT DELIVERY -> HTTP status
  curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$1/webhooks/github" \
    -H 'Content-Type: application/json' -H 'X-GitHub-Event: star' \
    -H "X-GitHub-Delivery: $2" -H "X-Hub-Signature-256: $signature" --data-binary "$body"
}
stored() {  # how many inbox rows hold delivery $1
  psql -X -q -t -A "$store_url" -c \
    "SELECT COUNT(*) FROM inbox WHERE source = 'github' AND dedupe_key = '$1'"
}
for n in 1 2; do
  port_var="port$n"
  status=$(post "${!port_var}" "smoke-replica-$n")
  [[ $status == 2* ]] || fail "replica $n answered $status to a signed webhook"
  [[ $(stored "smoke-replica-$n") == 1 ]] || fail "replica $n: the delivery is not stored once"
done
echo "ok: each replica accepted a signed webhook and stored it"
for port in "$port1" "$port2"; do
  status=$(post "$port" smoke-twice)
  [[ $status == 2* ]] || fail "a delivery sent again answered $status (a duplicate is acked)"
done
[[ $(stored smoke-twice) == 1 ]] || fail "a delivery sent to both replicas is stored $(stored smoke-twice) times"
echo "ok: one delivery sent to both replicas is stored once"

# 5. The balancer, when haproxy is here: the compose file's configuration with the servers
# pointed at this host's replicas.
if command -v haproxy >/dev/null; then
  port_lb=$(free_port)
  sed -e "s/^  bind :8080/  bind 127.0.0.1:$port_lb/" \
    -e "s/^  server contexten-1 contexten-1:8080/  server contexten-1 127.0.0.1:$port1/" \
    -e "s/^  server contexten-2 contexten-2:8080/  server contexten-2 127.0.0.1:$port2/" \
    deploy/balancer/haproxy.cfg >"$work/haproxy.cfg"
  haproxy -q -c -f "$work/haproxy.cfg" >/dev/null || fail "haproxy.cfg does not validate"
  haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  pids+=($!)
  wait_200 "http://127.0.0.1:$port_lb/readyz" 30 || fail "balancer: /readyz is not 200"
  for i in 1 2 3 4; do
    status=$(post "$port_lb" "smoke-balanced-$i")
    [[ $status == 2* ]] || fail "balancer answered $status to a signed webhook"
    [[ $(stored "smoke-balanced-$i") == 1 ]] || fail "a delivery through the balancer is not stored once"
  done
  echo "ok: webhooks through the balancer (haproxy) are stored once each"
else
  echo "skip: haproxy is not installed; the balancer was not exercised"
fi
echo "replicas-smoke: all checks passed"
