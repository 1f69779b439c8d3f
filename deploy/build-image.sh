#!/usr/bin/env bash
# Builds the container image without a Docker engine, then runs it:
#   1. debootstrap --variant=minbase bookworm from this machine's configured Debian mirror,
#      trimmed like Debian's own -slim images, imported as the local base image;
#   2. checks that the build context (.dockerignore) holds no build folder or node_modules;
#   3. buildah bud --isolation=chroot of deploy/Dockerfile (both stages on that base);
#   4. runs `contexten --version`, a `contexten sandbox --script`, and `contexten run` answering
#      its HEALTHCHECK and exiting cleanly on SIGTERM, all inside the image, as its non-root user;
#   5. prints the image size.
# Takes minutes (a Release build inside the image); not part of CI's default run. Needs root.
#   bash deploy/build-image.sh                  # image: localhost/contexten:latest
#   CONTEXTEN_IMAGE=name:tag CONTEXTEN_REBUILD_BASE=1 bash deploy/build-image.sh
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${CONTEXTEN_IMAGE:-localhost/contexten:latest}"
BASE="${CONTEXTEN_BASE_IMAGE:-localhost/contexten-base:bookworm}"
WORK="${CONTEXTEN_IMAGE_WORK:-/var/tmp/contexten-image}"
SUITE=bookworm
step() { echo "== build-image: $*"; }
fail() { echo "build-image: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap and buildah's chroot isolation need it)"

# --- tools, from Debian (not in scripts/setup.sh: only this script needs them) -------------------
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v buildah >/dev/null || need+=(buildah)
command -v podman >/dev/null || need+=(podman)
if [ "${#need[@]}" -gt 0 ]; then
  step "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" fuse-overlayfs uidmap >/dev/null
fi

# --- the machine's Debian mirror ---------------------------------------------------------------
# First `URIs:` of a deb822 source (or first `deb` line) that serves the suite, not security.
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  mirror=$(awk '/^URIs:/ {u=$2} /^Suites:/ && $0 ~ " '"$SUITE"'( |$)" && u !~ /security/ {print u; exit}' "$f")
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" && $3 == "'"$SUITE"'" {print $2; exit}' /etc/apt/sources.list)
fi
mirror="${mirror:-http://deb.debian.org/debian}"
security="${mirror%/debian}/debian-security"

# --- 1. base image -----------------------------------------------------------------------------
if [ -n "${CONTEXTEN_REBUILD_BASE:-}" ] || ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  step "debootstrap --variant=minbase $SUITE from $mirror"
  rootfs="$WORK/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -20 "$WORK/debootstrap.log"; fail "debootstrap failed (log: $WORK/debootstrap.log)"; }
  # The same trims Debian's -slim images make: no documentation, manuals or translations now or
  # in any later apt-get install, no package lists or caches in the image.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
SLIM
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,groff,info,locale,lintian,linda}/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$rootfs/etc/apt/apt.conf.d/90-no-recommends"
  printf 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };\n' \
    >"$rootfs/etc/apt/apt.conf.d/90-clean"
  # No service starts inside an image build.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d" && chmod +x "$rootfs/usr/sbin/policy-rc.d"
  cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
deb $security $SUITE-security main
SOURCES
  step "importing the root file system as $BASE"
  tar -C "$rootfs" --numeric-owner -c . |
    podman import --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      - "$BASE" >/dev/null
  rm -rf "$rootfs"
fi

# --- 2. the context holds no build folder and no node_modules (acceptance: .dockerignore) --------
step "checking the build context"
probe="$WORK/context-probe.Containerfile"
mkdir -p "$WORK"
cat >"$probe" <<PROBE
FROM $BASE
COPY . /context
RUN found=\$(find /context \( -name node_modules -o -name CMakeCache.txt -o -name '*.ninja' \
      -o -path '/context/build' -o -path '/context/build-*' -o -path '/context/.git' \) -print); \
    if [ -n "\$found" ]; then echo "context holds:"; echo "\$found" | head; exit 1; fi; \
    echo "context: \$(du -sh /context | cut -f1), \$(find /context -type f | wc -l) files"
PROBE
buildah bud --isolation=chroot --layers=false -f "$probe" -t localhost/contexten-context-probe . 2>&1 |
  grep -E '^(context|/context)' ||
  fail "the build context holds a build folder or node_modules: fix .dockerignore"
buildah rmi localhost/contexten-context-probe >/dev/null 2>&1 || true

# --- 3. the image --------------------------------------------------------------------------------
step "buildah bud deploy/Dockerfile -> $IMAGE"
start=$(date +%s)
buildah bud --isolation=chroot --layers --format docker \
  --build-arg BASE="$BASE" --build-arg RUNTIME_BASE="$BASE" \
  -f deploy/Dockerfile -t "$IMAGE" .
step "image built in $(( $(date +%s) - start )) s"

# --- 4. run it -----------------------------------------------------------------------------------
ctr=$(buildah from --pull-never "$IMAGE")
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
run() { buildah run --isolation=chroot "$ctr" -- "$@"; }

step "contexten --version"
version=$(run contexten --version)
echo "$version"
[[ "$version" == contexten\ * ]] || fail "unexpected --version output"

uid=$(run id -u)
[ "$uid" != "0" ] || fail "the image runs as root"
echo "runs as uid $uid"

step "contexten sandbox --script"
transcript=$(run bash -c 'printf "/ctx help\n/ctx ping\n" >/tmp/smoke && contexten sandbox --script /tmp/smoke')
echo "$transcript"
grep -q 'pong' <<<"$transcript" || fail "the sandbox script did not answer /ctx ping"

# `contexten run` connected to the built-in stand-ins (`sandbox --peers-only` prints their
# settings): the image's HEALTHCHECK command must see /readyz turn 200 once Slack is connected,
# and SIGTERM must end the process with status 0 (drained, not killed).
step "HEALTHCHECK (/readyz) and SIGTERM"
# buildah run shares the host's network: a free high port rather than 8080.
port=$(( 20000 + RANDOM % 20000 ))
run env CONTEXTEN_HTTP_PORT="$port" bash -c '
  contexten sandbox --peers-only </dev/null >/tmp/peers.out 2>&1 &
  peers=$!
  for _ in $(seq 1 150); do grep -q "serving until" /tmp/peers.out && break; sleep 0.2; done
  env $(grep -v "^#" /tmp/peers.out | grep "=") CONTEXTEN_STORE_PATH=/tmp/health.db \
    contexten run --config /etc/contexten/config.yaml >/tmp/run.log 2>&1 &
  pid=$!
  for _ in $(seq 1 150); do
    contexten-healthcheck /readyz 2>/dev/null && break
    kill -0 $pid 2>/dev/null || { cat /tmp/run.log; exit 1; }
    sleep 0.2
  done
  contexten-healthcheck /healthz || { echo "/healthz not 200"; cat /tmp/run.log; exit 1; }
  contexten-healthcheck /readyz || { echo "/readyz never 200"; cat /tmp/run.log; exit 1; }
  echo "healthcheck: /healthz and /readyz answer 200"
  kill -TERM $pid
  wait $pid; status=$?
  echo "SIGTERM: contexten run exited with status $status"
  kill -TERM $peers; wait $peers
  exit $status' || fail "health check or SIGTERM drain failed"

# --- 5. size --------------------------------------------------------------------------------------
bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "image $IMAGE: $(( bytes / 1000000 )) MB ($bytes bytes)"
[ "$bytes" -le 120000000 ] || echo "build-image: WARNING: the image is over its 120 MB goal"
podman history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | cut -c1-110 | head -20
