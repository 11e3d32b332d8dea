#!/bin/bash
# First start: a cluster in PGDATA owned by POSTGRES_USER with POSTGRES_PASSWORD, password
# logins over TCP, and POSTGRES_DB. Then PostgreSQL itself, listening on every interface.
set -euo pipefail

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

install -d -o postgres -g postgres -m 0700 "$PGDATA"
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
if [[ ! -s $PGDATA/PG_VERSION ]]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
    user=${POSTGRES_USER:-postgres}
    database=${POSTGRES_DB:-$user}
    password_file=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
    chown postgres "$password_file"
    as_postgres initdb --username="$user" --pwfile="$password_file" \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$password_file"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [[ $database != postgres ]]; then
        # On the socket only, so nothing outside takes this server for the real one.
        as_postgres pg_ctl --wait --options="-c listen_addresses=''" start >/dev/null
        as_postgres createdb --username="$user" "$database"
        as_postgres pg_ctl --wait --mode=fast stop >/dev/null
    fi
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -c listen_addresses='*'
