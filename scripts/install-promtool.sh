#!/usr/bin/env bash
# Put Prometheus's `promtool` on PATH (Debian 12, run as root) so the tests can check and run
# the alert rules of docs/observability/. Idempotent: a no-op when promtool is already there.
# Only promtool is taken out of Debian's `prometheus` package (downloaded, never installed), so
# no Prometheus server is installed or started. Prints one line `promtool <version> ready`.
set -euo pipefail

if command -v promtool >/dev/null; then
    echo "promtool $(promtool --version 2>&1 | awk 'NR == 1 { print $3 }') ready"
    exit 0
fi
WORKDIR=$(mktemp -d)
trap 'rm -rf "$WORKDIR"' EXIT
cd "$WORKDIR"
apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus >/dev/null; }
dpkg-deb -x prometheus_*.deb root
install -m 0755 root/usr/bin/promtool /usr/local/bin/promtool
echo "promtool $(promtool --version 2>&1 | awk 'NR == 1 { print $3 }') ready"
