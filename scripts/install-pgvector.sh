#!/usr/bin/env bash
# Make pgvector available to the local PostgreSQL cluster (Debian 12, run as root). Idempotent:
# when vector.control is already installed for the server's version it only checks the cluster
# and the extension (~1 s).
#   1. skip to 4 when <sharedir>/extension/vector.control (and <pkglibdir>/vector.so) exist;
#   2. otherwise build pgvector from Debian 13 (trixie)'s SOURCE package: a deb-src-only apt
#      entry on the same mirror as the existing bookworm entry (no trixie binary can be
#      installed from it), postgresql-server-dev-<ver> + build-essential + dpkg-dev from
#      bookworm, `apt-get source pgvector/trixie`, make + make install;
#   3. restart (or start) the cluster if that install upgraded the server package under it;
#   4. make sure the cluster accepts connections, CREATE EXTENSION vector in the postgres and
#      askdocs_test databases (created if missing) and check the version is >= 0.8.
# Prints one line `pgvector <version> ready`; apt/make output goes to $PGVECTOR_LOG and is
# shown only on failure.
# Env: PG_VERSION (default: newest in `pg_lsclusters`), PG_CLUSTER (main),
#      PGVECTOR_LOG (/tmp/askdocs-install-pgvector.log), TEST_DB (askdocs_test).
set -euo pipefail

LOG=${PGVECTOR_LOG:-/tmp/askdocs-install-pgvector.log}
CLUSTER=${PG_CLUSTER:-main}
TEST_DB=${TEST_DB:-askdocs_test}
HOST=127.0.0.1
SRC_LIST=/etc/apt/sources.list.d/askdocs-trixie-src.sources
MIN_VERSION=0.8
export DEBIAN_FRONTEND=noninteractive

: >"$LOG"
WORKDIR=
on_exit() {
    local rc=$?
    [[ -n $WORKDIR ]] && rm -rf "$WORKDIR"
    if ((rc != 0)); then
        echo "install-pgvector: failed (exit $rc); last lines of $LOG:" >&2
        tail -n 60 "$LOG" >&2 || true
    fi
    exit "$rc"
}
trap on_exit EXIT

log() { echo "[$(date +%T)] $*" >>"$LOG"; }
run() { log "+ $*"; "$@" >>"$LOG" 2>&1; }
die() { log "ERROR: $*"; echo "install-pgvector: $*" >&2; exit 1; }

(($(id -u) == 0)) || die "must run as root (apt-get, make install, pg_ctlcluster)"
command -v pg_lsclusters >/dev/null || die "postgresql-common is not installed"

# --- server version, port, install paths -----------------------------------------------------
VER=${PG_VERSION:-$(pg_lsclusters -h 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1)}
# shellcheck disable=SC2012
[[ -n $VER ]] || VER=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
[[ -n $VER ]] || die "no PostgreSQL cluster found (pg_lsclusters, /etc/postgresql)"
BINDIR=/usr/lib/postgresql/$VER/bin
PG_CONFIG=$BINDIR/pg_config
if [[ -x $PG_CONFIG ]]; then
    SHAREDIR=$("$PG_CONFIG" --sharedir)
    PKGLIBDIR=$("$PG_CONFIG" --pkglibdir)
else
    SHAREDIR=/usr/share/postgresql/$VER
    PKGLIBDIR=/usr/lib/postgresql/$VER/lib
fi
CLUSTER_LINE=$(pg_lsclusters -h "$VER" "$CLUSTER" 2>/dev/null) ||
    die "no PostgreSQL cluster $VER/$CLUSTER (see pg_lsclusters)"
PORT=$(awk '{print $3}' <<<"$CLUSTER_LINE")
PORT=${PORT:-5432}
export PGHOST=$HOST PGPORT=$PORT PGUSER=postgres PGCONNECT_TIMEOUT=5
log "PostgreSQL $VER/$CLUSTER on $HOST:$PORT, sharedir $SHAREDIR, pkglibdir $PKGLIBDIR"

cluster_status() { pg_lsclusters -h "$VER" "$CLUSTER" 2>/dev/null | awk '{print $4}'; }
pg_ctl_cluster() { run pg_ctlcluster --skip-systemctl-redirect "$VER" "$CLUSTER" "$1"; }
wait_ready() {
    local _
    for _ in $(seq 1 30); do
        pg_isready -h "$HOST" -p "$PORT" -q && return 0
        sleep 1
    done
    die "PostgreSQL $VER/$CLUSTER is not accepting connections on $HOST:$PORT"
}
# Version of the postgres binary on disk vs the one serving connections (a package upgrade
# replaces the former under a running server).
# `postgres (PostgreSQL) 15.20 (Debian ...)` vs `15.20 (Debian ...)`: compare the 15.20 parts.
binary_version() { "$BINDIR/postgres" --version 2>/dev/null | awk '{print $3}'; }
server_version() { psql -X -d postgres -Atc 'SHOW server_version' 2>/dev/null | awk '{print $1}'; }

