#!/usr/bin/env python3
"""Benchmark of palermo's data quality at 1M stored values (standard library only; reuses the
process, client and psql helpers of bench/import_bench.py).

On PostgreSQL (default durability: fsync and synchronous_commit as the server has them), in a fresh
database palermo_qbench_<pid>, with the release binary:

  1. load 1,000,000 values through the batch endpoint, in batches of 10,000: the values of
     bench/scale.py (6 count indicators with every full breakdown and the total, 35 states, years
     1990-2030);
  2. define two validation rules (one blocking) and the reporting cycle 2019-2020;
  3. time GET .../submissions/ARG/validation (one submission: every rule and built-in check
     over the cycle's years) -- median of --runs;
  4. time GET /indicator-values/outliers?algorithm=modified_z_score over all 1M values, and
     ?member_state=ARG -- median of --runs.

    cargo build --release && python3 bench/quality_bench.py [--runs 5] [--binary target/release/palermo]
"""

import argparse
import itertools
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_bench as ib  # noqa: E402
import scale  # noqa: E402

N_VALUES = 1_000_000
BATCH = 10_000


def states(client):
    return [s["code"] for s in client.json("GET", "/api/v1/member-states?limit=100")["items"]]


def timed(client, path, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        body = client.json("GET", path)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "palermo"))
    ap.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://palermo:palermo@127.0.0.1:5432/palermo"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    name = f"palermo_qbench_{os.getpid()}"
    ib.psql(args.pg_url, f"CREATE DATABASE {name}")
    url = args.pg_url.rsplit("/", 1)[0] + "/" + name
    durability = ib.psql(url, "SHOW fsync; SHOW synchronous_commit;").stdout.decode().split()
    server = ib.Server(args.binary, url, "/tmp", "quality")
    try:
        c = ib.Client(server.port)
        c.token = c.json("POST", "/api/v1/auth/token", {"username": ib.ADMIN_USER, "password": ib.ADMIN_PASSWORD})["access_token"]
        codes = states(c)
        t0 = time.perf_counter()
        total, warnings = 0, 0
        it = scale.values(codes, N_VALUES)
        while True:
            chunk = list(itertools.islice(it, BATCH))
            if not chunk:
                break
            s = c.json("POST", "/api/v1/indicator-values/batch", {"values": chunk})
            total += s["created"]
            warnings += len(s["warnings"])
        load_s = time.perf_counter() - t0
        ib.log(f"loaded {total} values in {load_s:.1f}s ({total / load_s:,.0f}/s), {warnings} import warnings")
        c.json("POST", "/api/v1/validation-rules", {
            "code": "PARTS_LE_TOTAL", "name": "Women and girls do not exceed the total",
            "left": "#{VICTIMS_DETECTED|age_group=child,citizenship=national,form_of_exploitation=begging,sex=female}",
            "operator": "less_than_or_equal_to", "right": "#{VICTIMS_DETECTED}", "importance": "blocking"}, expect=201)
        c.json("POST", "/api/v1/validation-rules", {
            "code": "CONVICTED_LE_PROSECUTED", "name": "Convictions do not exceed prosecutions",
            "left": "#{PERSONS_CONVICTED}", "operator": "less_than_or_equal_to",
            "right": "#{PERSONS_PROSECUTED}", "missing_value_strategy": "never_skip"}, expect=201)
        c.json("POST", "/api/v1/reporting-cycles", {"code": "2019-2020", "work_plan": "WP2", "period_from": 2019,
                                                   "period_to": 2020, "due_date": "2021-03-31"}, expect=201)
        v_med, v_all, v_body = timed(c, "/api/v1/reporting-cycles/2019-2020/submissions/ARG/validation", args.runs)
        o_med, o_all, o_body = timed(c, "/api/v1/indicator-values/outliers?algorithm=modified_z_score", args.runs)
        s_med, s_all, s_body = timed(c, "/api/v1/indicator-values/outliers?algorithm=modified_z_score&member_state=ARG", args.runs)
        ib.log(f"postgresql fsync={durability[0]} synchronous_commit={durability[1]}, {total} values, runs={args.runs}")
        ib.log(f"validation of one submission (ARG, 2019-2020): median {v_med * 1000:.1f} ms "
               f"({len(v_body['violations'])} violations) runs {[round(t * 1000, 1) for t in v_all]}")
        ib.log(f"outlier scan, all 1M values: median {o_med:.2f} s ({len(o_body['items'])} outliers) "
               f"runs {[round(t, 2) for t in o_all]}")
        ib.log(f"outlier scan, one state: median {s_med * 1000:.0f} ms ({len(s_body['items'])} outliers)")
        ib.log(f"server peak RSS {server.sampler.hwm_kb() / 1024:.0f} MiB")
    finally:
        server.stop()
        ib.psql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)


if __name__ == "__main__":
    main()
