#!/usr/bin/env bash
# Sets up the real Docker services container mode needs on a Debian machine, as root,
# without any registry on the internet (REFERENCE.md "Real services on this machine"):
#   1. apt-installs docker.io, debootstrap, docker-registry and docker-compose when missing;
#   2. starts dockerd in the background when no daemon answers (waits for `docker info`);
#   3. builds the Debian bookworm minbase base image once (debootstrap + docker import),
#      skipped when the image exists;
#   4. starts an OCI registry (Debian's docker-registry, distribution 2.8) on
#      127.0.0.1:$PREBUILDS_REGISTRY_PORT when nothing serves /v2/ there.
# Idempotent: run it again and it only checks. Prints the values to export at the end.
#
# Environment (all optional):
#   PREBUILDS_BASE_IMAGE     base image name        (default local/debian:bookworm)
#   PREBUILDS_REGISTRY_PORT  registry port          (default 5055)
#   PREBUILDS_SERVICES_DIR   logs, registry storage (default /var/lib/prebuilds-services)
set -euo pipefail

BASE_IMAGE=${PREBUILDS_BASE_IMAGE:-local/debian:bookworm}
REGISTRY_PORT=${PREBUILDS_REGISTRY_PORT:-5055}
STATE=${PREBUILDS_SERVICES_DIR:-/var/lib/prebuilds-services}

log() { echo "[services] $*" >&2; }
die() { echo "[services] error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts dockerd)"
mkdir -p "$STATE"

# 1. Packages.
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v docker-registry >/dev/null || need+=(docker-registry)
# compose.yaml's test (test/e2e/compose.test.ts) runs Debian's docker-compose 1.29.
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  log "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. The engine.
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $STATE/dockerd.log)"
  nohup dockerd >"$STATE/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -20 "$STATE/dockerd.log" >&2; die "dockerd did not answer within 60 s"; }
fi
log "docker $(docker version --format '{{.Server.Version}}') is up"

# 3. The base image, once.
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "base image $BASE_IMAGE exists"
else
  # The mirror apt already uses (deb822 sources first, then the one-line format).
  mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1 || true)
  [ -n "$mirror" ] || mirror=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d "$STATE/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  log "building $BASE_IMAGE with debootstrap from $mirror (about a minute)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$STATE/debootstrap.log" 2>&1 || { tail -20 "$STATE/debootstrap.log" >&2; die "debootstrap failed"; }
  # Let apt-get inside containers use the same mirror.
  echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
  rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*
  tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  trap - EXIT
  log "base image $BASE_IMAGE built"
fi

# 4. The registry.
if curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1; then
  log "registry on 127.0.0.1:$REGISTRY_PORT is up"
else
  mkdir -p "$STATE/registry"
  cat >"$STATE/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YML
  log "starting docker-registry on 127.0.0.1:$REGISTRY_PORT (log: $STATE/registry.log)"
  nohup docker-registry serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 </dev/null &
  for _ in $(seq 1 30); do
    curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1 || { tail -20 "$STATE/registry.log" >&2; die "the registry did not start"; }
fi

echo "PREBUILDS_BASE_IMAGE=$BASE_IMAGE"
echo "PREBUILDS_REGISTRY=127.0.0.1:$REGISTRY_PORT"
