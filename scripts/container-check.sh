#!/usr/bin/env bash
# Build the askdocs image and check that it serves /health/live: a maintainer's check, not
# part of CI. Works without a Docker engine or an image registry (Debian 12 host, root):
#   1. a Debian bookworm minbase with python3 + python3-venv (3.11) is debootstrapped and
#      committed as the local base image (skipped when it exists already);
#   2. buildah builds the Containerfile on that base (vfs storage, chroot isolation, docker
#      format so HEALTHCHECK is kept), pip trusting the host's CA bundle;
#   3. podman runs it on 127.0.0.1:$PORT and the health endpoint and healthcheck are probed.
# Needs: apt-get install -y buildah podman debootstrap runc
# Env: PORT (default 18000), KEEP=1 leaves the container running, MIRROR, IMAGE, BASE.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
BASE=${BASE:-localhost/askdocs-base:bookworm}
IMAGE=${IMAGE:-localhost/askdocs:dev}
NAME=${NAME:-askdocs-check}
PORT=${PORT:-18000}
CA=/etc/ssl/certs/ca-certificates.crt
WORK=${WORK:-/var/tmp/askdocs-container}
STORAGE=(--storage-driver vfs)

for tool in buildah podman debootstrap runc curl; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y buildah podman debootstrap runc" >&2; exit 1; }
done
mkdir -p "$WORK"

# podman: runc + cgroupfs (no systemd here), file event logging, ulimits this machine allows.
cat >"$WORK/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF="$WORK/containers.conf"

# 1. base image
if ! buildah "${STORAGE[@]}" inspect --type image "$BASE" >/dev/null 2>&1; then
    echo "== debootstrap bookworm minbase -> $BASE"
    rm -rf "$WORK/rootfs"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$WORK/rootfs" "$MIRROR"
    rm -rf "$WORK"/rootfs/var/lib/apt/lists/* "$WORK"/rootfs/var/cache/apt/*.bin \
        "$WORK"/rootfs/usr/share/doc/* "$WORK"/rootfs/usr/share/man/* \
        "$WORK"/rootfs/usr/share/info/* "$WORK"/rootfs/usr/share/locale/*
    tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
    ctr=$(buildah "${STORAGE[@]}" from scratch)
    buildah "${STORAGE[@]}" add "$ctr" "$WORK/rootfs.tar" /
    buildah "${STORAGE[@]}" config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
    buildah "${STORAGE[@]}" commit "$ctr" "$BASE"
    buildah "${STORAGE[@]}" rm "$ctr"
    rm -rf "$WORK/rootfs" "$WORK/rootfs.tar"
fi

# 2. the image
echo "== buildah bud -> $IMAGE"
buildah "${STORAGE[@]}" bud --isolation chroot --format docker \
    --build-arg BASE_IMAGE="$BASE" \
    --volume "$CA:/run/host-ca/ca.crt:ro" --build-arg PIP_CERT=/run/host-ca/ca.crt \
    -f "$ROOT/Containerfile" -t "$IMAGE" "$ROOT"
podman "${STORAGE[@]}" image ls "$IMAGE"

# 3. run and probe
podman "${STORAGE[@]}" rm -f "$NAME" >/dev/null 2>&1 || true
podman "${STORAGE[@]}" run -d --name "$NAME" -p "127.0.0.1:$PORT:8000" "$IMAGE"
cleanup() {
    if [[ "${KEEP:-0}" != 1 ]]; then podman "${STORAGE[@]}" rm -f "$NAME" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
ok=0
for _ in $(seq 1 30); do
    if curl -fsS "http://127.0.0.1:$PORT/health/live" 2>/dev/null; then ok=1; echo; break; fi
    if [[ "$(podman "${STORAGE[@]}" inspect -f '{{.State.Running}}' "$NAME")" != true ]]; then break; fi
    sleep 1
done
echo "== container logs"; podman "${STORAGE[@]}" logs "$NAME" 2>&1 | tail -40
if [[ $ok != 1 ]]; then echo "FAIL: /health/live did not answer" >&2; exit 1; fi
# No systemd here: run the image's HEALTHCHECK by hand.
podman "${STORAGE[@]}" healthcheck run "$NAME" && echo "healthcheck: healthy"
podman "${STORAGE[@]}" exec "$NAME" id
echo "OK: $IMAGE serves /health/live on 127.0.0.1:$PORT"
