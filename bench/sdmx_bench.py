#!/usr/bin/env python3
"""Benchmark of palermo's SDMX-CSV 2.0 exchange (standard library only).

    python3 bench/sdmx_bench.py --binary target/release/palermo --runs 3

For each backend (SQLite in a temp dir, PostgreSQL in a fresh database palermo_sdmx_bench_<pid>)
and each run (a fresh server and database each time):

  1. start `palermo serve` on a free loopback port, sign in as the bootstrap admin;
  2. build one SDMX-CSV file of --values distinct VICTIMS_DETECTED values (the values of
     bench/import_bench.py: states x years x sex x age group x form x citizenship);
  3. import: the whole file in one POST /api/v1/indicator-values/batch with
     `Content-Type: application/vnd.sdmx.data+csv; version=2.0.0` (asserts created == N);
  4. re-import of the same file (asserts unchanged == N: idempotent);
  5. export: GET /api/v1/indicator-values?format=sdmx-csv, streamed (asserts it is the imported
     file, byte for byte);
  6. the server's peak RSS (VmRSS sampled from /proc/PID/status, and VmHWM).

Prints per-run figures and a summary of medians (values/s and seconds of each phase, peak RSS).
Exit status 1 if an assertion failed. The figures only mean something on an otherwise idle
machine and a release binary; `--values 2000 --runs 1` on a debug binary checks the script.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_bench as ib  # noqa: E402  (process, server, client and psql helpers)

MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0"
HEADER = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "REF_AREA", "INDICATOR", "TIME_PERIOD", "SEX",
          "AGE_GROUP", "FORM_OF_EXPLOITATION", "CITIZENSHIP", "SECTOR", "OBS_VALUE", "OBS_STATUS",
          "CONF_STATUS", "COMMENT", "SOURCE"]
DIMENSION_COLUMNS = ["sex", "age_group", "form_of_exploitation", "citizenship", "sector"]
MAX_VALUES = 150_000  # about the 16 MiB body limit


def sdmx_file(values):
    """The values as the export writes them: natural-key order, CRLF, `_T` for no breakdown."""
    def key(v):
        d = ";".join(f"{k}={v['disaggregation'][k]}" for k in sorted(v["disaggregation"]))
        return (v["indicator"], v["member_state"], v["period"], d)
    lines = [",".join(HEADER)]
    for v in sorted(values, key=key):
        dims = [v["disaggregation"].get(d, "_T") for d in DIMENSION_COLUMNS]
        lines.append(",".join(["dataflow", "OAS:DF_TIP(1.0)", "I", v["member_state"], v["indicator"],
                               v["period"], *dims, str(v["value"]), "A", "F", "", ""]))
    return ("\r\n".join(lines) + "\r\n").encode()


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def one_run(name, binary, database_url, workdir, n):
    ib.log(f"\n=== {name}: starting server ===")
    server = ib.Server(binary, database_url, workdir, name)
    try:
        client = ib.Client(server.port)
        tok = client.json("POST", "/api/v1/auth/token",
                          {"username": ib.ADMIN_USER, "password": ib.ADMIN_PASSWORD})
        client.token = tok["access_token"]
        states = sorted(s["code"] for s in client.json("GET", "/api/v1/member-states?limit=1000")["items"])
        body = sdmx_file(ib.generate_values(states)[:n])
        ib.log(f"SDMX-CSV file: {n} values, {len(body) / 1e6:.1f} MB")

        def push():
            status, data = client.request("POST", "/api/v1/indicator-values/batch", body, MEDIA_TYPE)
            if status != 200:
                raise RuntimeError(f"import: HTTP {status}: {data[:500]!r}")
            return json.loads(data)

        def pull():
            status, data = client.request("GET", "/api/v1/indicator-values?format=sdmx-csv")
            if status != 200:
                raise RuntimeError(f"export: HTTP {status}: {data[:500]!r}")
            return data

        run = {"backend": name}
        server.sampler.phase = "import"
        run["import_s"], first = timed(push)
        run["ok_import"] = first["created"] == n
        server.sampler.phase = "reimport"
        run["reimport_s"], again = timed(push)
        run["ok_reimport"] = again["unchanged"] == n
        server.sampler.phase = "export"
        run["export_s"], exported = timed(pull)
        run["ok_export"] = exported == body
        run["peak_rss_mb"] = server.sampler.peak_kb / 1024
        run["hwm_mb"] = server.sampler.hwm_kb() / 1024
        run["phase_rss_mb"] = {k: v / 1024 for k, v in server.sampler.phase_peak.items()}
        for phase in ("import", "reimport", "export"):
            run[f"{phase}_vps"] = n / run[f"{phase}_s"]
        ib.log(f"import {run['import_s']:.2f} s ({run['import_vps']:,.0f} values/s, created {first['created']}), "
               f"re-import {run['reimport_s']:.2f} s ({run['reimport_vps']:,.0f} values/s, unchanged {again['unchanged']}), "
               f"export {run['export_s']:.2f} s ({run['export_vps']:,.0f} values/s, identical: {run['ok_export']}), "
               f"peak RSS {run['peak_rss_mb']:.0f} MiB (by phase: "
               + ", ".join(f"{k} {v:.0f}" for k, v in run["phase_rss_mb"].items()) + ")")
        return run
    finally:
        server.stop()


def summary(results, n):
    ib.log(f"\n=== SDMX-CSV exchange of {n:,} values: medians of the runs ===")
    ib.log(f"{'backend':<11} {'runs':>4} {'import s':>9} {'values/s':>10} {'re-import s':>12} {'values/s':>10} "
           f"{'export s':>9} {'values/s':>10} {'peak RSS MiB':>13} {'ok':>3}")
    for name, runs in results:
        med = {k: statistics.median(r[k] for r in runs)
               for k in ("import_s", "import_vps", "reimport_s", "reimport_vps", "export_s", "export_vps",
                         "peak_rss_mb")}
        ok = all(r["ok_import"] and r["ok_reimport"] and r["ok_export"] for r in runs)
        ib.log(f"{name:<11} {len(runs):>4} {med['import_s']:>9.2f} {med['import_vps']:>10,.0f} "
               f"{med['reimport_s']:>12.2f} {med['reimport_vps']:>10,.0f} {med['export_s']:>9.2f} "
               f"{med['export_vps']:>10,.0f} {max(r['peak_rss_mb'] for r in runs):>13.0f} {'yes' if ok else 'NO':>3}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="path of the palermo binary (release for real figures)")
    ap.add_argument("--runs", type=int, default=3, help="runs per backend, each on a fresh server and database")
    ap.add_argument("--values", type=int, default=100_000, help=f"values in the file (at most {MAX_VALUES:,})")
    ap.add_argument("--backends", default=os.environ.get("BENCH_BACKENDS", "sqlite,postgresql"))
    ap.add_argument("--pg-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://palermo:palermo@127.0.0.1:5432/palermo"))
    args = ap.parse_args()
    runs = max(1, min(args.runs, 20))
    n = max(1, min(args.values, MAX_VALUES))
    signal.signal(signal.SIGTERM, ib._on_signal)
    signal.signal(signal.SIGHUP, ib._on_signal)
    ib.log(f"load average at start: {ib.load_average()} on {os.cpu_count()} cores")
    results, failed = [], False
    workdir = tempfile.mkdtemp(prefix="palermo-sdmx-bench-")
    try:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            done = []
            if backend == "sqlite":
                for i in range(runs):
                    done.append(one_run("sqlite", args.binary, os.path.join(workdir, f"sdmx-{i}.db"), workdir, n))
            elif backend == "postgresql":
                ib.check_loopback(args.pg_url)
                if not shutil.which("psql") or ib.psql(args.pg_url, "SELECT 1", check=False).returncode != 0:
                    ib.log(f"postgresql: SKIPPED (psql missing or {ib.redact(args.pg_url)} unreachable)")
                    continue
                dbname = f"palermo_sdmx_bench_{os.getpid()}"
                for _ in range(runs):
                    ib.psql(args.pg_url, f"CREATE DATABASE {dbname}")
                    try:
                        done.append(one_run("postgresql", args.binary, ib.with_dbname(args.pg_url, dbname),
                                            workdir, n))
                    finally:
                        ib.kill_children()
                        ib.psql(args.pg_url, f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)", check=False)
            else:
                raise SystemExit(f"unknown backend {backend!r} (sqlite, postgresql)")
            results.append((backend, done))
    except Exception as e:  # report what we have, then fail
        failed = True
        ib.log(f"\nERROR: {type(e).__name__}: {e}")
    finally:
        ib.kill_children()
        shutil.rmtree(workdir, ignore_errors=True)
    if results:
        summary(results, n)
    if failed or any(not (r["ok_import"] and r["ok_reimport"] and r["ok_export"]) for _, rs in results for r in rs):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
