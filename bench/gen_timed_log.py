#!/usr/bin/env python3
"""Generates one time-ordered log for the windowed logscan benchmark.

Usage: gen_timed_log.py FILE TOTAL_MIB [DAYS]
ISO 8601 lines spread evenly over DAYS (default 100) days ending now, an
ERROR every ~500 lines; TOTAL_MIB in all. Deterministic apart from "now".
"""
import datetime
import random
import sys

path, total_mib = sys.argv[1], int(sys.argv[2])
days = int(sys.argv[3]) if len(sys.argv) > 3 else 100
rng = random.Random(7)
end = datetime.datetime.now(datetime.timezone.utc)
start = end - datetime.timedelta(days=days)
size_goal = total_mib * 1024 * 1024


def line(t, rng):
    level = "ERROR" if rng.randrange(500) == 0 else "INFO"
    return f"{t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z {level} worker {rng.randrange(64)} job {rng.randrange(10**9)} in {rng.random() * 900:.1f} ms\n"


# The average line length, measured, so the last line lands on "now".
sample = random.Random(1)
avg_line = sum(len(line(end, sample)) for _ in range(5000)) / 5000
lines = int(size_goal / avg_line)
step = (end - start) / lines
t = start
written = 0
with open(path, "w") as fh:
    chunk = []
    i = 0
    while written < size_goal:
        s = line(min(t, end), rng)
        chunk.append(s)
        written += len(s)
        t += step
        i += 1
        if len(chunk) >= 10000:
            fh.write("".join(chunk))
            chunk = []
    fh.write("".join(chunk))
