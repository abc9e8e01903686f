#!/usr/bin/env python3
"""Scale benchmark of palermo's reads and reports (standard library + wrk + pgbench).

For each backend (SQLite in a temp dir, PostgreSQL in a fresh database palermo_scale_<pid>, with
the server's default durability) and each size (100k and 1M values; 10M with --sizes):

  1. first push of N values through the batch endpoint (batches of 10,000), values/s;
     re-push of the first 100,000 (all unchanged), values/s;
  2. the 100-value page  GET /indicator-values?indicator=VICTIMS_DETECTED&member_state=ARG&limit=100
     and a filtered page across states  ?sex=female&age_group=child&citizenship=foreign&limit=100:
     wrk -t2 -c32, median of --runs runs: req/s, p50, p99;
     on PostgreSQL also pgbench -M prepared -c 8 -j 2 of the page's query alone;
  3. the biennial report of cycle 2019-2020 and of cycle 1990-2030 (every stored value), the
     country profile of ARG and the 35 submissions of 2019-2020 with completeness: median of --runs;
  4. server peak RSS (VmHWM) over the whole run and the database size.

Values: 6 count indicators with every full breakdown of their dimensions plus the total, 35 states,
years 1990-2030, truncated at N.

    cargo build --release && python3 bench/scale.py [--sizes 100000,1000000] [--backends sqlite,postgresql]
"""

import argparse
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_bench as ib  # noqa: E402

YEARS = [str(y) for y in range(1990, 2031)]
CODES = {
    "sex": ["female", "male", "other", "unknown"],
    "age_group": ["child", "adult", "unknown"],
    "citizenship": ["national", "foreign", "unknown"],
    "form_of_exploitation": ["sexual_exploitation", "forced_labour", "domestic_servitude",
                             "forced_marriage", "forced_criminality", "begging", "organ_removal",
                             "illegal_adoption", "child_soldiers", "mixed", "other", "unknown"],
}
INDICATORS = {  # from the starter catalog
    "VICTIMS_DETECTED": ["sex", "age_group", "form_of_exploitation", "citizenship"],
    "PERSONS_PROSECUTED": ["sex", "citizenship", "form_of_exploitation"],
    "PERSONS_CONVICTED": ["sex", "citizenship", "form_of_exploitation"],
    "VICTIMS_ASSISTED": ["sex", "age_group", "citizenship"],
    "PERSONS_INVESTIGATED": ["sex", "citizenship"],
    "VICTIMS_REPATRIATED": ["sex", "age_group"],
}
BATCH = 10_000
PAGE = "/api/v1/indicator-values?indicator=VICTIMS_DETECTED&member_state=ARG&limit=100"
FILTERED = "/api/v1/indicator-values?sex=female&age_group=child&citizenship=foreign&limit=100"
PAGE_SQL = """SELECT * FROM indicator_values WHERE indicator = 'VICTIMS_DETECTED'
  AND member_state = 'ARG' AND deleted_at IS NULL
  ORDER BY indicator, member_state, period, disaggregation LIMIT 101;
"""


def values(states, n):
    def gen():
        for ind, dims in INDICATORS.items():
            combos = [{}] + [dict(zip(dims, c)) for c in itertools.product(*(CODES[d] for d in dims))]
            for ms in states:
                for y, year in enumerate(YEARS):
                    for i, d in enumerate(combos):
                        yield {"member_state": ms, "indicator": ind, "period": year,
                               "disaggregation": d, "value": (1000 if not d else 1 + i % 7) + y % 5}
    return itertools.islice(gen(), n)


def push(client, vals):
    t0 = time.perf_counter()
    created = unchanged = 0
    it = iter(vals)
    while True:
        chunk = list(itertools.islice(it, BATCH))
        if not chunk:
            break
        s = client.json("POST", "/api/v1/indicator-values/batch", {"values": chunk})
        created += s["created"]
        unchanged += s["unchanged"]
    return created, unchanged, time.perf_counter() - t0


