#!/usr/bin/env python3
"""Stress test of palermo's concurrency and sync guarantees (standard library only).

Two `palermo serve` processes on one fresh database (PostgreSQL by default, a temp SQLite file with
--sqlite), same PALERMO_JWT_SECRET. Reporters of ARG, BRA and CHL, a reporting cycle, two national
authorities per state. Then, for --seconds:

  * --writers threads, alternately on each server, each bound to one state (writer i -> state i % 3),
    mixing: batch imports (--batch-min..--batch-max VICTIMS_DETECTED values cut from the state's key
    space, so writers of one state overlap; mostly atomic, some partial), commitment PUTs without
    If-Match on guidelines 1..--guidelines, national-authority PATCHes without If-Match and with a
    (possibly stale) If-Match, value DELETEs;
  * one admin cycling ARG's submission of the cycle through submit / return (the lock);
  * one follower polling /api/v1/changes with its cursor, the whole time and until a poll after the
    writers stopped brings nothing.

Then the invariants, PASS/FAIL each with figures:
  1. no 5xx except 503 with Retry-After; no 412 for a write sent without If-Match; every other
     status is one the request may get (e.g. 409/422 'locked' only for ARG);
  2. every national authority and commitment touched: version == its create/update events (in its
     history and in the full feed), history versions are 1..version without gaps, and
     version - 1 == the successful writes acknowledged to the clients (no lost update);
  3. the follower's copy of the feed == a full read of /changes (same sequences, order, no duplicates);
  4. lock: no event writing an ARG value of the cycle's years (batch or delete), nor an ARG commitment
     event, lies in feed order between a `submit` of the submission and the next `return`;
  5. each value's version == its audit events (created/updated in batch events, deletes), for a
     sample of --sample values read over HTTP; and over all values, the sum of versions == the
     created + updated + deleted acknowledged to the clients.
  The feed carries no batch contents, so 4 and 5 read the audit trail (audit_events) and the value
  periods straight from the database (psql, or sqlite3 for --sqlite); the feed order is the
  audit_events id order (the feed's `sequence`).

Prints per request kind the count, req/s, p50/p99 latency and statuses. Exit status 1 on any FAIL
or error. The servers are stopped and the database dropped at the end, on Ctrl-C and on error too.
Every loop is bounded in count and time; only loopback addresses are used.
"""

import argparse
import csv
import http.client
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_bench as ib  # noqa: E402  (process, server and psql helpers)

REPORTER_PASSWORD = "stress reporter passphrase 0123"
STATES = ["ARG", "BRA", "CHL"]
LOCKED_STATE = "ARG"
INDICATOR = "VICTIMS_DETECTED"
YEARS = list(range(2016, 2022))
CYCLE = {"code": "2018-2019", "work_plan": "WP2", "period_from": 2018, "period_to": 2019,
         "due_date": "2030-03-31"}
CYCLE_YEARS = set(range(CYCLE["period_from"], CYCLE["period_to"] + 1))
SUBMISSION_ID = f"{CYCLE['code']}/{LOCKED_STATE}"
MAX_OPS_PER_THREAD = 200_000
MAX_FOLLOWER_POLLS = 1_000_000



def log(msg=""):
    print(msg, flush=True)


