#!/usr/bin/env python3
"""Generates the long-run benchmark playbooks.

Usage: gen_long.py DIR N
DIR/run-N.toml: N `true` commands, each `when` the previous one passed.
DIR/check-N.toml: N steps, each `when` naming its 5 predecessors (for `check`).
DIR/loop-N.sh: the same N commands from a shell loop (the baseline).
"""
import os
import sys

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, f"run-{n}.toml"), "w") as f:
    f.write('[playbook]\nname = "long"\n')
    for i in range(n):
        f.write(f'\n[[step]]\nid = "s{i}"\nkind = "command"\ncommand = ["true"]\n')
        if i:
            f.write(f'when = {{ passed = "s{i - 1}" }}\n')
with open(os.path.join(out, f"check-{n}.toml"), "w") as f:
    f.write('[playbook]\nname = "long-check"\n')
    for i in range(n):
        f.write(f'\n[[step]]\nid = "s{i}"\nkind = "command"\ncommand = ["true"]\n')
        prev = [f'"s{j}"' for j in range(max(0, i - 5), i)]
        if prev:
            f.write(f'when = {{ passed = [{", ".join(prev)}] }}\n')
with open(os.path.join(out, f"loop-{n}.sh"), "w") as f:
    f.write(f"#!/usr/bin/env bash\nfor i in $(seq 1 {n}); do /bin/true || break; done\n")
