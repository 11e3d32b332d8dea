#!/usr/bin/env bash
# A Debian 12 (bookworm) minbase image for building the askdocs image where no image registry is
# reachable: debootstrap into a folder, then `buildah from scratch` + add + commit (buildah 1.28
# has no `import`). A no-op when the image exists. It is a build stage only: nothing of it
# ships except the files container/runtime_root.py copies out.
# Env: BASE (image name, default localhost/askdocs-build-base:bookworm), MIRROR, WORK.
set -euo pipefail

BASE=${BASE:-localhost/askdocs-build-base:bookworm}
MIRROR=${MIRROR:-$(awk '/^URIs:/ {print $2; exit} /^deb / {print $2; exit}' \
    /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
WORK=${WORK:-/var/tmp/askdocs-container}
STORAGE=(--storage-driver vfs)

if buildah "${STORAGE[@]}" inspect --type image "$BASE" >/dev/null 2>&1; then
    exit 0
fi
echo "== debootstrap bookworm minbase from $MIRROR -> $BASE"
mkdir -p "$WORK"
rm -rf "$WORK/rootfs" "$WORK/rootfs.tar"
debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" \
    || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/*
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
ctr=$(buildah "${STORAGE[@]}" from scratch)
buildah "${STORAGE[@]}" add "$ctr" "$WORK/rootfs.tar" /
buildah "${STORAGE[@]}" config --cmd /bin/bash \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
buildah "${STORAGE[@]}" commit -q "$ctr" "$BASE"
buildah "${STORAGE[@]}" rm "$ctr" >/dev/null
rm -rf "$WORK/rootfs" "$WORK/rootfs.tar"