class Stats:
    """Every request: kind, status, latency, whether it carried If-Match, Retry-After on 503."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []  # (kind, status, seconds, if_match, retry_after, t_end)
        self.unexpected = []  # (kind, status, detail)

    def add(self, kind, status, secs, if_match, retry_after):
        with self.lock:
            self.rows.append((kind, status, secs, if_match, retry_after, time.monotonic()))

    def flag(self, kind, status, detail):
        with self.lock:
            self.unexpected.append((kind, status, detail))


class Client:
    def __init__(self, port, stats, token=None, timeout=60):
        self.port, self.stats, self.token, self.timeout = port, stats, token, timeout
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def close(self):
        if self.conn:
            self.conn.close()

    def request(self, kind, method, path, obj=None, if_match=None):
        """Returns (status, headers dict lower-cased, parsed JSON body or None); status 0 = transport error."""
        body = None if obj is None else json.dumps(obj, separators=(",", ":")).encode()
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if if_match:
            headers["If-Match"] = if_match
        t0 = time.perf_counter()
        status, hdrs, data = 0, {}, b""
        for attempt in range(2):  # one reconnect if the keep-alive connection was dropped before sending
            try:
                if self.conn is None:
                    self._connect()
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                status, hdrs = resp.status, {k.lower(): v for k, v in resp.getheaders()}
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                self.conn = None
                if attempt:
                    self.stats.flag(kind, 0, f"{method} {path}: {type(e).__name__}: {e}")
            except (OSError, http.client.HTTPException) as e:
                self.close()
                self.conn = None
                self.stats.flag(kind, 0, f"{method} {path}: {type(e).__name__}: {e}")
                break
        secs = time.perf_counter() - t0
        self.stats.add(kind, status, secs, bool(if_match), "retry-after" in hdrs)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return status, hdrs, parsed

    def must(self, method, path, obj=None, expect=(200,), kind="setup"):
        status, hdrs, body = self.request(kind, method, path, obj)
        if status not in expect:
            raise RuntimeError(f"{method} {path}: HTTP {status}: {str(body)[:500]}")
        return body, hdrs


# --------------------------------------------------------------------------- servers and database

class Db:
    """Read-only access to the audit trail and the value rows, for invariants 4 and 5."""

    def __init__(self, sqlite_path=None, pg_url=None):
        self.sqlite_path, self.pg_url = sqlite_path, pg_url

    def query(self, sql):
        if self.sqlite_path:
            conn = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=30)
            try:
                return [tuple("" if x is None else str(x) for x in row) for row in conn.execute(sql)]
            finally:
                conn.close()
        r = ib.psql(self.pg_url, f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)")
        return [tuple(row) for row in csv.reader(io.StringIO(r.stdout.decode()))]


# --------------------------------------------------------------------------- workload

def disaggregations():
    """Every breakdown by sex x age group x citizenship, each dimension absent or one code: 80."""
    out = [{}]
    for dim, codes in [("sex", ["female", "male", "other", "unknown"]),
                       ("age_group", ["child", "adult", "unknown"]),
                       ("citizenship", ["national", "foreign", "unknown"])]:
        out = [d for base in out for d in [base] + [dict(base, **{dim: c}) for c in codes]]
    return out


KEYS = [(str(y), d) for y in YEARS for d in disaggregations()]  # 480 keys per state


class Shared:
    def __init__(self, args):
        self.args = args
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.authorities = {}  # state -> [id]
        self.etags = {}  # authority id -> an ETag seen at some time (may be stale)
        self.acked = {}  # ("na"|"commitment", key) -> successful writes acknowledged
        self.commitments = set()  # (state, number) touched
        self.batch_created = self.batch_updated = 0
        self.deleted = 0
        self.cycles = 0
        self.errors = []

    def ack(self, key):
        with self.lock:
            self.acked[key] = self.acked.get(key, 0) + 1


def locked_only(body):
    errs = (body or {}).get("errors") or []
    return bool(errs) and all(e.get("code") == "locked" for e in errs)


def writer_loop(shared, client, state, wid, deadline, rng):
    a = shared.args
    for step in range(MAX_OPS_PER_THREAD):
        if time.monotonic() >= deadline or shared.stop.is_set():
            return
        r = rng.random()
        is_locked_state = state == LOCKED_STATE
        if r < 0.40:  # batch import of an overlapping slice of the state's keys
            n = rng.randint(a.batch_min, a.batch_max)
            start = rng.randrange(0, len(KEYS) - n + 1)
            values = [{"member_state": state, "indicator": INDICATOR, "period": p, "disaggregation": d,
                       "value": rng.randint(0, 1000)} for p, d in KEYS[start:start + n]]
            mode = "partial" if rng.random() < 0.2 else "atomic"
            st, _, body = client.request("batch", "POST", f"/api/v1/indicator-values/batch?mode={mode}",
                                         {"values": values})
            if st == 200:
                with shared.lock:
                    shared.batch_created += body["created"]
                    shared.batch_updated += body["updated"]
                if body.get("rejected") and not (is_locked_state and locked_only(body)):
                    shared.stats.flag("batch", st, f"{mode} rejects: {str(body)[:300]}")
            elif st == 422 and is_locked_state and locked_only(body):
                pass
            elif st != 503:
                shared.stats.flag("batch", st, str(body)[:300])
        elif r < 0.60:  # commitment PUT, no If-Match
            number = rng.randint(1, a.guidelines)
            st, _, body = client.request(
                "commitment_put", "PUT", f"/api/v1/member-states/{state}/commitments/WP2/{number}",
                {"status": rng.choice(["planned", "in_progress", "implemented"]),
                 "actions": f"writer {wid} step {step}"})
            with shared.lock:
                shared.commitments.add((state, number))
            if st in (200, 201):
                shared.ack(("commitment", (state, number)))
            elif not (st == 409 and is_locked_state) and st != 503:
                shared.stats.flag("commitment_put", st, str(body)[:300])
        elif r < 0.75:  # national-authority PATCH, no If-Match
            na = rng.choice(shared.authorities[state])
            st, _, body = client.request("na_patch", "PATCH", f"/api/v1/national-authorities/{na}",
                                         {"notes": f"writer {wid} step {step}"})
            if st == 200:
                shared.ack(("na", na))
            elif st != 503:
                shared.stats.flag("na_patch", st, str(body)[:300])
        elif r < 0.88:  # national-authority PATCH with If-Match: fresh (just read) or an older one
            na = rng.choice(shared.authorities[state])
            with shared.lock:
                tag = shared.etags.get(na)
            if tag is None or rng.random() < 0.5:
                st, hdrs, body = client.request("na_get", "GET", f"/api/v1/national-authorities/{na}")
                if st == 200:
                    tag = hdrs.get("etag")
                    with shared.lock:
                        shared.etags[na] = tag
                elif st != 503:
                    shared.stats.flag("na_get", st, str(body)[:300])
            if tag:
                st, hdrs, body = client.request("na_patch_if_match", "PATCH", f"/api/v1/national-authorities/{na}",
                                                {"notes": f"writer {wid} step {step} (if-match)"}, if_match=tag)
                if st == 200:
                    shared.ack(("na", na))
                    with shared.lock:
                        shared.etags[na] = hdrs.get("etag")
                elif st not in (412, 503):
                    shared.stats.flag("na_patch_if_match", st, str(body)[:300])
        else:  # value DELETE of one of the state's values of a random year
            y = rng.choice(YEARS)
            st, _, body = client.request(
                "value_list", "GET", f"/api/v1/indicator-values?member_state={state}&indicator={INDICATOR}"
                f"&period_from={y}&period_to={y}&limit=50")
            if st != 200:
                if st != 503:
                    shared.stats.flag("value_list", st, str(body)[:300])
                continue
            items = body.get("items") or []
            if not items:
                continue
            vid = rng.choice(items)["id"]
            st, _, body = client.request("value_delete", "DELETE", f"/api/v1/indicator-values/{vid}")
            if st == 204:
                with shared.lock:
                    shared.deleted += 1
            elif not (st == 404 or (st == 409 and is_locked_state) or st == 503):
                shared.stats.flag("value_delete", st, str(body)[:300])


def cycler_loop(shared, client, deadline, rng):
    """Admin: ARG's submission submitted, held a while, returned; ends returned."""
    base = f"/api/v1/reporting-cycles/{CYCLE['code']}/submissions/{LOCKED_STATE}"
    for i in range(MAX_OPS_PER_THREAD):
        if time.monotonic() >= deadline or shared.stop.is_set():
            return
        for kind, path, obj in [("submit", "/submit", {}),
                                ("return", "/return", {"comment": f"stress round {i}: please review"})]:
            for _attempt in range(50):  # bounded retries on 503 only
                st, hdrs, body = client.request(kind, "POST", base + path, obj)
                if st != 503:
                    break
                time.sleep(0.05)
            if st != 200:
                shared.stats.flag(kind, st, str(body)[:300])
                return
            time.sleep(rng.uniform(0.2, 0.6))
        shared.cycles += 1


