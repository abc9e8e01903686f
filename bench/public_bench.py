#!/usr/bin/env python3
"""Benchmark of palermo's public view (standard library only; reuses the process, client and psql
helpers of bench/import_bench.py).

For each backend (SQLite in a temp dir, PostgreSQL in a fresh database palermo_pbench_<pid>):

  1. load the totals and every one-dimension breakdown of 8 count indicators of the starter
     catalog for --states member states and --years years from 2001 (about 120 values per state
     and year; counts drawn so that about one cell in six is below 5), plus one cross-tabulation
     per group (never public), through the batch endpoint;
  2. open one reporting cycle per two years and submit and validate every cycle of the first
     --validated share of the states (the others stay draft: their values are never public);
  3. time, median of --runs each:
       - the first page (limit=1000) of GET /api/v1/public/indicator-values, and of the
         authenticated GET /api/v1/indicator-values with the same filter (what suppression adds);
       - a filtered page (?indicator=VICTIMS_DETECTED&sex=female&limit=1000: one row per group,
         each group read whole);
       - a walk over every page of the public list (limit=1000);
       - a revalidation (If-None-Match with the page's ETag: 304);
       - GET /api/v1/public/reports/biennial?cycle=2019-2020.

    cargo build --release && python3 bench/public_bench.py [--binary target/release/palermo]
        [--backend sqlite|postgresql|both] [--states 35] [--years 20] [--runs 5]

A quick check that the script works: --states 3 --years 4 --runs 1 against a debug binary.
"""

import argparse
import http.client
import itertools
import os
import random
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_bench as ib  # noqa: E402

BATCH = 5_000
CODES = {
    "sex": ["female", "male", "other", "unknown"],
    "age_group": ["child", "adult", "unknown"],
    "citizenship": ["national", "foreign", "unknown"],
    "form_of_exploitation": [
        "sexual_exploitation", "forced_labour", "domestic_servitude", "forced_marriage",
        "forced_criminality", "begging", "organ_removal", "illegal_adoption", "child_soldiers",
        "mixed", "other", "unknown",
    ],
    "sector": [
        "police", "prosecutors", "judges", "migration", "consular", "labor_inspection",
        "social_services", "health", "civil_society", "private_sector", "other",
    ],
}
INDICATORS = {  # count indicators of the starter catalog and their dimensions
    "VICTIMS_DETECTED": ["sex", "age_group", "form_of_exploitation", "citizenship"],
    "VICTIMS_ASSISTED": ["sex", "age_group", "citizenship"],
    "VICTIMS_REPATRIATED": ["sex", "age_group"],
    "OFFENCES_RECORDED": ["form_of_exploitation"],
    "PERSONS_INVESTIGATED": ["sex", "citizenship"],
    "PERSONS_PROSECUTED": ["sex", "citizenship", "form_of_exploitation"],
    "PERSONS_CONVICTED": ["sex", "citizenship", "form_of_exploitation"],
    "OFFICIALS_TRAINED": ["sex", "sector"],
}
PUBLIC = "/api/v1/public/indicator-values"
PRIVATE = "/api/v1/indicator-values"


def values(states, years, rng):
    """Each group: a total, every one-dimension cell, and one cross-tabulation."""
    for state in states:
        for year in years:
            for indicator, dims in INDICATORS.items():
                def row(d, v):
                    return {"member_state": state, "indicator": indicator, "period": str(year),
                            "disaggregation": d, "value": v}
                total = 0
                for dim in dims:
                    parts = [rng.choice([0, 2, 3, 7, 12, 18, 25, 40, 60, 90, 150, 300]) for _ in CODES[dim]]
                    total = max(total, sum(parts))
                    for code, v in zip(CODES[dim], parts):
                        yield row({dim: code}, v)
                yield row({}, total)
                if len(dims) > 1:
                    yield row({dims[0]: CODES[dims[0]][0], dims[1]: CODES[dims[1]][0]}, 1)


