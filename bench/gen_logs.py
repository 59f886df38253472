#!/usr/bin/env python3
"""Generates realistic log files for the bundle benchmark.

Usage: gen_logs.py DIR TOTAL_MIB [FILES]
Writes FILES (default 40) files of syslog-, web- and app-style lines with
IP addresses, e-mails, user names and a planted secret every ~2,000 lines,
TOTAL_MIB in all. Deterministic (fixed seed), so runs compare.
"""
import os
import random
import sys

out, total_mib = sys.argv[1], int(sys.argv[2])
files = int(sys.argv[3]) if len(sys.argv) > 3 else 40
rng = random.Random(42)
os.makedirs(out, exist_ok=True)

users = ["alice", "bob", "carol", "dave", "svc-backup", "jenkins"]
hosts = ["ws-0042", "srv-db01", "srv-web02", "print01", "dc01.corp.example"]
services = ["sshd", "CRON", "systemd", "kernel", "NetworkManager", "dockerd", "nginx", "myapp"]


def ip():
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def line(i):
    kind = rng.randrange(10)
    ts = f"Nov {1 + i % 28:2d} {i % 24:02d}:{(i // 24) % 60:02d}:{i % 60:02d}"
    host = rng.choice(hosts)
    if kind < 3:
        return f"{ts} {host} sshd[{rng.randrange(1000, 65000)}]: Accepted publickey for {rng.choice(users)} from {ip()} port {rng.randrange(1024, 65535)} ssh2\n"
    if kind < 5:
        return (f'{ip()} - - [24/Nov/2026:{i % 24:02d}:{i % 60:02d}:00 +0000] "GET /api/v1/items/{rng.randrange(100000)}?page={rng.randrange(50)} HTTP/1.1" '
                f'{rng.choice([200, 200, 200, 304, 404, 500])} {rng.randrange(100, 90000)} "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"\n')
    if kind < 7:
        return f"{ts} {host} {rng.choice(services)}[{rng.randrange(1, 9999)}]: worker {rng.randrange(64)} finished job {rng.randrange(10**9)} in {rng.random() * 900:.1f} ms\n"
    if kind < 8:
        return f"{ts} {host} myapp[311]: notify {rng.choice(users)}@corp.example about ticket INC{rng.randrange(10**6):06d}\n"
    if kind < 9:
        return f"{ts} {host} kernel: [{rng.random() * 100000:12.6f}] e1000e 0000:00:1f.6 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx\n"
    if rng.randrange(200) == 0:
        return f"{ts} {host} myapp[311]: connecting with password=Sup3r-{rng.randrange(10**6)} to db\n"
    return f"{ts} {host} systemd[1]: Started Session {rng.randrange(10**5)} of User {rng.choice(users)}.\n"


per_file = total_mib * 1024 * 1024 // files
n = 0
for f in range(files):
    path = os.path.join(out, f"app-{f:03d}.log")
    size = 0
    chunk = []
    with open(path, "w") as fh:
        while size < per_file:
            s = line(n)
            n += 1
            chunk.append(s)
            size += len(s)
            if len(chunk) >= 10000:
                fh.write("".join(chunk))
                chunk = []
        fh.write("".join(chunk))