def follower_loop(shared, client, writers_done, out, deadline_hard):
    """Polls /changes with its cursor until the writers are done and a poll after that is empty."""
    cursor = None
    for _ in range(MAX_FOLLOWER_POLLS):
        if time.monotonic() > deadline_hard or shared.stop.is_set():
            shared.errors.append("follower: hard deadline reached before it caught up")
            return
        done = writers_done.is_set()
        q = f"&after={urllib.parse.quote(cursor)}" if cursor else ""
        st, _, body = client.request("changes", "GET", f"/api/v1/changes?limit={shared.args.follower_limit}{q}")
        if st != 200:
            if st != 503:
                shared.stats.flag("changes", st, str(body)[:300])
            time.sleep(0.05)
            continue
        items = body["items"]
        out.extend((c["sequence"], c["resource_type"], c["resource_id"], c["action"]) for c in items)
        if not body.get("next_cursor"):
            shared.errors.append(f"follower: a page without next_cursor after {len(out)} events")
            return
        cursor = body["next_cursor"]
        if not items:
            if done:
                return
            time.sleep(0.02)
    shared.errors.append("follower: poll budget exhausted")


def full_feed(client):
    out, cursor = [], None
    for _ in range(100_000):
        q = f"&after={urllib.parse.quote(cursor)}" if cursor else ""
        body, _ = client.must("GET", f"/api/v1/changes?limit=1000{q}")
        if not body["items"]:
            return out
        out.extend((c["sequence"], c["resource_type"], c["resource_id"], c["action"]) for c in body["items"])
        cursor = body["next_cursor"]
    raise RuntimeError("feed longer than the read budget")


