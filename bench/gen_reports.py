#!/usr/bin/env python3
"""Writes N supportctl JSON reports (schema version 1) of STEPS steps each,
as a fleet's reports look when fetched back: one file per run in folders of
1,000 (DIR/part-00/ ... so DIR/part-00 is 1,000 reports, DIR/part-0* is
10,000 and DIR 20,000).

The shape is that of `supportctl run quick-health --format json` (host facts,
network, one playbook, steps with measurements, outputs, reasons and advice,
pretty-printed like supportctl writes it): about 20 KB a report at 50 steps.
Host names, machine ids, statuses, reasons, messages and start times vary.
In every folder about 1% of the files are copies of another file (the same
run_id: duplicates), 3% are another run of a host's playbook (older or newer:
one of the two is superseded), and 2% are a run of a second playbook on a
host already there (both count); a third of the failing hosts carry a
conclusion.

usage: gen_reports.py DIR N [STEPS]
"""
import json
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
steps_per_report = int(sys.argv[3]) if len(sys.argv) > 3 else 50
random.seed(23)
PER_FOLDER = 1000

# Step slots: (id, name, kind, tags, pass message, not-pass reasons).
KINDS = [
    ("command", "info", "exited with 0", ["exit", "cannot_run", "timeout"]),
    ("disk", "disk", "{free} GiB free of {total} GiB ({pct}%) on {mount} (ext4)", ["low_space", "low_inodes"]),
    ("process", "performance", "{procs} processes running; most CPU: {proc} ({cpu}%)", ["fail_cpu", "fail_memory"]),
    ("service", "services", "{svc} is running", ["not_running", "not_found", "disabled"]),
    ("dns", "network", "{name} resolves to {ip} in {ms} ms", ["nxdomain", "no_server", "timeout"]),
    ("tcp", "network", "{name}:{port} accepts connections in {ms} ms", ["refused", "timeout", "no_route"]),
    ("http", "network", "https://{name}/health answered 200 in {ms} ms", ["cert_expired", "timeout", "expect_status"]),
]
NAMES = ["intranet.corp.example", "mail.corp.example", "vpn.corp.example", "files.corp.example",
         "print.corp.example", "sso.corp.example", "wiki.corp.example", "git.corp.example"]
SERVICES = ["cups", "sshd", "NetworkManager", "chronyd", "systemd-resolved", "wuauserv", "Spooler", "BITS"]
PROCS = ["chrome", "teams", "outlook", "java", "code", "explorer", "firefox", "zoom"]
SLOTS = []
for i in range(max(steps_per_report, 60)):
    kind, tag, ok, reasons = KINDS[i % len(KINDS)]
    SLOTS.append((f"{kind}-{i:02d}", f"{kind.capitalize()} check {i}", kind, tag, ok, reasons))


def fill(text, r):
    return text.format(
        free=f"{r.uniform(1, 400):.1f}", total=f"{r.choice([128, 256, 512, 1024])}.0",
        pct=f"{r.uniform(1, 90):.1f}", mount=r.choice(["/", "/home", "C:\\", "D:\\"]),
        procs=r.randint(80, 400), proc=r.choice(PROCS), cpu=r.randint(1, 100),
        svc=r.choice(SERVICES), name=r.choice(NAMES), ip=f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
        ms=r.randint(1, 900), port=r.choice([80, 443, 445, 389, 88, 3389]))


def step(slot, r):
    sid, name, kind, tag, ok, reasons = slot
    roll = r.random()
    status, reason, advice = "pass", None, None
    message = fill(ok, r)
    if roll < 0.12:
        status, reason = "skipped", r.choice(["other_os", "condition"])
        message = "needs os windows, this is linux" if reason == "other_os" else "/run/systemd/system does not exist"
    elif roll < 0.20:
        status, reason = "warn", r.choice(reasons)
    elif roll < 0.27:
        status, reason = "fail", r.choice(reasons)
    elif roll < 0.28:
        status, reason = "error", "cannot_run"
        message = f"cannot run: {r.choice(['permission denied', 'not found', 'timed out after 10s'])}"
    elif roll < 0.30:
        status = "fixed"
        message = f"{message}; fixed by restarting {r.choice(SERVICES)}"
    if status in ("warn", "fail"):
        message = f"{message}; {reason.replace('_', ' ')} (threshold {r.randint(1, 95)})"
        advice = "Run the matching playbook: it shows the cause and previews a fix."
    measurements = []
    if kind in ("tcp", "http"):
        measurements = [{"name": "latency", "value": float(r.randint(0, 900)), "unit": "ms"}]
    elif kind == "disk":
        measurements = [{"name": "free_percent", "value": round(r.uniform(1, 90), 1), "unit": "percent",
                         "warn": 15.0, "fail": 5.0, "below": status in ("warn", "fail")}]
    s = {"id": sid, "name": name, "kind": kind, "status": status, "message": message, "tags": [tag],
         "measurements": measurements if status != "skipped" else [], "actions": []}
    if status != "skipped" and kind == "command" and r.random() < 0.25:
        s["output"] = {"stdout": "".join(f"{fill('{proc} {procs} {cpu}% {ms} ms', r)}\n" for _ in range(r.randint(1, 3)))}
    if reason:
        s["reason"] = reason
    if advice:
        s["advice"] = advice
    s["duration_ms"] = r.randint(0, 900)
    return s