def wrk(port, token, path, seconds):
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}",
           f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        raise RuntimeError(f"{path}: {bad.group(1)} non-2xx responses")
    return (float(rps.group(1)), ib.parse_duration_ms(p50.group(1)), ib.parse_duration_ms(p99.group(1)))


def wrk_median(port, token, path, runs, seconds, perf=None):
    """Median of `runs` wrk runs; with `perf` (pid, output file) the first run is profiled."""
    rs = []
    for i in range(runs):
        rec = None
        if perf and i == 0:
            pid, out = perf
            graph = os.environ.get("BENCH_PERF_CALL_GRAPH", "fp")  # dwarf,16384 to see callers in Rust
            rec = subprocess.Popen(["perf", "record", "-F", "499", "--call-graph", graph, "-p", str(pid), "-o", out,
                                    "--", "sleep", str(seconds)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rs.append(wrk(port, token, path, seconds))
        if rec:
            rec.wait(timeout=seconds + 60)
    return tuple(statistics.median(r[i] for r in rs) for i in range(3))


def timed(client, path, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.json("GET", path)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def pgbench(url, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(PAGE_SQL)
    out = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", "8", "-j", "2", "-T", str(seconds),
                          "-f", f.name, url], capture_output=True, text=True).stdout
    os.unlink(f.name)
    m = re.search(r"tps = ([\d.]+)", out)
    return float(m.group(1)) if m else None


def run(backend, size, args, workdir):
    if backend == "sqlite":
        db = os.path.join(workdir, f"scale-{size}.db")
        url = f"sqlite://{db}"
    else:
        name = f"palermo_scale_{os.getpid()}_{size}"
        ib.psql(args.pg_url, f"CREATE DATABASE {name}")
        url = args.pg_url.rsplit("/", 1)[0] + "/" + name
    server = ib.Server(args.binary, url, workdir, f"{backend}-{size}")
    r = {"backend": backend, "size": size}
    try:
        c = ib.Client(server.port)
        c.token = c.json("POST", "/api/v1/auth/token",
                         {"username": ib.ADMIN_USER, "password": ib.ADMIN_PASSWORD})["access_token"]
        states = [s["code"] for s in c.json("GET", "/api/v1/member-states?limit=100")["items"]]
        created, _, secs = push(c, values(states, size))
        assert created == size, f"created {created} of {size}"
        r["first_push"] = size / secs
        n = min(size, 100_000)
        _, unchanged, secs = push(c, values(states, n))
        assert unchanged == n, f"unchanged {unchanged} of {n}"
        r["re_push"] = n / secs
        for code, a, b in (("2019-2020", 2019, 2020), ("1990-2030", 1990, 2030)):
            c.json("POST", "/api/v1/reporting-cycles", {"code": code, "work_plan": "WP2", "period_from": a,
                                                       "period_to": b, "due_date": "2031-03-31"}, expect=201)
        def perf(what):
            return (server.pid, os.path.join(args.perf, f"perf-{backend}-{size}-{what}.data")) if args.perf else None
        # Pages kept between writes (the default): what a polling dashboard gets.
        r["page"] = wrk_median(server.port, c.token, PAGE, args.runs, args.seconds, perf("page"))
        r["filtered"] = wrk_median(server.port, c.token, FILTERED, args.runs, args.seconds, perf("filtered"))
        # Every page read from the database: a server on the same data keeping none.
        hwm = server.sampler.hwm_kb()
        server.stop()
        server = ib.Server(args.binary, url, workdir, f"{backend}-{size}-cold", {"PALERMO_PAGE_CACHE_MB": "0"})
        c, token = ib.Client(server.port), c.token
        c.token = token
        r["page_cold"] = wrk_median(server.port, c.token, PAGE, args.runs, args.seconds, perf("page-cold"))
        r["filtered_cold"] = wrk_median(server.port, c.token, FILTERED, args.runs, args.seconds,
                                        perf("filtered-cold"))
        if args.reads_only:
            return r
        if backend == "postgresql":
            r["pgbench"] = pgbench(url, args.seconds)
        r["biennial"] = timed(c, "/api/v1/reports/biennial?cycle=2019-2020", args.runs)
        r["biennial_all"] = timed(c, "/api/v1/reports/biennial?cycle=1990-2030", max(1, args.runs // 2))
        r["profile"] = timed(c, "/api/v1/reports/member-states/ARG", args.runs)
        r["submissions"] = timed(c, "/api/v1/reporting-cycles/2019-2020/submissions", args.runs)
        r["rss_mb"] = max(hwm, server.sampler.hwm_kb()) / 1024
        if backend == "sqlite":
            r["db_mb"] = sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p)) / 2**20
        else:
            out = ib.psql(url, "SELECT pg_database_size(current_database())").stdout.decode()
            r["db_mb"] = int(re.search(r"\d+", out).group(0)) / 2**20
    finally:
        server.stop()
        if backend == "postgresql":
            ib.psql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)
    ib.log(f"{r}")
    return r


def table(results):
    rows = [
        ("first push, values/s", lambda r: f"{r['first_push']:,.0f}"),
        ("re-push, values/s", lambda r: f"{r['re_push']:,.0f}"),
        ("100-value page, req/s (p50 / p99 ms)", lambda r: "%s (%.1f / %.1f)" % (f"{r['page'][0]:,.0f}", r["page"][1], r["page"][2])),
        ("100-value page, no page kept, req/s (p50 / p99 ms)", lambda r: "%s (%.1f / %.1f)" % (f"{r['page_cold'][0]:,.0f}", r["page_cold"][1], r["page_cold"][2])),
        ("same query, pgbench -M prepared tx/s", lambda r: f"{r['pgbench']:,.0f}" if r.get("pgbench") else "-"),
        ("filtered page, req/s (p50 / p99 ms)", lambda r: "%s (%.1f / %.1f)" % (f"{r['filtered'][0]:,.0f}", r["filtered"][1], r["filtered"][2])),
        ("filtered page, no page kept, req/s (p50 / p99 ms)", lambda r: "%s (%.1f / %.1f)" % (f"{r['filtered_cold'][0]:,.0f}", r["filtered_cold"][1], r["filtered_cold"][2])),
        ("biennial report 2019-2020, ms", lambda r: f"{r['biennial']:,.0f}"),
        ("biennial report 1990-2030 (all values), ms", lambda r: f"{r['biennial_all']:,.0f}"),
        ("country profile ARG, ms", lambda r: f"{r['profile']:,.0f}"),
        ("35 submissions with completeness, ms", lambda r: f"{r['submissions']:,.0f}"),
        ("server peak RSS, MB", lambda r: f"{r['rss_mb']:,.0f}"),
        ("database size, MB", lambda r: f"{r['db_mb']:,.0f}"),
    ]
    head = "| | " + " | ".join(f"{r['backend']} {r['size']:,}" for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]
    lines += ["| " + name + " | " + " | ".join(f(r) for r in results) + " |" for name, f in rows]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "palermo"))
    ap.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://palermo:palermo@127.0.0.1:5432/palermo"))
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--perf", metavar="DIR", help="perf record the server during the first run of each page into DIR")
    ap.add_argument("--reads-only", action="store_true", help="stop after the two pages (for profiling)")
    args = ap.parse_args()
    if args.perf:
        os.makedirs(args.perf, exist_ok=True)
    for tool in ("wrk",) + (("pgbench",) if "postgresql" in args.backends else ()):
        if not shutil.which(tool):
            sys.exit(f"{tool} is required (apt-get install -y wrk postgresql-client)")
    workdir = tempfile.mkdtemp(prefix="palermo-scale-")
    results = [run(b, int(s), args, workdir) for b in args.backends.split(",") for s in args.sizes.split(",")]
    if args.reads_only:
        for r in results:
            print(r)
    else:
        print(table(results))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
