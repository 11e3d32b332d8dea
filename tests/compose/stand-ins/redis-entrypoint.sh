#!/bin/bash
# The official image's redis-server answers other containers without a password: its build
# turns protected mode off, which Debian's leaves on.
set -euo pipefail
if [[ ${1:-} == redis-server ]]; then
    exec "$@" --protected-mode no
fi
exec "$@"
