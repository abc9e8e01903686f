#!/usr/bin/env python3
"""Soak test of palermo under mixed load and hostile clients (standard library only).

One `palermo serve` (release binary) on a fresh database (a temp SQLite file by default, a new
PostgreSQL database with --pg-url). Reporters of ARG, BRA and CHL and a viewer. Then, for --seconds:

  * --concurrency client threads (32) mixing reads (lists of register entries, commitments, values
    with filters, member states, a CSV export, one value by id) and writes (small batch imports of
    the thread's state, commitment PUTs, register PATCHes), about 70 % reads;
  * --spray threads sending wrong passwords as fast as they get answers, alternately for one real
    username and for random ones (the throttle must hold: 429, never a 5xx, never a token);
  * --stalled sockets that start a chunked upload to the sign-in endpoint, send a little, then stall;
    each is reopened once the server has answered it (408) or dropped it;
  * a sampler reading the server's VmRSS (and the number of /metrics series) every --sample seconds.

Then a report: per request kind the count, req/s, p50/p99 latency and statuses; the spray's statuses;
the stalled uploads' outcomes; RSS over time. PASS/FAIL:
  1. no server error: no 5xx except 503 with Retry-After (load shedding, counted apart);
  2. the spray never got a token (200);
  3. flat memory: RSS at the end within --rss-growth-mb of RSS after the warm-up (the first fifth),
     and the /metrics series bounded.
Exit status 1 on any FAIL. The server is stopped (and the PostgreSQL database dropped) at the end,
on Ctrl-C and on error too. Only loopback addresses are used.

  python3 bench/soak.py --binary /work/target/release/palermo --seconds 600
  python3 bench/soak.py --pg-url postgres://palermo:palermo@127.0.0.1:5432/palermo --seconds 120
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_bench as ib  # noqa: E402  (process, server and psql helpers)

PASSWORD = "soak reporter passphrase 0123"
STATES = ["ARG", "BRA", "CHL"]
INDICATOR = "VICTIMS_DETECTED"
SEXES = ["female", "male", "other", "unknown"]
MAX_OPS_PER_THREAD = 10_000_000



def log(msg=""):
    print(msg, flush=True)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []  # (kind, status, seconds, retry_after)

    def add(self, kind, status, secs, retry_after):
        with self.lock:
            self.rows.append((kind, status, secs, retry_after))


class Client:
    """One keep-alive connection; status 0 is a transport error."""

    def __init__(self, port, stats, token=None, timeout=60):
        self.port, self.stats, self.token, self.timeout = port, stats, token, timeout
        self.conn = None

    def close(self):
        if self.conn:
            self.conn.close()
        self.conn = None

    def request(self, kind, method, path, obj=None, accept="application/json"):
        body = None if obj is None else json.dumps(obj, separators=(",", ":")).encode()
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        t0 = time.perf_counter()
        status, hdrs, data = 0, {}, b""
        for attempt in range(2):  # one reconnect when a kept-alive connection was closed meanwhile
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                status, hdrs = resp.status, {k.lower(): v for k, v in resp.getheaders()}
                if hdrs.get("connection", "").lower() == "close":
                    self.close()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt:
                    break
            except (OSError, http.client.HTTPException):
                self.close()
                break
        self.stats.add(kind, status, time.perf_counter() - t0, "retry-after" in hdrs)
        try:
            parsed = json.loads(data) if data and accept == "application/json" else None
        except ValueError:
            parsed = None
        return status, parsed

    def must(self, method, path, obj=None, expect=(200,)):
        status, body = self.request("setup", method, path, obj)
        if status not in expect:
            raise RuntimeError(f"{method} {path}: HTTP {status}: {str(body)[:300]}")
        return body


# --------------------------------------------------------------------------- workload

def mixed_loop(client, state, authority_ids, deadline, rng, stop):
    for _ in range(MAX_OPS_PER_THREAD):
        if time.monotonic() >= deadline or stop.is_set():
            return
        r = rng.random()
        if r < 0.15:
            client.request("read:authorities", "GET", f"/api/v1/national-authorities?member_state={state}&limit=50")
        elif r < 0.30:
            sex = rng.choice(SEXES)
            client.request("read:values", "GET",
                           f"/api/v1/indicator-values?indicator={INDICATOR}&member_state={state}&sex={sex}&limit=200")
        elif r < 0.42:
            client.request("read:commitments", "GET", f"/api/v1/commitments?member_state={state}&limit=100")
        elif r < 0.52:
            client.request("read:member-states", "GET", "/api/v1/member-states?limit=50")
        elif r < 0.57:
            client.request("read:csv", "GET", f"/api/v1/national-authorities?member_state={state}&format=csv",
                           accept="text/csv")
        elif r < 0.70:
            client.request("read:one", "GET", f"/api/v1/national-authorities/{rng.choice(authority_ids)}")
        elif r < 0.82:
            year = str(rng.randint(2015, 2022))
            values = [{"member_state": state, "indicator": INDICATOR, "period": year,
                       "disaggregation": {"sex": s}, "value": rng.randint(0, 500)} for s in SEXES]
            values.append({"member_state": state, "indicator": INDICATOR, "period": year, "disaggregation": {},
                           "value": rng.randint(2000, 4000)})
            client.request("write:batch", "POST", "/api/v1/indicator-values/batch?mode=partial", {"values": values})
        elif r < 0.91:
            status = rng.choice(["planned", "in_progress", "implemented"])
            client.request("write:commitment", "PUT",
                           f"/api/v1/member-states/{state}/commitments/WP2/{rng.randint(1, 60)}",
                           {"status": status, "actions": f"step {rng.randint(0, 10**6)}"})
        else:
            client.request("write:authority", "PATCH", f"/api/v1/national-authorities/{rng.choice(authority_ids)}",
                           {"notes": f"soak {rng.randint(0, 10**6)}"})


def spray_loop(client, target, deadline, rng, stop):
    for i in range(MAX_OPS_PER_THREAD):
        if time.monotonic() >= deadline or stop.is_set():
            return
        username = target if i % 2 == 0 else f"nobody-{rng.randint(0, 10**9)}"
        client.request("spray", "POST", "/api/v1/auth/token",
                       {"username": username, "password": f"guess {rng.randint(0, 10**9)}"})


def stalled_loop(port, outcomes, deadline, rng, stop):
    """Opens a chunked sign-in upload, sends a little, stalls; counts how each one ends."""
    while time.monotonic() < deadline and not stop.is_set():
        t0 = time.monotonic()
        outcome = "error"
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.settimeout(min(60, max(1, deadline - time.monotonic() + 5)))
            s.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            piece = b'{"username": "' + b"x" * rng.randint(1000, 200_000)
            s.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            head = s.recv(64)
            outcome = head[9:12].decode(errors="replace") if head.startswith(b"HTTP/1.1") else "dropped"
            s.close()
        except socket.timeout:
            outcome = "unanswered"
        except OSError:
            outcome = "error"
        with outcomes["lock"]:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            outcomes.setdefault("seconds", []).append(time.monotonic() - t0)


def metric_series(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
        c.close()
        return sum(1 for line in text.splitlines() if line.startswith("palermo_http_requests_total{"))
    except OSError:
        return -1


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "palermo"))
    ap.add_argument("--pg-url", help="PostgreSQL server URL (loopback; role with CREATEDB); default SQLite")
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--spray", type=int, default=2, help="login spray threads")
    ap.add_argument("--stalled", type=int, default=16, help="stalled uploads kept open")
    ap.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples")
    ap.add_argument("--rss-growth-mb", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=20261201)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, ib._on_signal)
    if not os.path.exists(args.binary):
        raise SystemExit(f"{args.binary} not found: cargo build --release first (or pass --binary)")

    workdir = tempfile.mkdtemp(prefix="palermo-soak-")
    pg_db = None
    try:
        if args.pg_url:
            host = urllib.parse.urlsplit(args.pg_url).hostname or ""
            if host not in ("127.0.0.1", "localhost", "::1"):
                raise SystemExit("--pg-url must point at a loopback address")
            pg_db = f"palermo_soak_{os.getpid()}"
            ib.psql(args.pg_url, f"CREATE DATABASE {pg_db}")
            database_url = ib.with_dbname(args.pg_url, pg_db)
            backend = "postgresql"
        else:
            database_url = os.path.join(workdir, "soak.db")
            backend = "sqlite"
        server = ib.Server(args.binary, database_url, workdir, "soak")
        stats = Stats()
        admin = Client(server.port, stats)
        admin.token = admin.must("POST", "/api/v1/auth/token",
                                 {"username": ib.ADMIN_USER, "password": ib.ADMIN_PASSWORD})["access_token"]
        tokens, authorities = {}, {}
        for state in STATES:
            name = f"soak-{state.lower()}"
            admin.must("POST", "/api/v1/users", {"username": name, "password": PASSWORD, "role": "reporter",
                                                "member_state": state}, expect=(201,))
            tokens[state] = admin.must("POST", "/api/v1/auth/token",
                                       {"username": name, "password": PASSWORD})["access_token"]
            authorities[state] = [
                admin.must("POST", "/api/v1/national-authorities",
                           {"member_state": state, "role": "focal_point", "institution": f"Institución {i}"},
                           expect=(201,))["id"]
                for i in range(5)
            ]
        admin.must("POST", "/api/v1/users", {"username": "soak-sprayed", "password": PASSWORD, "role": "viewer"},
                   expect=(201,))

        log(f"soak: {backend}, {args.seconds} s, {args.concurrency} clients, {args.spray} spray threads, "
            f"{args.stalled} stalled uploads, binary {args.binary}")
        stop = threading.Event()
        start = time.monotonic()
        deadline = start + args.seconds
        outcomes = {"lock": threading.Lock()}
        samples = []  # (t, rss MB, series)
        threads = []
        for i in range(args.concurrency):
            state = STATES[i % len(STATES)]
            c = Client(server.port, stats, tokens[state])
            threads.append(threading.Thread(target=mixed_loop, daemon=True,
                                            args=(c, state, authorities[state], deadline,
                                                  random.Random(args.seed + i), stop)))
        for i in range(args.spray):
            threads.append(threading.Thread(target=spray_loop, daemon=True,
                                            args=(Client(server.port, stats), "soak-sprayed", deadline,
                                                  random.Random(args.seed + 1000 + i), stop)))
        for i in range(args.stalled):
            threads.append(threading.Thread(target=stalled_loop, daemon=True,
                                            args=(server.port, outcomes, deadline,
                                                  random.Random(args.seed + 2000 + i), stop)))
        for t in threads:
            t.start()
        while time.monotonic() < deadline:
            samples.append((time.monotonic() - start, server.sampler.rss_kb() / 1024, metric_series(server.port)))
            if server.proc.poll() is not None:
                raise RuntimeError(f"the server died:\n{server.log_tail()}")
            time.sleep(max(0.0, min(args.sample, deadline - time.monotonic())))
        for t in threads:
            t.join(timeout=90)
        samples.append((time.monotonic() - start, server.sampler.rss_kb() / 1024, metric_series(server.port)))
        elapsed = time.monotonic() - start

        # ------------------------------------------------------------------ report
        failures = []
        by_kind = {}
        for kind, status, secs, retry_after in stats.rows:
            by_kind.setdefault(kind, []).append((status, secs, retry_after))
        log(f"\n{'kind':<20} {'count':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses")
        server_errors = shed = 0
        for kind in sorted(by_kind):
            rows = by_kind[kind]
            lat = sorted(s for _, s, _ in rows)
            codes = {}
            for status, _, retry_after in rows:
                codes[status] = codes.get(status, 0) + 1
                if status >= 500 and not (status == 503 and retry_after):
                    server_errors += 1
                elif status == 503:
                    shed += 1
            codes_text = " ".join(f"{k}:{v}" for k, v in sorted(codes.items()))
            log(f"{kind:<20} {len(rows):>8} {len(rows) / elapsed:>8.1f} {percentile(lat, 50) * 1000:>8.1f} "
                f"{percentile(lat, 99) * 1000:>8.1f}  {codes_text}")
        transport = sum(1 for _, st, _, _ in stats.rows if st == 0 )
        spray_tokens = sum(1 for st, _, _ in by_kind.get("spray", []) if st == 200)
        with outcomes["lock"]:
            ends = {k: v for k, v in outcomes.items() if k not in ("lock", "seconds")}
            held = sorted(outcomes.get("seconds", []))
        log(f"\nstalled uploads: {sum(ends.values())} ended: "
            + " ".join(f"{k}:{v}" for k, v in sorted(ends.items()))
            + f"; held p50 {percentile(held, 50):.1f} s, max {held[-1] if held else 0:.1f} s")
        log("\nRSS over time (MB) and /metrics series:")
        step = max(1, len(samples) // 20)
        for t, rss, series in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
            log(f"  t={t:>6.0f}s  rss={rss:>7.1f}  series={series}")
        warm = samples[max(0, len(samples) // 5)]
        end_rss = samples[-1][1]
        peak = max(r for _, r, _ in samples)
        growth = end_rss - warm[1]
        log(f"\nRSS: start {samples[0][1]:.1f} MB, after warm-up (t={warm[0]:.0f}s) {warm[1]:.1f} MB, "
            f"end {end_rss:.1f} MB, peak {peak:.1f} MB, growth after warm-up {growth:+.1f} MB")
        log(f"requests: {len(stats.rows)} ({len(stats.rows) / elapsed:.0f}/s), server errors {server_errors}, "
            f"503 with Retry-After {shed}, transport errors {transport}")

        def check(ok, text):
            log(f"{'PASS' if ok else 'FAIL'}: {text}")
            if not ok:
                failures.append(text)

        log("")
        check(server_errors == 0, f"no server error (5xx other than 503 with Retry-After): {server_errors}")
        check(spray_tokens == 0, f"the spray never got a token: {spray_tokens}")
        check(growth <= args.rss_growth_mb, f"flat memory: {growth:+.1f} MB after warm-up (<= {args.rss_growth_mb})")
        series = [s for _, _, s in samples if s >= 0]
        check(bool(series) and max(series) < 500, f"bounded metric series: max {max(series) if series else '?'}")
        errors_logged = sum(1 for line in server.log_tail(100000).splitlines() if " ERROR " in line)
        check(errors_logged == 0, f"no ERROR in the server log: {errors_logged}")
        return 1 if failures else 0
    finally:
        ib.kill_children()
        if pg_db:
            try:
                ib.psql(args.pg_url, f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                log(f"could not drop {pg_db}: {e}")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        ib.kill_children()
        sys.exit(130)