def history_versions(client, path):
    """(versions of create/update events, all actions) over every page of the history."""
    versions, actions, cursor = [], [], None
    for _ in range(1000):
        q = f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""
        body, _ = client.must("GET", f"{path}/history?limit=1000{q}")
        for e in body["items"]:
            actions.append(e["action"])
            if e["action"] in ("create", "update"):
                versions.append(e["version"])
        cursor = body.get("next_cursor")
        if not cursor:
            return versions, actions
    raise RuntimeError("history longer than the read budget")


# --------------------------------------------------------------------------- figures

def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100 * (len(sorted_vals) - 1)))))
    return sorted_vals[k]


def print_throughput(stats, t_start, t_end):
    wall = t_end - t_start
    kinds = {}
    for kind, status, secs, _im, _ra, t in stats.rows:
        if kind == "setup" or not (t_start <= t <= t_end + 60):
            continue
        kinds.setdefault(kind, []).append((status, secs))
    log(f"\nthroughput over the {wall:.1f} s run (latency in ms):")
    log(f"  {'kind':<18} {'requests':>8} {'req/s':>8} {'p50':>8} {'p99':>8}  statuses")
    total = 0
    for kind in sorted(kinds):
        rows = kinds[kind]
        total += len(rows)
        lat = sorted(s * 1000 for _, s in rows)
        sts = {}
        for st, _ in rows:
            sts[st] = sts.get(st, 0) + 1
        log(f"  {kind:<18} {len(rows):>8} {len(rows) / wall:>8.1f} {pct(lat, 50):>8.1f} {pct(lat, 99):>8.1f}  "
            + " ".join(f"{k}:{v}" for k, v in sorted(sts.items())))
    log(f"  {'all':<18} {total:>8} {total / wall:>8.1f}")


# --------------------------------------------------------------------------- invariants

class Verdicts:
    def __init__(self):
        self.items = []

    def add(self, name, ok, figures, details=()):
        self.items.append(ok)
        log(f"{'PASS' if ok else 'FAIL'}  {name}: {figures}")
        for d in list(details)[:15]:
            log(f"        {d}")
        if len(details) > 15:
            log(f"        ... and {len(details) - 15} more")

    def ok(self):
        return all(self.items)


