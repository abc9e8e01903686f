# shellcheck shell=bash
# PostgreSQL 15 for palermo's test suite and CI.
#
# Sourced by .ci/run (which calls `palermo_pg_setup`), or run on its own:
#
#     bash .ci/postgres.sh          # install + start + create role/db, then verify
#
# Result: a Debian-managed cluster 15/main listening on 127.0.0.1:5432 with
#   postgres://palermo:palermo@127.0.0.1:5432/palermo
# usable (password login, role has CREATEDB: the tests create one database per test).
#
# Idempotent: safe to run again on a machine where PostgreSQL is already installed or
# running. Must run as root (uses apt-get and runuser). Every failure exits non-zero.

PALERMO_PG_VERSION="${PALERMO_PG_VERSION:-15}"
PALERMO_PG_CLUSTER="${PALERMO_PG_CLUSTER:-main}"
PALERMO_PG_HOST=127.0.0.1
PALERMO_PG_PORT="${PALERMO_PG_PORT:-5432}"
PALERMO_PG_USER=palermo
PALERMO_PG_PASSWORD=palermo
PALERMO_PG_DB=palermo
PALERMO_PG_URL="postgres://${PALERMO_PG_USER}:${PALERMO_PG_PASSWORD}@${PALERMO_PG_HOST}:${PALERMO_PG_PORT}/${PALERMO_PG_DB}"

_pg_log() { printf '[postgres] %s\n' "$*"; }
_pg_die() {
    printf '[postgres] FATAL: %s\n' "$*" >&2
    local log="/var/log/postgresql/postgresql-${PALERMO_PG_VERSION}-${PALERMO_PG_CLUSTER}.log"
    if [[ -r "$log" ]]; then
        printf '[postgres] last lines of %s:\n' "$log" >&2
        tail -n 40 "$log" >&2 || true
    fi
    exit 1
}

# psql as the postgres superuser over the local socket (peer auth).
_pg_super() {
    runuser -u postgres -- psql --no-psqlrc -X -v ON_ERROR_STOP=1 -q -p "$PALERMO_PG_PORT" "$@"
}

_pg_install() {
    local bin="/usr/lib/postgresql/${PALERMO_PG_VERSION}/bin/postgres"
    if [[ -x "$bin" ]] && command -v pg_ctlcluster >/dev/null && command -v pg_isready >/dev/null; then
        _pg_log "PostgreSQL ${PALERMO_PG_VERSION} already installed"
        return 0
    fi
    _pg_log "installing postgresql-${PALERMO_PG_VERSION} from Debian packages"
    # LANG/LC_ALL=C.UTF-8 so the main cluster the package creates is UTF8 (C.UTF-8 needs no locale generation).
    DEBIAN_FRONTEND=noninteractive apt-get update -q || _pg_die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        apt-get install -y -q --no-install-recommends \
        "postgresql-${PALERMO_PG_VERSION}" "postgresql-client-${PALERMO_PG_VERSION}" \
        || _pg_die "apt-get install postgresql-${PALERMO_PG_VERSION} failed"
    [[ -x "$bin" ]] || _pg_die "$bin missing after install"
}

_pg_cluster_exists() {
    pg_lsclusters -h 2>/dev/null | awk -v v="$PALERMO_PG_VERSION" -v c="$PALERMO_PG_CLUSTER" \
        '$1 == v && $2 == c { found = 1 } END { exit !found }'
}

_pg_cluster_running() {
    pg_ctlcluster "$PALERMO_PG_VERSION" "$PALERMO_PG_CLUSTER" status >/dev/null 2>&1
}