def median_ms(fn, runs):
    times = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def get(port, path, token=None, etag=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if etag:
        headers["If-None-Match"] = etag
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status not in (200, 304):
        raise RuntimeError(f"GET {path}: HTTP {resp.status}: {body[:300]!r}")
    return resp.status, resp.getheader("ETag"), body


def walk(port):
    import json
    pages, items, cursor = 0, 0, None
    while True:  # bounded by the list's length
        path = f"{PUBLIC}?limit=1000" + (f"&cursor={cursor}" if cursor else "")
        _, _, body = get(port, path)
        page = json.loads(body)
        pages += 1
        items += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return pages, items


def run(backend, database_url, args, workdir):
    import json
    server = ib.Server(args.binary, database_url, workdir, f"public-{backend}",
                       extra_env={"PALERMO_PUBLIC_RATE_PER_MINUTE": "1000000"})
    try:
        c = ib.Client(server.port)
        c.token = c.json("POST", "/api/v1/auth/token",
                         {"username": ib.ADMIN_USER, "password": ib.ADMIN_PASSWORD})["access_token"]
        codes = [s["code"] for s in c.json("GET", "/api/v1/member-states?limit=100")["items"]][:args.states]
        years = list(range(2001, 2001 + args.years))
        rng = random.Random(17)
        it = values(codes, years, rng)
        t0 = time.perf_counter()
        loaded = 0
        while True:
            chunk = list(itertools.islice(it, BATCH))
            if not chunk:
                break
            loaded += c.json("POST", "/api/v1/indicator-values/batch", {"values": chunk})["created"]
        ib.log(f"{backend}: loaded {loaded} values in {time.perf_counter() - t0:.1f}s")
        validated = codes[:max(1, round(len(codes) * args.validated))]
        t0 = time.perf_counter()
        cycles = [(y, y + 1) for y in years[::2]]
        for a, b in cycles:
            c.json("POST", "/api/v1/reporting-cycles", {"code": f"{a}-{b}", "work_plan": "WP2", "period_from": a,
                                                       "period_to": b, "due_date": f"{b + 1}-03-31"}, expect=201)
            for s in validated:
                for action in ("submit", "validate"):
                    c.json("POST", f"/api/v1/reporting-cycles/{a}-{b}/submissions/{s}/{action}", {})
        ib.log(f"{backend}: validated {len(cycles)} cycles of {len(validated)} states in {time.perf_counter() - t0:.1f}s")

        page_ms, (_, etag, body) = median_ms(lambda: get(server.port, f"{PUBLIC}?limit=1000"), args.runs)
        shown = json.loads(body)["items"]
        withheld = sum(1 for i in shown if i["flag"] == "suppressed")
        private_ms, _ = median_ms(lambda: get(server.port, f"{PRIVATE}?limit=1000", c.token), args.runs)
        filtered_ms, (_, _, fbody) = median_ms(
            lambda: get(server.port, f"{PUBLIC}?indicator=VICTIMS_DETECTED&sex=female&limit=1000"), args.runs)
        walk_ms, (pages, items) = median_ms(lambda: walk(server.port), args.runs)
        cond_ms, (status, _, _) = median_ms(lambda: get(server.port, f"{PUBLIC}?limit=1000", etag=etag), args.runs)
        if status != 304:
            raise RuntimeError(f"revalidation answered {status}, not 304")
        cycle = f"{cycles[0][0]}-{cycles[0][1]}" if args.years < 20 else "2019-2020"
        bi_ms, _ = median_ms(lambda: get(server.port, f"/api/v1/public/reports/biennial?cycle={cycle}"), args.runs)
        return {
            "backend": backend, "values": loaded, "page_ms": page_ms, "page_items": len(shown),
            "page_withheld": withheld, "private_ms": private_ms, "filtered_ms": filtered_ms,
            "filtered_items": len(json.loads(fbody)["items"]), "walk_ms": walk_ms, "pages": pages,
            "public_items": items, "cond_ms": cond_ms, "biennial_ms": bi_ms, "cycle": cycle,
            "rss_mib": server.sampler.hwm_kb() / 1024,
        }
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "palermo"))
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://palermo:palermo@127.0.0.1:5432/palermo"))
    ap.add_argument("--states", type=int, default=35)
    ap.add_argument("--years", type=int, default=20, help="from 2001; an even number")
    ap.add_argument("--validated", type=float, default=0.5, help="share of the states validated")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="palermo-pbench-") as workdir:
        if args.backend in ("sqlite", "both"):
            results.append(run("sqlite", os.path.join(workdir, "palermo.db"), args, workdir))
        if args.backend in ("postgresql", "both"):
            name = f"palermo_pbench_{os.getpid()}"
            ib.psql(args.pg_url, f"CREATE DATABASE {name}")
            try:
                results.append(run("postgresql", args.pg_url.rsplit("/", 1)[0] + "/" + name, args, workdir))
            finally:
                ib.psql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)
    for r in results:
        ib.log(
            f"{r['backend']}: {r['values']} values; public first page {r['page_ms']:.1f} ms "
            f"({r['page_items']} items, {r['page_withheld']} withheld) vs authenticated page {r['private_ms']:.1f} ms; "
            f"filtered page {r['filtered_ms']:.1f} ms ({r['filtered_items']} items); "
            f"walk of {r['pages']} pages / {r['public_items']} items {r['walk_ms']:.0f} ms; "
            f"304 revalidation {r['cond_ms']:.1f} ms; biennial {r['cycle']} {r['biennial_ms']:.1f} ms; "
            f"peak RSS {r['rss_mib']:.0f} MiB (median of {args.runs})")


if __name__ == "__main__":
    main()