def check(shared, admin, db, follower_copy, verdicts):
    stats = shared.stats
    rows = [r for r in stats.rows if r[0] != "setup"]

    # 1. statuses
    bad5xx = [(k, s) for k, s, _, _, ra, _ in rows if s >= 500 and not (s == 503 and ra)]
    n503 = sum(1 for _, s, _, _, ra, _ in rows if s == 503 and ra)
    writes = {"batch", "commitment_put", "na_patch", "value_delete", "submit", "return"}
    p412 = [k for k, s, _, im, _, _ in rows if s == 412 and not im and k in writes]
    ifm = [s for k, s, _, im, _, _ in rows if k == "na_patch_if_match"]
    transport = [u for u in stats.unexpected if u[1] == 0]
    other = [u for u in stats.unexpected if u[1] != 0]
    verdicts.add("1 no 5xx but 503+Retry-After, no 412 without If-Match",
                 not bad5xx and not p412 and not transport,
                 f"{len(rows)} requests, 503 with Retry-After: {n503}, other 5xx: {len(bad5xx)}, "
                 f"412 without If-Match: {len(p412)}, transport errors: {len(transport)}; "
                 f"If-Match PATCHes: {ifm.count(200)} won, {ifm.count(412)} got 412",
                 [f"{k} -> {s}" for k, s in bad5xx[:10]] + [f"412 on {k}" for k in p412[:10]]
                 + [f"{k}: {d}" for k, _, d in transport[:10]])
    verdicts.add("1b every other status is one the request may get", not other,
                 f"{len(other)} unexpected (409/422 'locked' allowed for {LOCKED_STATE} only, 404 for deletes)",
                 [f"{k} -> {s}: {d}" for k, s, d in other])

    full = full_feed(admin)
    per_resource = {}
    for seq, rtype, rid, action in full:
        if action in ("create", "update"):
            per_resource[(rtype, rid)] = per_resource.get((rtype, rid), 0) + 1

    # 2. versions of national authorities and commitments
    problems, checked, total_versions = [], 0, 0
    targets = [("national_authority", "na", na, f"/api/v1/national-authorities/{na}")
               for st in STATES for na in shared.authorities[st]]
    targets += [("commitment", "commitment", (st, n), f"/api/v1/member-states/{st}/commitments/WP2/{n}")
                for st, n in sorted(shared.commitments)]
    for rtype, akind, key, path in targets:
        st, _, res = admin.request("setup", "GET", path)
        if st == 404 and akind == "commitment" and shared.acked.get((akind, key), 0) == 0:
            continue  # never written (every PUT refused by the lock)
        if st != 200:
            problems.append(f"{path}: HTTP {st}")
            continue
        checked += 1
        v = res["version"]
        total_versions += v
        hv, actions = history_versions(admin, path)
        in_feed = per_resource.get((rtype, res["id"]), 0)
        acked = shared.acked.get((akind, key), 0) + (1 if akind == "na" else 0)  # the setup's create
        if hv != list(range(1, v + 1)):
            gaps = sorted(set(range(1, v + 1)) - set(hv))
            dups = sorted({x for x in hv if hv.count(x) > 1})
            problems.append(f"{path}: version {v}, history versions {len(hv)} (missing {gaps[:10]}, "
                            f"doubled {dups[:10]}, first {hv[:5]})")
        if in_feed != v:
            problems.append(f"{path}: version {v} but {in_feed} create/update events in the feed")
        if acked != v:
            problems.append(f"{path}: version {v} but {acked} writes acknowledged (incl. create)")
        if set(actions) - {"create", "update"}:
            problems.append(f"{path}: other actions {sorted(set(actions))}")
    verdicts.add("2 authority/commitment version == create/update events == acknowledged writes, history 1..v",
                 not problems, f"{checked} resources, {total_versions} versions in all", problems)

    # 3. follower
    seqs_full = [e[0] for e in full]
    seqs_f = [e[0] for e in follower_copy]
    dup_f = len(seqs_f) - len(set(seqs_f))
    increasing = all(a < b for a, b in zip(seqs_full, seqs_full[1:]))
    details = list(shared.errors)
    if seqs_f != seqs_full:
        missed = sorted(set(seqs_full) - set(seqs_f))
        extra = sorted(set(seqs_f) - set(seqs_full))
        first = next((i for i, (a, b) in enumerate(zip(seqs_f, seqs_full)) if a != b), min(len(seqs_f), len(seqs_full)))
        details.append(f"missed {len(missed)} {missed[:10]}, extra {len(extra)} {extra[:10]}, "
                       f"first difference at position {first}")
    verdicts.add("3 follower's copy == full read of /changes",
                 seqs_f == seqs_full and dup_f == 0 and increasing and not shared.errors,
                 f"{len(seqs_f)} events followed, {len(seqs_full)} in the full read, duplicates {dup_f}, "
                 f"strictly increasing: {increasing}, polls {sum(1 for r in rows if r[0] == 'changes')}",
                 details)

    # 4 and 5 need the audit trail's contents
    values = {}  # id -> (member_state, period, version, deleted)
    for vid, ms, period, version, deleted in db.query(
            "SELECT id, member_state, period, version, deleted_at FROM indicator_values"):
        values[vid] = (ms, period, int(version), bool(deleted))
    audit = {}  # event id -> (type, resource_id, action, after)
    for eid, rtype, rid, action, after in db.query(
            "SELECT id, resource_type, resource_id, action, after FROM audit_events WHERE resource_type IN "
            "('indicator_value_batch', 'indicator_value', 'commitment') ORDER BY id"):
        audit[int(eid)] = (rtype, rid, action, after)

    def written_ids(eid):
        rtype, rid, action, after = audit[eid]
        if rtype == "indicator_value":
            return [rid]
        a = json.loads(after)
        return list(a.get("created", [])) + [u["after"]["id"] for u in a.get("updated", [])]

    # 4. lock
    open_at, windows, violations, in_window = None, 0, [], 0
    for seq, rtype, rid, action in full:
        if rtype == "submission" and rid == SUBMISSION_ID:
            if action == "submit":
                open_at, windows = seq, windows + 1
            elif action == "return":
                open_at = None
            continue
        if open_at is None:
            continue
        in_window += 1
        if rtype in ("indicator_value_batch", "indicator_value"):
            if seq not in audit:
                violations.append(f"event {seq} ({rtype}) not in audit_events")
                continue
            hit = [i for i in written_ids(seq) if i in values and values[i][0] == LOCKED_STATE
                   and int(values[i][1][:4]) in CYCLE_YEARS]
            if hit:
                violations.append(f"event {seq} {rtype}/{action} after submit event {open_at}: "
                                  f"{len(hit)} {LOCKED_STATE} values of {sorted(CYCLE_YEARS)} "
                                  f"(e.g. {hit[0]} period {values[hit[0]][1]})")
        elif rtype == "commitment" and seq in audit:
            snap = json.loads(audit[seq][3] or "{}")
            if snap.get("member_state") == LOCKED_STATE:
                violations.append(f"event {seq} commitment/{action} of {LOCKED_STATE} after submit event {open_at}")
    verdicts.add(f"4 lock: no {LOCKED_STATE} write of {CYCLE['code']} between submit and return",
                 not violations and windows > 0,
                 f"{windows} submit/return windows ({shared.cycles} full cycles), {in_window} other events "
                 f"inside them", violations if windows else ["the submission was never submitted"])

    # 5. value versions vs their audit events
    counts = {}
    for eid, (rtype, rid, action, after) in audit.items():
        if rtype == "indicator_value":
            counts[rid] = counts.get(rid, 0) + 1
        elif rtype == "indicator_value_batch":
            a = json.loads(after)
            for i in a.get("created", []):
                counts[i] = counts.get(i, 0) + 1
            for u in a.get("updated", []):
                i = u["before"]["id"]
                counts[i] = counts.get(i, 0) + 1
                if u["after"]["version"] != u["before"]["version"] + 1:
                    problems_u = f"event {eid}: {i} updated from {u['before']['version']} to {u['after']['version']}"
                    shared.errors.append(problems_u)
    rng = random.Random(7)
    sample = rng.sample(sorted(values), min(shared.args.sample, len(values)))
    problems = [e for e in shared.errors if e.startswith("event ")]
    for vid in sample:
        st, _, res = admin.request("setup", "GET", f"/api/v1/indicator-values/{vid}")
        if st == 404 and values[vid][3]:
            v = values[vid][2]  # a tombstone: its row's version
        elif st == 200:
            v = res["version"]
        else:
            problems.append(f"value {vid}: HTTP {st}")
            continue
        if counts.get(vid, 0) != v:
            problems.append(f"value {vid} ({values[vid][0]} {values[vid][1]}): version {v}, "
                            f"{counts.get(vid, 0)} audit events")
    all_versions = sum(v[2] for v in values.values())
    acked = shared.batch_created + shared.batch_updated + shared.deleted
    if all_versions != acked:
        problems.append(f"sum of the versions of all {len(values)} values {all_versions} != created "
                        f"{shared.batch_created} + updated {shared.batch_updated} + deleted {shared.deleted} "
                        f"acknowledged = {acked}")
    mismatched_all = sum(1 for vid, v in values.items() if counts.get(vid, 0) != v[2])
    if mismatched_all:
        problems.append(f"{mismatched_all} of all {len(values)} values have version != audit events (from the rows)")
    verdicts.add("5 value version == its audit events; sum of versions == acknowledged changes",
                 not problems,
                 f"{len(sample)} sampled over HTTP, {len(values)} values ({sum(1 for v in values.values() if v[3])} "
                 f"tombstones), sum of versions {all_versions}, acknowledged created {shared.batch_created} "
                 f"+ updated {shared.batch_updated} + deleted {shared.deleted}", problems)


