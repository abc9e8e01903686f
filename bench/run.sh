#!/usr/bin/env bash
# Benchmark of the indicator batch import (and one read), on SQLite and PostgreSQL.
#
#   bash bench/run.sh                  # from the repository root
#
# Builds the release binary (cargo build --release --locked into $CARGO_TARGET_DIR, default target/),
# then for each backend starts `palermo serve` on a free loopback port and measures:
#   - first push: 100,000 distinct VICTIMS_DETECTED values, 20 sequential batches of 5,000 (all created)
#   - re-push of the same values (all unchanged)
#   - raw ceiling: the same rows into a fresh table of the same shape (foreign keys included) in the
#     server's database: SQLite executemany in one transaction with WAL + synchronous=FULL, PostgreSQL
#     COPY FROM STDIN via psql; and the ratio HTTP first push / raw
#   - a dry run first (?dry_run=true: parse + validate + lookup, nothing written), to split the cost
#   - the server's peak RSS (VmRSS sampled every 50 ms, and VmHWM), during the import and overall
#   - read: wrk -t2 -c32 -d10s on GET /api/v1/indicator-values?indicator=VICTIMS_DETECTED&member_state=ARG&limit=1000
# and prints a summary table with the targets.
#
# Environment:
#   CARGO_TARGET_DIR    where to build (default: target/)
#   BENCH_DATABASE_URL  PostgreSQL server (default postgres://palermo:palermo@127.0.0.1:5432/palermo; the role
#                       needs CREATEDB: a database palermo_bench_<pid> is created and dropped). Unreachable: the
#                       PostgreSQL backend is skipped with a message, SQLite still runs.
#   BENCH_BACKENDS      sqlite,postgresql (default both)
#   BENCH_WRK_SECONDS   duration of the read test (default 10)
#   BENCH_SKIP_BUILD=1  use the existing binary in $CARGO_TARGET_DIR/release
#   BENCH_REPEAT=N      runs per backend, each on a fresh server and database; the summary shows the median
#                       and (min-max): use 3 or 5 on a shared VM, whose speed varies by ~25% from run to run
#   BENCH_WAIT_IDLE=N   before each run, wait up to N s for the rest of the machine to go idle (default 0)
#   BENCH_SERVER_PRELOAD=lib.so  LD_PRELOAD for the server only (e.g. an allocator, to compare)
#
# Needs: cargo, python3 (standard library only), psql (PostgreSQL), wrk (read figure; apt-get install -y wrk).
set -euo pipefail

cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
bin="$target_dir/release/palermo"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    echo "building release binary into $target_dir ..."
    CARGO_TARGET_DIR="$target_dir" cargo build --release --locked
fi
[[ -x "$bin" ]] || { echo "no binary at $bin" >&2; exit 1; }
command -v wrk >/dev/null || echo "warning: wrk not found, the read figure will be skipped (apt-get install -y wrk)" >&2

py_pid=""
cleanup() {
    # The Python driver kills the servers it started (and they die with it: PR_SET_PDEATHSIG).
    if [[ -n "$py_pid" ]] && kill -0 "$py_pid" 2>/dev/null; then
        kill -TERM "$py_pid" 2>/dev/null || true
        wait "$py_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

python3 bench/import_bench.py --binary "$bin" &
py_pid=$!
set +e
wait "$py_pid"
rc=$?
set -e
py_pid=""
exit "$rc"