# Mirror URI of the existing bookworm entry (deb822 .sources first, then one-line lists).
debian_mirror() {
    local codename uri f files=()
    # shellcheck disable=SC1091
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f && $f != "$SRC_LIST" ]] && files+=("$f")
    done
    uri=$(awk -v suite="$codename" -v RS= '
        {
            types = ""; uris = ""; suites = ""
            n = split($0, lines, "\n")
            for (i = 1; i <= n; i++) {
                line = lines[i]
                if (line ~ /^[[:space:]]*#/) continue
                if (line ~ /^Types:/)  { sub(/^Types:[[:space:]]*/, "", line);  types = line }
                if (line ~ /^URIs:/)   { sub(/^URIs:[[:space:]]*/, "", line);   uris = line }
                if (line ~ /^Suites:/) { sub(/^Suites:[[:space:]]*/, "", line); suites = line }
            }
            if ((" " types " ") ~ / deb / && (" " suites " ") ~ (" " suite " ")) {
                split(uris, u, /[[:space:]]+/); print u[1]; exit
            }
        }' "${files[@]}" /dev/null)
    if [[ -z $uri ]]; then
        uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            sed -e 's/#.*//' -e 's/\[[^]]*\]//' |
            awk -v suite="$codename" '$1 == "deb" && $3 == suite { print $2; exit }')
    fi
    [[ -n $uri ]] || die "cannot find the Debian mirror of the $codename entry in /etc/apt/sources.list*"
    echo "$uri"
}

build_pgvector() {
    local mirror pkg_before pkg_after srcdir status
    echo "install-pgvector: building pgvector for PostgreSQL $VER from Debian trixie source (log: $LOG)" >&2
    mirror=$(debian_mirror)
    log "mirror: $mirror"
    cat >"$SRC_LIST" <<EOF
# Source-only entry for building pgvector (written by askdocs scripts/install-pgvector.sh).
# deb-src only: no trixie binary package can be installed from it.
Types: deb-src
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    run apt-get update -qq
    apt-cache showsrc pgvector 2>/dev/null | grep -q '^Package: pgvector' ||
        die "apt-get update did not provide the trixie pgvector source package"

    local deps=("postgresql-server-dev-$VER" build-essential dpkg-dev)
    # Belt and braces: the install must come entirely from bookworm.
    run apt-get install -s -y "${deps[@]}"
    if apt-get install -s -y "${deps[@]}" 2>/dev/null | grep -q '^Inst .*trixie'; then
        die "refusing: installing ${deps[*]} would pull packages from trixie"
    fi
    pkg_before=$(dpkg-query -W -f='${Version}' "postgresql-$VER" 2>/dev/null || true)
    run apt-get install -y -qq "${deps[@]}"
    pkg_after=$(dpkg-query -W -f='${Version}' "postgresql-$VER" 2>/dev/null || true)
    log "postgresql-$VER package: ${pkg_before:-none} -> ${pkg_after:-none}"

    # 3. The server-dev install may have upgraded postgresql-<ver> under the running cluster.
    status=$(cluster_status)
    if [[ $status != online* ]]; then
        echo "install-pgvector: cluster $VER/$CLUSTER was ${status:-unknown} after the package install; starting it" >&2
        pg_ctl_cluster start
    else
        local running on_disk
        running=$(server_version)
        on_disk=$(binary_version)
        log "server version running: ${running:-?}, on disk: ${on_disk:-?}"
        if [[ $pkg_before != "$pkg_after" || $running != "$on_disk" ]]; then
            echo "install-pgvector: postgresql-$VER upgraded under the running cluster" \
                "($pkg_before -> $pkg_after, server $running -> $on_disk); restarting $VER/$CLUSTER" >&2
            pg_ctl_cluster restart
        fi
    fi

    WORKDIR=$(mktemp -d /tmp/askdocs-pgvector.XXXXXX)
    (cd "$WORKDIR" && run apt-get source -qq -o APT::Sandbox::User=root pgvector/trixie)
    srcdir=$(find "$WORKDIR" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
    [[ -n $srcdir ]] || die "apt-get source pgvector did not unpack a pgvector-* directory"
    log "source: $srcdir"
    # OPTFLAGS= as Debian builds it: no -march=native, so the module survives a move to
    # another CPU (0.8 picks its SIMD paths at run time).
    local make_args=(-C "$srcdir" "PG_CONFIG=$PG_CONFIG" with_llvm=no OPTFLAGS=)
    run make -j"$(nproc)" "${make_args[@]}"
    run make "${make_args[@]}" install
    rm -rf "$WORKDIR"
    WORKDIR=
}

# --- 1./2./3. install unless already there ---------------------------------------------------
if [[ -f $SHAREDIR/extension/vector.control && -f $PKGLIBDIR/vector.so ]]; then
    log "vector.control and vector.so present: skipping the build"
else
    build_pgvector
    [[ -f $SHAREDIR/extension/vector.control ]] || die "make install did not install $SHAREDIR/extension/vector.control"
fi

# --- 4. cluster up, extension created and checked --------------------------------------------
if ! pg_isready -h "$HOST" -p "$PORT" -q; then
    if [[ $(cluster_status) == online* ]]; then
        wait_ready # still starting up
    else
        log "cluster $VER/$CLUSTER not ready: starting it"
        pg_ctl_cluster start
        wait_ready
    fi
fi

psql_q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@" 2>>"$LOG"; }
if [[ -z $(psql_q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$TEST_DB'") ]]; then
    log "creating database $TEST_DB"
    run createdb -O postgres "$TEST_DB"
fi
version=
for db in postgres "$TEST_DB"; do
    version=$(psql_q -d "$db" -c 'CREATE EXTENSION IF NOT EXISTS vector' \
        -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'" | tail -n 1) ||
        die "CREATE EXTENSION vector failed in database $db"
    log "database $db: vector $version"
    [[ -n $version ]] || die "extension vector missing in database $db after CREATE EXTENSION"
    dpkg --compare-versions "$version" ge "$MIN_VERSION" ||
        die "pgvector $version in database $db is older than $MIN_VERSION"
done

echo "pgvector $version ready"
