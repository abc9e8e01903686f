#!/usr/bin/env python3
"""Webhook delivery rate of palermo (standard library only).

For each backend (a temp SQLite file; a fresh PostgreSQL database) and each run:
  1. `palermo serve` with the webhook worker off; an admin subscribes a local receiver (an HTTP
     server in this process that answers 204 and records every `webhook-id`) to training events,
     then writes --events training events (one change-feed event each) with --writers threads;
  2. the server is restarted with the worker on (PALERMO_WEBHOOK_WORKER=true,
     PALERMO_WEBHOOK_ALLOW_PRIVATE=true for the loopback receiver) and the clock runs from its
     start until the receiver has every event: fan-out of the feed into the queue, claims, signed
     POSTs and recorded outcomes (the rate counts the server's start-up; the rate from the first
     delivery to the last is printed too);
  3. checks: each event delivered, none twice, every delivery `succeeded` in the log.

Prints deliveries per second per run and the median of the runs. The receiver is Python's
ThreadingHTTPServer: on a fast machine it may be what limits the rate (its CPU time is printed).
Every loop is bounded in count and time; only loopback addresses are used. The servers are
stopped and the PostgreSQL database dropped at the end, on Ctrl-C and on error too.

    python3 bench/webhook_bench.py --binary target/release/palermo --runs 3
    python3 bench/webhook_bench.py --binary target/debug/palermo --events 200 --runs 1   # smoke test
"""

import argparse
import http.server
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_bench as ib  # noqa: E402  (process, server, client and psql helpers)


class Receiver:
    """Answers 204 to every POST, keeping each request's webhook-id (keep-alive HTTP/1.1)."""

    def __init__(self):
        self.ids = []
        self.lock = threading.Lock()
        self.first_at = None
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                with receiver.lock:
                    if receiver.first_at is None:
                        receiver.first_at = time.perf_counter()
                    receiver.ids.append(self.headers.get("webhook-id", ""))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def count(self):
        with self.lock:
            return len(self.ids)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def sign_in(port):
    c = ib.Client(port)
    tok = c.json("POST", "/api/v1/auth/token", {"username": ib.ADMIN_USER, "password": ib.ADMIN_PASSWORD})
    c.token = tok["access_token"]
    return c


