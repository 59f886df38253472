"""Generates a benchmark tree: N files in 3 levels of nested folders, sizes
0-4 KiB (deterministic), every other file last modified 10 days ago.

usage: gen_tree.py ROOT N
"""
import os
import sys
import time

root, n = sys.argv[1], int(sys.argv[2])
old = time.time() - 10 * 86400
per_dir = 500
made = 0
a = 0
while made < n:
    for b in range(20):
        d = os.path.join(root, f"a{a:03}", f"b{b:02}", "c")
        os.makedirs(d, exist_ok=True)
        for i in range(per_dir):
            if made >= n:
                break
            p = os.path.join(d, f"f{i:04}.tmp")
            with open(p, "wb") as f:
                f.write(b"x" * ((made * 2654435761) % 4096))
            if made % 2 == 0:
                os.utime(p, (old, old))
            made += 1
        if made >= n:
            break
    a += 1
print(f"{made} files under {root}")
