#!/usr/bin/env python3
"""Fills a supportctl history database (already created and migrated by one
`supportctl run`) with N more runs: rows in runs, run_playbooks, steps and
conclusions, each with a small stored report, spread over the last year.

usage: gen_history.py HISTORY.sqlite N
"""
import json
import random
import sqlite3
import sys
import time

path, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
playbooks = ["no-internet", "disk-full", "print-spooler", "stuck-app", "recent-errors", "quick-health"]
causes = {"no-internet": ["dns-only", "captive-portal", None], "disk-full": ["cleared-by-cleanup", None],
          "print-spooler": ["spooler-restarted", "spooler-wont-start"], "stuck-app": ["app-stopped"],
          "recent-errors": ["some-errors", None], "quick-health": [None]}
db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode=WAL")
template = json.load(open(sys.argv[3])) if len(sys.argv) > 3 else None
now = int(time.time())
with db:
    for i in range(n):
        pb = random.choice(playbooks)
        started = now - random.randint(0, 365 * 86400)
        status = random.choice(["pass", "pass", "fail", "fixed", "warn"])
        cause = random.choice(causes[pb])
        ticket = f"INC{random.randint(1, 20000):05d}" if random.random() < 0.4 else None
        run_id = f"bench-host-{i}"
        report = json.dumps({"tool": "supportctl", "run_id": run_id, "playbooks": [{"name": pb}]})
        cur = db.execute(
            "INSERT INTO runs (run_id, machine_id, host, user, started_at, started_unix, duration_ms, exit_code,"
            " status, dry_run, interrupted, ticket, playbooks, conclusion, report)"
            " VALUES (?, 'bench', 'bench-host', 'tech', ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?)",
            (run_id, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)), started,
             random.randint(200, 600000), 1 if status == "fail" else 0, status, ticket, pb,
             cause and f"{cause} summary", report))
        run = cur.lastrowid
        db.execute("INSERT INTO run_playbooks (run, name, version, signature, fixed) VALUES (?, ?, '2', 'shipped', ?)",
                   (run, pb, int(status == "fixed")))
        db.executemany(
            "INSERT INTO steps (run, playbook, step, kind, status, reason, duration_ms) VALUES (?, ?, ?, 'command', ?, ?, 10)",
            [(run, pb, f"step-{k}", status if k == 0 else "pass", None if status == "pass" else "exit") for k in range(5)])
        db.execute(
            "INSERT INTO conclusions (run, playbook, cause, summary, cleared, fixes_tried, fixes_verified) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run, pb, cause, f"{cause} summary", int(status == "fixed"), int(status in ("fixed", "fail")), int(status == "fixed")))
print(f"{n} runs added to {path}")