def indent(text, spaces):
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in text.split("\n"))


# Pre-serialised step variants, so N reports are assembled, not encoded.
VARIANTS = {slot[0]: [indent(json.dumps(step(slot, random.Random(f"{slot[0]}-{v}")), indent=2), 8) for v in range(60)]
            for slot in SLOTS}


def status_of(fragment):
    return fragment.split('"status": "', 1)[1].split('"', 1)[0]


def report(host, machine, playbook, run_id, started, r):
    chosen = [r.choice(VARIANTS[slot[0]]) for slot in (SLOTS[:steps_per_report] if playbook == "fleet-health"
                                                       else SLOTS[-steps_per_report:])]
    statuses = [status_of(f) for f in chosen]
    summary = {"total": len(statuses)}
    for k in ("pass", "fixed", "warn", "fail", "error", "skipped"):
        summary[k] = statuses.count(k)
    conclusions = []
    if summary["fail"] and r.random() < 0.33:
        cause = r.choice(["disk-full", "dns-broken", "clock-wrong", None])
        conclusions.append({"playbook": playbook, "matched": cause is not None, **({"id": cause} if cause else {}),
                            "summary": {"disk-full": "The system disk is nearly full", "dns-broken": "Names do not resolve",
                                        "clock-wrong": "The clock is wrong", None: "No known cause matched"}[cause],
                            "steps": [], "fixes": [], "cleared": r.random() < 0.2})
    doc = {
        "schema_version": 1, "tool": "supportctl", "tool_version": "0.1.0", "run_id": run_id,
        "started_at": started, "duration_ms": r.randint(500, 30000), "dry_run": False, "strict": False,
        "interrupted": False,
        "host": {"hostname": host, "machine_id": machine, "user": r.choice(["alice", "bob", "carol", "dave"]),
                 "os": "linux", "os_name": "Linux (Debian GNU/Linux 12)", "os_version": "12",
                 "kernel_version": "6.1.0-26-amd64", "arch": "x86_64", "cpus": r.choice([2, 4, 8]),
                 "physical_cores": 2, "cpu_brand": "AMD EPYC", "cpu_mhz": 2445,
                 "memory_total_bytes": 17179869184, "memory_available_bytes": r.randint(10**9, 16 * 10**9),
                 "uptime_secs": r.randint(60, 10**6), "home": "/home/u", "temp": "/tmp", "desktop": "/home/u/Desktop",
                 "cache_dir": "/home/u/.cache", "config_dir": "/home/u/.config", "system_drive": "/"},
        "network": {"interfaces": [{"name": "eth0", "addresses": [f"10.1.{r.randint(0, 255)}.{r.randint(1, 254)}/16"]}],
                    "gateway": "10.1.0.1", "gateway_interface": "eth0", "dns_servers": ["10.1.0.53"]},
        "playbooks": [{"name": playbook, "version": "3", "signature": {"status": "shipped"},
                       "source": f"shipped:{playbook}", "steps": "@STEPS@", "summary": summary,
                       "duration_ms": r.randint(500, 30000)}],
        "conclusions": conclusions,
        "summary": summary,
        "exit_code": 1 if summary["fail"] or summary["error"] else 0,
    }
    if not conclusions:
        del doc["conclusions"]
    return json.dumps(doc, indent=2).replace('"@STEPS@"', "[\n" + ",\n".join(chosen) + "\n      ]")


def started_at(r, day):
    return f"2026-11-{day:02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}.{r.randint(0, 999999999):09d}Z"


os.makedirs(out, exist_ok=True)
r = random.Random(2326)
for folder in range((n + PER_FOLDER - 1) // PER_FOLDER):
    sub = os.path.join(out, f"part-{folder:02d}")
    os.makedirs(sub, exist_ok=True)
    written = []  # (path, host, machine, playbook)
    for j in range(min(PER_FOLDER, n - folder * PER_FOLDER)):
        roll = r.random()
        if written and roll < 0.01:
            src = r.choice(written)[0]
            path = os.path.join(sub, f"copy-{j:04d}.json")
            with open(src) as f, open(path, "w") as g:
                g.write(f.read())
            continue
        if written and roll < 0.06:
            _, host, machine, playbook = r.choice(written)
            if roll >= 0.04:
                playbook = "remote-access" if playbook == "fleet-health" else "fleet-health"
        else:
            i = folder * PER_FOLDER + j
            host = f"{r.choice(['ws', 'lap', 'kiosk', 'srv'])}-{i:05d}.corp.example"
            machine = "%032x" % r.getrandbits(128)
            playbook = "fleet-health"
        day = r.randint(20, 27)
        started = started_at(r, day)
        run_id = f"{host.split('.')[0]}-202611{day:02d}T{started[11:19].replace(':', '')}-{r.randint(100, 99999)}"
        path = os.path.join(sub, f"{host.split('.')[0]}-{run_id[-5:]}-{j:04d}.json")
        with open(path, "w") as f:
            f.write(report(host, machine, playbook, run_id, started, r))
        written.append((path, host, machine, playbook))