def write_events(port, token, n, writers):
    """n training-event creates over `writers` threads."""
    errors = []

    def work(k):
        c = ib.Client(port)
        c.token = token
        try:
            for i in range(k, n, writers):
                c.json("POST", "/api/v1/training-events", {
                    "organizer": "Secretaría General de la OEA", "title": f"Bench event {i}",
                    "start_date": "2026-01-10", "end_date": "2026-01-12", "modality": "virtual",
                    "audiences": ["police"], "guidelines": []}, expect=201)
        except Exception as e:  # reported by the caller
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def delivery_log_succeeded(client, hook_id, n):
    """Number of `succeeded` deliveries in the log (paged)."""
    done, cursor = 0, None
    for _ in range(n // 1000 + 2):  # bounded
        q = f"?status=succeeded&limit=1000" + (f"&cursor={cursor}" if cursor else "")
        page = client.json("GET", f"/api/v1/webhooks/{hook_id}/deliveries{q}")
        done += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return done


def one_run(backend, binary, database_url, workdir, args, run):
    receiver = Receiver()
    env_off = {"PALERMO_WEBHOOK_WORKER": "false", "PALERMO_WEBHOOK_ALLOW_PRIVATE": "true"}
    server = ib.Server(binary, database_url, workdir, f"{backend}-{run}-writes", env_off)
    try:
        client = sign_in(server.port)
        hook = client.json("POST", "/api/v1/webhooks", {
            "url": f"http://127.0.0.1:{receiver.port}/hooks", "events": ["training_event"]}, expect=201)
        t0 = time.perf_counter()
        write_events(server.port, client.token, args.events, args.writers)
        ib.log(f"  wrote {args.events} events in {time.perf_counter() - t0:.1f} s (worker off)")
        if receiver.count():
            raise RuntimeError("deliveries arrived while the worker was off: the measurement would be wrong")
    finally:
        server.stop()
    env_on = {"PALERMO_WEBHOOK_WORKER": "true", "PALERMO_WEBHOOK_ALLOW_PRIVATE": "true",
              "PALERMO_WEBHOOK_POLL_MS": str(args.poll_ms)}
    cpu0 = ib.own_cpu_s()
    start = time.perf_counter()
    server = ib.Server(binary, database_url, workdir, f"{backend}-{run}-deliver", env_on)
    try:
        deadline = start + args.timeout
        while receiver.count() < args.events and time.perf_counter() < deadline:  # bounded
            time.sleep(0.02)
        end = time.perf_counter()
        elapsed = end - start
        first_to_last = end - (receiver.first_at or start)
        got = receiver.count()
        if got < args.events:
            raise RuntimeError(f"only {got} of {args.events} deliveries after {args.timeout} s")
        server_cpu = server.sampler.cpu_s()
        time.sleep(0.5)  # let a duplicate, if any, arrive before counting
        ids = list(receiver.ids)
        client = sign_in(server.port)
        succeeded = 0
        for _ in range(100):  # bounded: outcomes are recorded after the receiver answered
            succeeded = delivery_log_succeeded(client, hook["id"], args.events)
            if succeeded >= args.events:
                break
            time.sleep(0.1)
    finally:
        server.stop()
        receiver.stop()
    ok = len(ids) == args.events and len(set(ids)) == args.events and succeeded == args.events
    rate = args.events / elapsed
    ib.log(f"  {backend} run {run + 1}: {args.events} deliveries in {elapsed:.2f} s from the process start "
           f"= {rate:,.0f}/s ({args.events / max(first_to_last, 1e-9):,.0f}/s from the first delivery to the last) "
           f"(server CPU {server_cpu:.1f} s, bench process CPU {ib.own_cpu_s() - cpu0:.1f} s); "
           f"received {len(ids)}, distinct {len(set(ids))}, succeeded in log {succeeded}: "
           f"{'PASS' if ok else 'FAIL'}")
    return rate, ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="path of the palermo binary (release for figures)")
    ap.add_argument("--backends", default=os.environ.get("BENCH_BACKENDS", "sqlite,postgresql"))
    ap.add_argument("--pg-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://palermo:palermo@127.0.0.1:5432/palermo"))
    ap.add_argument("--events", type=int, default=10_000, help="changes to deliver per run")
    ap.add_argument("--runs", type=int, default=3, help="runs per backend; the median is reported")
    ap.add_argument("--writers", type=int, default=4, help="threads writing the events")
    ap.add_argument("--poll-ms", type=int, default=200, help="PALERMO_WEBHOOK_POLL_MS of the worker")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the deliveries")
    args = ap.parse_args()
    args.events = max(1, min(args.events, 1_000_000))
    runs = max(1, min(args.runs, 20))
    signal.signal(signal.SIGTERM, ib._on_signal)
    signal.signal(signal.SIGHUP, ib._on_signal)
    ib.log(f"load average at start: {ib.load_average()} on {os.cpu_count()} cores "
           "(the figures are only meaningful on an otherwise idle machine)")
    workdir = tempfile.mkdtemp(prefix="palermo-webhook-bench-")
    results, failed = {}, False
    try:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            rates = []
            for run in range(runs):
                if backend == "sqlite":
                    db = os.path.join(workdir, f"webhooks-{run}.db")
                    rate, ok = one_run(backend, args.binary, db, workdir, args, run)
                elif backend == "postgresql":
                    ib.check_loopback(args.pg_url)
                    if not shutil.which("psql"):
                        raise RuntimeError("psql not found (needed for a fresh PostgreSQL database)")
                    dbname = f"palermo_webhook_bench_{os.getpid()}_{run}"
                    ib.psql(args.pg_url, f"CREATE DATABASE {dbname}")
                    try:
                        rate, ok = one_run(backend, args.binary, ib.with_dbname(args.pg_url, dbname),
                                           workdir, args, run)
                    finally:
                        ib.kill_children()
                        ib.psql(args.pg_url, f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)", check=False)
                else:
                    raise SystemExit(f"unknown backend {backend!r} (sqlite, postgresql)")
                rates.append(rate)
                failed |= not ok
            results[backend] = rates
    except Exception as e:  # report what we have, then fail
        failed = True
        ib.log(f"\nERROR: {type(e).__name__}: {e}")
    finally:
        ib.kill_children()
        shutil.rmtree(workdir, ignore_errors=True)
    ib.log(f"\nwebhook delivery rate, {args.events} events per run, median of {runs}:")
    for backend, rates in results.items():
        ib.log(f"  {backend:<10} {statistics.median(rates):>10,.0f} deliveries/s   "
               f"(runs: {', '.join(f'{r:,.0f}' for r in rates)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