_pg_configure() {
    if ! _pg_cluster_exists; then
        _pg_log "creating cluster ${PALERMO_PG_VERSION}/${PALERMO_PG_CLUSTER} (UTF8, C.UTF-8)"
        LANG=C.UTF-8 LC_ALL=C.UTF-8 pg_createcluster --locale=C.UTF-8 --encoding=UTF8 \
            --port="$PALERMO_PG_PORT" "$PALERMO_PG_VERSION" "$PALERMO_PG_CLUSTER" \
            || _pg_die "pg_createcluster failed"
    fi

    local confdir="/etc/postgresql/${PALERMO_PG_VERSION}/${PALERMO_PG_CLUSTER}"
    [[ -d "$confdir" ]] || _pg_die "config dir $confdir missing"
    local changed=0

    # The port lives in postgresql.conf itself (pg_ctlcluster/pg_lsclusters read it from there).
    local port
    port="$(pg_conftool -s "$PALERMO_PG_VERSION" "$PALERMO_PG_CLUSTER" show port 2>/dev/null || echo 5432)"
    if [[ "$port" != "$PALERMO_PG_PORT" ]]; then
        _pg_log "setting port $port -> $PALERMO_PG_PORT"
        pg_conftool "$PALERMO_PG_VERSION" "$PALERMO_PG_CLUSTER" set port "$PALERMO_PG_PORT" \
            || _pg_die "pg_conftool set port failed"
        changed=1
    fi

    # Test-only tuning, in conf.d (included last by Debian's postgresql.conf).
    # fsync/synchronous_commit/full_page_writes off: this server only holds throw-away test
    # databases, and each test runs CREATE DATABASE, which is much faster without fsync.
    # max_connections: every test server opens its own r2d2 pool; leave head-room.
    mkdir -p "$confdir/conf.d"
    local conf="$confdir/conf.d/90-palermo-ci.conf"
    local want
    want="$(cat <<CONF
# Written by palermo's .ci/postgres.sh: a throw-away cluster for tests. Do not use for real data.
listen_addresses = '${PALERMO_PG_HOST}'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
)"
    if [[ ! -f "$conf" ]] || [[ "$(cat "$conf")" != "$want" ]]; then
        printf '%s\n' "$want" >"$conf"
        chown postgres:postgres "$conf" 2>/dev/null || true
        changed=1
    fi

    # Password (scram) login over TCP from 127.0.0.1. Debian's default pg_hba.conf already has
    # this line; add it if someone removed it.
    local hba="$confdir/pg_hba.conf"
    if ! grep -Eq '^[[:space:]]*host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+(scram-sha-256|md5)' "$hba"; then
        _pg_log "adding a scram-sha-256 line for 127.0.0.1/32 to $hba"
        printf 'host    all             all             127.0.0.1/32            scram-sha-256\n' >>"$hba"
        changed=1
    fi

    if [[ "$changed" == 1 ]] && _pg_cluster_running; then
        _pg_log "configuration changed: restarting ${PALERMO_PG_VERSION}/${PALERMO_PG_CLUSTER}"
        pg_ctlcluster "$PALERMO_PG_VERSION" "$PALERMO_PG_CLUSTER" restart \
            || _pg_die "pg_ctlcluster restart failed"
    fi
}

_pg_start() {
    # /var/run is a tmpfs on many machines: the socket dir may be gone after a reboot.
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    if _pg_cluster_running; then
        _pg_log "cluster ${PALERMO_PG_VERSION}/${PALERMO_PG_CLUSTER} already running"
    else
        _pg_log "starting cluster ${PALERMO_PG_VERSION}/${PALERMO_PG_CLUSTER}"
        pg_ctlcluster "$PALERMO_PG_VERSION" "$PALERMO_PG_CLUSTER" start \
            || _pg_die "pg_ctlcluster ${PALERMO_PG_VERSION} ${PALERMO_PG_CLUSTER} start failed"
    fi
    local _
    for _ in $(seq 1 30); do
        if pg_isready -q -h "$PALERMO_PG_HOST" -p "$PALERMO_PG_PORT" -t 2; then
            _pg_log "accepting connections on ${PALERMO_PG_HOST}:${PALERMO_PG_PORT}"
            return 0
        fi
        sleep 1
    done
    _pg_die "not accepting connections on ${PALERMO_PG_HOST}:${PALERMO_PG_PORT} after 30 s"
}

_pg_provision() {
    # Role: create if missing, then (re)assert login, CREATEDB and the password every time.
    _pg_super -d postgres <<SQL || _pg_die "creating role ${PALERMO_PG_USER} failed"
SELECT 'CREATE ROLE ${PALERMO_PG_USER}'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${PALERMO_PG_USER}')
\gexec
ALTER ROLE ${PALERMO_PG_USER} WITH LOGIN CREATEDB PASSWORD '${PALERMO_PG_PASSWORD}';
SELECT 'CREATE DATABASE ${PALERMO_PG_DB} OWNER ${PALERMO_PG_USER} ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '${PALERMO_PG_DB}')
\gexec
SQL

    # The per-test databases are created from template1: it must be UTF8.
    local enc
    enc="$(_pg_super -d postgres -tA -c "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'template1'")" \
        || _pg_die "cannot read template1's encoding"
    [[ "$enc" == "UTF8" ]] || _pg_die "template1 encoding is '$enc', not UTF8: drop the cluster (pg_dropcluster --stop ${PALERMO_PG_VERSION} ${PALERMO_PG_CLUSTER}) and rerun"
}

# Prove the URL works: password login over TCP, and that the role can create and drop a database.
palermo_pg_verify() {
    local probe="palermo_ci_probe_$$"
    PGCONNECT_TIMEOUT=5 psql --no-psqlrc -X -v ON_ERROR_STOP=1 -q "$PALERMO_PG_URL" -tA \
        -c "SELECT 'connected as ' || current_user || ' to ' || current_database() || ', ' || version()" \
        -c "CREATE DATABASE ${probe}" -c "DROP DATABASE ${probe}" \
        || _pg_die "cannot log in / CREATE DATABASE with ${PALERMO_PG_URL}"
    _pg_log "OK: ${PALERMO_PG_URL} (password login, CREATEDB works)"
}

palermo_pg_setup() {
    [[ "$(id -u)" == 0 ]] || _pg_die "must run as root (apt-get, runuser)"
    _pg_install
    _pg_configure
    _pg_start
    _pg_provision
    palermo_pg_verify
}

# Run directly: `bash .ci/postgres.sh`
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    palermo_pg_setup
fi
