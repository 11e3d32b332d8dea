#!/usr/bin/env bash
# The tools `nox -s container` builds and runs the image with, on a Debian 12 host without a
# Docker engine: buildah and podman (Debian's), runc, debootstrap for the base image, and
# netavark with aardvark-dns, so containers on one network (the compose stack's) find each
# other by name; Debian's podman defaults to CNI, which does not.
# Idempotent: a no-op once every tool is there. Then writes the containers.conf podman needs
# here (ENVIRONMENT.md): runc + cgroupfs (no systemd), file event logging, and open-file and
# process limits this machine allows (podman's default RLIMIT_NOFILE is above its hard limit),
# and netavark as the network backend.
#
# Env: CONTAINERS_CONF (default /etc/askdocs-container/containers.conf), where it is written.
set -euo pipefail

CONF=${CONTAINERS_CONF:-/etc/askdocs-container/containers.conf}
PACKAGES=(buildah podman runc debootstrap curl netavark aardvark-dns)
TOOLS=(buildah podman runc debootstrap curl /usr/lib/podman/netavark /usr/lib/podman/aardvark-dns)

missing=0
for tool in "${TOOLS[@]}"; do command -v "$tool" >/dev/null || missing=1; done
if [[ $missing == 1 ]]; then
    if [[ $(id -u) != 0 ]]; then
        echo "install-container-tools: as root, apt-get install -y ${PACKAGES[*]}" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
fi

mkdir -p "$(dirname "$CONF")"
cat >"$CONF" <<'CONFIG'
# Written by askdocs scripts/install-container-tools.sh for `nox -s container`.
[containers]
default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_backend = "netavark"
CONFIG
echo "container tools: $(buildah --version); $(podman --version); containers.conf at $CONF"
