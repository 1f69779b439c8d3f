#!/bin/bash
# Container health check: GET PATH (default /readyz) on 127.0.0.1:PORT (CONTEXTEN_HTTP_PORT, else
# 8080) and succeed only on an HTTP 200. Plain bash (/dev/tcp) so the image needs no curl.
#   contexten-healthcheck [/readyz|/healthz]
set -u
path="${1:-/readyz}"
port="${CONTEXTEN_HTTP_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
IFS=' ' read -r -t 3 _ status _ <&3 || exit 1
[ "$status" = "200" ]