# --------------------------------------------------------------------------- main

def pool_env(pool_size):
    return {"PALERMO_DB_POOL_SIZE": str(pool_size)} if pool_size else {}


def run(args, workdir):
    stats = Stats()
    if args.sqlite:
        db_path = os.path.join(workdir, "stress.db")
        database_url, db = db_path, Db(sqlite_path=db_path)
        log(f"backend: SQLite {db_path}")
    else:
        database_url = ib.with_dbname(args.pg_url, args.dbname)
        db = Db(pg_url=database_url)
        log(f"backend: PostgreSQL {ib.redact(database_url)}")

    servers = [ib.Server(args.binary, database_url, workdir, "a", pool_env(args.pool_size))]
    servers.append(ib.Server(args.binary, database_url, workdir, "b", pool_env(args.pool_size)))  # after a migrated
    log(f"servers: a on 127.0.0.1:{servers[0].port} (pid {servers[0].proc.pid}), "
        f"b on 127.0.0.1:{servers[1].port} (pid {servers[1].proc.pid})")
    try:
        return run_with(args, stats, servers, db)
    except BaseException:
        for s in servers:
            log(f"--- server {s.name} log tail:\n{s.log_tail()}")
        raise


def run_with(args, stats, servers, db):
    shared = Shared(args)
    shared.stats = stats
    admin = Client(servers[0].port, stats)
    body, _ = admin.must("POST", "/api/v1/auth/token", {"username": ib.ADMIN_USER, "password": ib.ADMIN_PASSWORD})
    admin.token = body["access_token"]
    tokens = {}
    for st in STATES:
        name = f"stress-{st.lower()}"
        admin.must("POST", "/api/v1/users", {"username": name, "password": REPORTER_PASSWORD,
                                             "role": "reporter", "member_state": st}, expect=(201,))
        body, _ = Client(servers[1].port, stats).must("POST", "/api/v1/auth/token",
                                                      {"username": name, "password": REPORTER_PASSWORD})
        tokens[st] = body["access_token"]
        shared.authorities[st] = []
        for k in range(args.authorities):
            body, hdrs = admin.must("POST", "/api/v1/national-authorities",
                                    {"member_state": st, "role": "focal_point",
                                     "institution": f"Stress institution {k}"}, expect=(201,))
            shared.authorities[st].append(body["id"])
            shared.etags[body["id"]] = hdrs.get("etag")
    admin.must("POST", "/api/v1/reporting-cycles", CYCLE, expect=(201,))
    log(f"setup: reporters {', '.join(STATES)}; {args.authorities} authorities each; cycle {CYCLE['code']}; "
        f"{len(KEYS)} value keys per state ({YEARS[0]}-{YEARS[-1]})")

    writers_done = threading.Event()
    follower_copy = []
    t_start = time.monotonic()
    deadline = t_start + args.seconds
    hard = deadline + args.seconds + 120
    threads = []

    def guarded(name, fn, *a):
        def body():
            try:
                fn(*a)
            except Exception as e:  # noqa: BLE001 -- reported as a failure, never hidden
                shared.errors.append(f"{name}: {type(e).__name__}: {e}")
                traceback.print_exc()
        t = threading.Thread(target=body, name=name, daemon=True)
        threads.append(t)
        return t

    follower = guarded("follower", follower_loop, shared, Client(servers[1].port, stats, admin.token),
                       writers_done, follower_copy, hard)
    follower.start()
    workers = []
    for i in range(args.writers):
        st = STATES[i % len(STATES)]
        c = Client(servers[i % 2].port, stats, tokens[st])
        workers.append(guarded(f"writer-{i}", writer_loop, shared, c, st, i, deadline,
                               random.Random(args.seed * 1000 + i)))
    workers.append(guarded("cycler", cycler_loop, shared, Client(servers[0].port, stats, admin.token), deadline,
                           random.Random(args.seed)))
    log(f"running {args.writers} writers + 1 submission cycler + 1 follower for {args.seconds} s ...")
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=max(1, hard - time.monotonic()))
    t_end = time.monotonic()
    if any(t.is_alive() for t in workers):
        shared.errors.append("a writer did not stop before the hard deadline")
        shared.stop.set()
    writers_done.set()
    follower.join(timeout=max(1, hard - time.monotonic()))
    if follower.is_alive():
        shared.stop.set()
        follower.join(timeout=30)
        shared.errors.append("the follower did not catch up before the hard deadline")
    log(f"writers stopped after {t_end - t_start:.1f} s; follower caught up {time.monotonic() - t_end:.1f} s later; "
        f"{shared.cycles} submit/return cycles")
    for s in servers:
        if s.proc.poll() is not None:
            shared.errors.append(f"server {s.name} exited with {s.proc.returncode}")

    print_throughput(stats, t_start, t_end)
    log("\ninvariants:")
    verdicts = Verdicts()
    check(shared, admin, db, follower_copy, verdicts)
    other = [e for e in shared.errors if not e.startswith(("event ", "follower"))]
    if other:
        verdicts.add("no thread or server error", False, f"{len(other)} errors", other)
    return verdicts.ok()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--binary", default=os.path.join(here, "..", "target", "debug", "palermo"),
                    help="palermo binary to run (default: target/debug/palermo of this repository)")
    ap.add_argument("--sqlite", action="store_true",
                    help="use a temp SQLite file instead of a fresh PostgreSQL database")
    ap.add_argument("--pg-url", default=os.environ.get("STRESS_DATABASE_URL",
                                                       "postgres://palermo:palermo@127.0.0.1:5432/palermo"),
                    help="PostgreSQL to create the fresh database in (loopback only; role needs CREATEDB; "
                         "default $STRESS_DATABASE_URL or postgres://palermo:***@127.0.0.1:5432/palermo)")
    ap.add_argument("--writers", type=int, default=8, help="writer threads, spread over both servers (default 8)")
    ap.add_argument("--seconds", type=float, default=20, help="how long the writers run (default 20)")
    ap.add_argument("--batch-min", type=int, default=50, help="smallest batch, in values (default 50)")
    ap.add_argument("--batch-max", type=int, default=200, help="largest batch, in values (default 200)")
    ap.add_argument("--guidelines", type=int, default=4,
                    help="commitment PUTs go to WP2 guidelines 1..N of the writer's state (default 4)")
    ap.add_argument("--authorities", type=int, default=2, help="national authorities per state (default 2)")
    ap.add_argument("--follower-limit", type=int, default=50, help="page size of the follower's polls (default 50)")
    ap.add_argument("--sample", type=int, default=200,
                    help="values whose version is read over HTTP for invariant 5 (default 200)")
    ap.add_argument("--pool-size", type=int, default=0,
                    help="PALERMO_DB_POOL_SIZE of each server (default: the server's own, 8)")
    ap.add_argument("--seed", type=int, default=1, help="random seed of the workload (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the database and the server logs (printed paths)")
    args = ap.parse_args()
    if not (1 <= args.writers <= 64 and 1 <= args.seconds <= 600 and 1 <= args.batch_min <= args.batch_max
            <= len(KEYS) and 1 <= args.guidelines <= 60 and 1 <= args.authorities <= 10
            and 1 <= args.follower_limit <= 1000 and 0 <= args.sample <= 10_000):
        ap.error(f"out of range: writers 1-64, seconds 1-600, 1 <= batch-min <= batch-max <= {len(KEYS)}, "
                 "guidelines 1-60, authorities 1-10, follower-limit 1-1000, sample 0-10000")
    args.binary = os.path.abspath(args.binary)
    if not os.access(args.binary, os.X_OK):
        raise SystemExit(f"no palermo binary at {args.binary}")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even if started with SIGINT ignored
    signal.signal(signal.SIGTERM, ib._on_signal)
    signal.signal(signal.SIGHUP, ib._on_signal)
    log("command: " + " ".join([os.path.basename(sys.executable)] + sys.argv))
    log(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"binary {args.binary}")

    workdir = tempfile.mkdtemp(prefix="palermo-stress-")
    args.dbname = f"palermo_stress_{os.getpid()}"
    created_db, ok = False, False
    try:
        if not args.sqlite:
            ib.check_loopback(args.pg_url)
            if not shutil.which("psql"):
                raise SystemExit("psql not found (needed for PostgreSQL; or run with --sqlite)")
            ib.psql(args.pg_url, f"CREATE DATABASE {args.dbname}")
            created_db = True
        ok = run(args, workdir)
    except (KeyboardInterrupt, SystemExit) as e:
        log(f"\ninterrupted ({type(e).__name__} {e})")
    except Exception as e:  # noqa: BLE001
        log(f"\nERROR: {type(e).__name__}: {e}")
        traceback.print_exc()
    finally:
        ib.kill_children()
        if created_db and not args.keep:
            r = ib.psql(args.pg_url, f"DROP DATABASE IF EXISTS {args.dbname} WITH (FORCE)", check=False)
            log(f"dropped database {args.dbname}" if r.returncode == 0
                else f"could not drop database {args.dbname}: {r.stderr.decode(errors='replace').strip()}")
        if args.keep:
            log(f"kept: {workdir}" + ("" if args.sqlite else f", database {args.dbname}"))
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    log(f"\nresult: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
