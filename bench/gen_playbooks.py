#!/usr/bin/env python3
"""Writes N small playbooks with descriptions and symptoms into DIR, for
`suggest` over a large search path.

usage: gen_playbooks.py DIR N
"""
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
random.seed(11)
os.makedirs(out, exist_ok=True)
nouns = ["scanner", "vpn", "outlook", "teams", "badge reader", "docking station", "monitor", "keyboard",
         "mouse", "sharepoint", "onedrive", "printer tray", "webcam", "headset", "bluetooth", "smart card",
         "citrix", "sap", "erp client", "time clock"]
problems = ["will not connect", "keeps crashing", "is very slow", "not detected", "shows an error",
            "stopped working", "asks for a password again and again", "cannot sign in", "is frozen",
            "does not start"]
for i in range(n):
    noun = nouns[i % len(nouns)]
    symptoms = [f"{noun} {p}" for p in random.sample(problems, 4)]
    with open(os.path.join(out, f"gen-{i:04d}.toml"), "w") as f:
        f.write(f'[playbook]\ndescription = "Generated playbook {i} for the {noun}"\n')
        f.write(f'category = "generated"\nsymptoms = {symptoms!r}\n'.replace("'", '"'))
        f.write('\n[[step]]\nkind = "command"\ncommand = ["true"]\n')
print(f"{n} playbooks in {out}")
