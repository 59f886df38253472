#!/usr/bin/env python3
"""Regenerate the version-ordering test data in this folder.

Every `<scheme>.tsv` here holds lines `a<TAB>b<TAB>op` (no header), where op is
`<`, `=` or `>`: how version a compares to version b according to the scheme's
own reference implementation (the "oracle"):

  pep440.tsv  Python `packaging` (packaging.version.Version, rich comparison).
              Sources: the release lists of PYPI_PROJECTS below, as PyPI's own
              client reports them (`pip index versions --pre
              --ignore-requires-python NAME`; pip prints them normalised and
              only lists releases with a file installable by the interpreter
              running pip), PYPI_RAW_SAMPLE (raw strings as their authors
              published them) and PEP440_EDGE_CASES. Only strings that
              packaging.version.Version parses are kept.
  semver.tsv  node `semver` (semver.compare(a, b): SemVer 2.0 precedence, build
              metadata ignored). Sources: `npm view NAME versions --json` for
              NPM_PACKAGES, NPM_RAW_SAMPLE and SEMVER_EDGE_CASES. Only strings
              that semver.valid() accepts in strict mode (and without a leading
              "v" or "=") are kept. Pairs on which node-semver disagrees with
              the SemVer 2.0 text (it turns prerelease identifiers above 2^53
              into floats) are dropped and listed on stderr.
  dpkg.tsv    `dpkg --compare-versions A lt|eq|gt B`. Sources: every distinct
              `dpkg-query -W -f '${Version}\\n'` of the machine that runs this
              script, plus DPKG_EDGE_CASES. Strings for which
              `dpkg --compare-versions X eq X` fails or prints a warning are
              dropped.
  rpm.tsv     rpm's python binding (`rpm.labelCompare((e, v, r), (e, v, r))`,
              run with the system python that has python3-rpm). A string is
              split as [E:]V[-R]: epoch before the first ':', release after the
              last '-'; no '-' means release None (which labelCompare treats as
              an empty release, i.e. lower than any release). Sources:
              RPM_PACKAGES (realistic Fedora/RHEL epoch:version-release strings
              written by hand, not all of them verified builds) and
              RPM_EDGE_CASES.

Pair selection, per group (a project, or one bag of strings): sort the group
with the oracle, take adjacent pairs (all, or a seeded sample of them when the
group is long), "near" pairs (2-6 places apart) and random pairs; then random
pairs across groups, a few identical pairs (a, a), every hand-written edge case
in both orientations, and the reversed copy of some pairs. Each pair's
orientation is random. All randomness comes from random.Random seeded with
SEED and the scheme name, so the same inputs give the same files.

Usage (network needed for PyPI and the npm registry unless --offline):
  apt-get install -y rpm python3-rpm        # once, for the rpm oracle
  python3 generate.py                       # writes all four TSV files
  python3 generate.py --schemes semver,rpm  # only some
  python3 generate.py --verify              # re-check every line, no writes
Oracle tools (a venv with packaging, an npm folder with semver) are installed
on first use under --tools (default: $XDG_CACHE_HOME or ~/.cache, then
supportctl-version-oracles), outside this repository; fetched release lists are
cached there too (--offline reuses the cache; --refetch ignores it).
"""

import argparse
import functools
import json
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20250101
PACKAGING_REQ = "packaging==26.4"
SEMVER_REQ = "semver@7.8.6"
RPM_PYTHON = "/usr/bin/python3"

PYPI_PROJECTS = [
    "django", "numpy", "setuptools", "pip", "tensorflow", "torch", "cryptography",
    "sqlalchemy", "black", "jupyterlab", "ipython", "pytz", "certifi", "ruff",
    "flashinfer-python",    # .postN releases
    "partial-json-parser",  # 0.2.1.1.postN
    "antlerinator",         # releases before and after an epoch (4.9.2 < 1!1.0.0)
]

NPM_PACKAGES = [
    "next", "react", "typescript", "@angular/core", "vue", "webpack", "electron",
    "vite", "svelte", "@babel/core", "esbuild", "@types/node", "rxjs", "eslint",
    "tailwindcss",
]

# Each pair is kept as written (and reversed); the op comes from the oracle.
PEP440_EDGE_CASES = [
    ("1!1.0", "2.0"), ("1!1.0", "1!1.0.0"), ("0!1.0", "1.0"), ("1!0.1", "99.0"),
    ("1!1.0+local", "1!1.0"), ("2!1.0", "1!9.9"),
    ("1.0.0rc9", "1.0rc17"), ("1.0a5", "1.0.0a5"), ("0.2.post1", "0.2.0.post1"),
    ("1.0.dev0", "1.0a0"), ("1.0.dev456", "1.0a1"), ("1.0a1.dev1", "1.0a1"),
    ("1.0a12.dev456", "1.0a12"), ("1.0b1.dev456", "1.0b2"), ("1.0.dev1", "1.0"),
    ("1.0.dev9", "1.0.dev10"), ("1.0.dev", "1.0.dev0"), ("1.0-dev", "1.0.dev0"),
    ("1.0dev1", "1.0.dev1"), ("1.0.dev01", "1.0.dev1"),
    ("1.0.post1.dev2", "1.0.post1"), ("1.0.post1.dev2", "1.0"), ("1.0.post1.dev2", "1.0.post0"),
    ("1.0.post0.dev1", "1.0"), ("1.0.post1", "1.0.1.dev0"), ("1.0.post2", "1.0.post10"),
    ("1.0.post", "1.0.post0"), ("1.0_post_1", "1.0.post1"), ("1.0-post-1", "1.0.post1"),
    ("1.0a1.post1", "1.0a2.dev1"), ("1.0a1.post1", "1.0a1"), ("1.0a1.post1.dev1", "1.0a1.post1"),
    ("1.0rc1.post1", "1.0"),
    ("1.0+abc.1", "1.0"), ("1.0+abc.1", "1.0+abc.2"), ("1.0+abc.1", "1.0+1"), ("1.0+1", "1.0+2"),
    ("1.0+abc", "1.0+abc.0"), ("1.0+5", "1.0+abc"), ("1.0+ABC", "1.0+abc"),
    ("1.0+abc.1", "1.0.post1"), ("1.0+1.2.3", "1.0+1.2"), ("1.0+abc-1", "1.0+abc.1"),
    ("1.0+1_2", "1.0+1.2"), ("1.0+01", "1.0+1"), ("1.0+2", "1.0+10"), ("1.0+a10", "1.0+a9"),
    ("1.0.0.dev0+local", "1.0.0.dev0"), ("1.0+ubuntu.1", "1.0.post0"),
    ("1.0-rc1", "1.0rc1"), ("1.0_RC1", "1.0rc1"), ("1.0RC1", "1.0rc1"), ("1.0-rc.1", "1.0rc1"),
    ("v1.0", "1.0"), ("V1.0", "1.0"), ("v1.0", "1.0.1"),
    ("1.0c1", "1.0rc1"), ("1.0c1", "1.0rc2"), ("1.0c2", "1.0rc1"),
    ("1.0.preview1", "1.0rc1"), ("1.0pre1", "1.0rc1"), ("1.0preview", "1.0rc0"),
    ("1.0-1", "1.0.post1"), ("1.0-1", "1.0"), ("1.0-1", "1.0.1"), ("1.0rev1", "1.0.post1"),
    ("1.0r1", "1.0.post1"), ("1.0alpha1", "1.0a1"), ("1.0beta2", "1.0b2"), ("1.0a", "1.0a0"),
    ("1.0a", "1.0b"), ("1.0a1", "1.0b1"), ("1.0b1", "1.0rc1"), ("1.0rc1", "1.0"),
    ("1.0", "1.0.post1"), ("1.0a1", "1.0.0.0a1"),
    ("01.0", "1.0"), ("1.0.0.0.0", "1"), ("1.01", "1.1"), ("1.002", "1.2"), ("1.0.0", "1.0.0.0"),
    ("2.0", "10.0"), ("1.10", "1.9"), ("1.2.3.4.5.6.7", "1.2.3.4.5.6.8"),
    ("2013b0", "2013.1"), ("2012b", "2012.post0"), ("2009a0", "2009"),
    ("1.18446744073709551616", "1.18446744073709551615"), ("99999999999999999999", "1!0"),
    ("0.1", "0.1.0.post0.dev0"), ("1.0a0", "1.0.dev99999"),
]

SEMVER_EDGE_CASES = [
    ("3.2.0-0", "3.2.0"), ("0.0.0-0", "0.0.0"), ("1.0.0-alpha.1", "1.0.0-alpha.beta"),
    ("1.0.0-alpha", "1.0.0-alpha.1"), ("1.0.0-alpha.beta", "1.0.0-beta"),
    ("1.0.0-beta", "1.0.0-beta.2"), ("1.0.0-beta.2", "1.0.0-beta.11"),
    ("1.0.0-beta.11", "1.0.0-rc.1"), ("1.0.0-rc.1", "1.0.0"), ("1.0.0-rc.1", "1.0.0-rc1"),
    ("1.0.0-1", "1.0.0-a"), ("1.0.0-2", "1.0.0-10"), ("1.0.0-a2", "1.0.0-a10"),
    ("1.0.0-A", "1.0.0-a"), ("1.0.0-Z", "1.0.0-a"), ("1.0.0-0a", "1.0.0-0"),
    ("1.0.0-0a", "1.0.0-1"), ("1.0.0-alpha-1", "1.0.0-alpha.1"), ("1.0.0-alpha-1", "1.0.0-alpha"),
    ("1.0.0--", "1.0.0-0"), ("1.0.0-x-y-z.--", "1.0.0-x-y-z.-"), ("1.0.0-0.3.7", "1.0.0-x.7.z.92"),
    ("1.0.0-a.b.c", "1.0.0-a.b"), ("1.0.0-1.2.3", "1.0.0-1.2.3.4"), ("1.0.0-beta", "1.0.0-alpha.9999"),
    ("1.0.0+build.1", "1.0.0+build.2"), ("1.0.0+build", "1.0.0"), ("1.0.0-rc.1+build.1", "1.0.0-rc.1"),
    ("1.0.0-rc.1+build.1", "1.0.0-rc.2+build.0"), ("1.0.0+20130313144700", "1.0.0+exp.sha.5114f85"),
    ("1.0.0-alpha+001", "1.0.0-alpha"), ("1.0.0+21AF26D3----117B344092BD", "1.0.0"),
    ("1.0.0-alpha+beta", "1.0.0-alpha.beta"), ("1.0.0+0.build.1-rc.10000aaa-kk-0.1", "1.0.1"),
    ("0.32.1-0.20250101120000-abcdef123456", "0.32.1"),
    ("0.32.1-0.20250101120000-abcdef123456", "0.32.1-rc.1"),
    ("0.32.1-0.20250101120000-abcdef123456", "0.32.1-0.20250101120001-000000000000"),
    ("0.32.1-0.20250101120000-abcdef123456", "0.32.0"),
    ("0.0.0-20191109021931-daa7c04131f5", "0.0.0-20200101000000-aaaaaaaaaaaa"),
    ("1.2.4-0.20191109021931-daa7c04131f5", "1.2.3"), ("1.2.4-0.20191109021931-daa7c04131f5", "1.2.4"),
    ("1.2.4-pre.0.20191109021931-daa7c04131f5", "1.2.4-pre"),
    ("1.2.4-pre.0.20191109021931-daa7c04131f5", "1.2.4-pre.1"),
    ("2.0.0+incompatible", "2.0.0"), ("13.4.19-canary.0", "13.4.19"),
    ("13.4.19-canary.9", "13.4.19-canary.10"), ("13.4.20-canary.0", "13.4.19"),
    ("14.0.0-canary.0", "13.5.7-canary.99"), ("0.0.0-experimental-2414125487-fbc8a5ec8a", "0.0.0-0"),
    ("19.0.0-rc-f994737d14-20240522", "19.0.0-rc.0"), ("19.0.0-rc-f994737d14-20240522", "19.0.0-beta-26f2496093-20240514"),
    ("1.0.0-9007199254740990", "1.0.0-9007199254740991"), ("1.0.0-20250101120000", "1.0.0-20241231235959"),
    ("1.0.0-123456789012345", "1.0.0-99999999999999"), ("9007199254740991.0.0", "9007199254740990.9.9"),
    ("1.0.0-18446744073709551616", "1.0.0-18446744073709551617"),
    ("1.0.0-99999999999999999999999", "1.0.0-100000000000000000000000"),
    ("2.0.0", "11.0.0"), ("1.10.0", "1.9.0"), ("0.0.1", "0.0.0-zzz"), ("1.0.0-rc.1", "1.0.0-RC.1"),
    ("1.0.0-alpha.1", "1.0.0-alpha.01a"), ("1.0.0-alpha.0", "1.0.0-alpha.-1"),
]

DPKG_EDGE_CASES = [
    ("2.1.28+dfsg1-9", "2.1.28+dfsg-10"), ("6.0.2-1+b2", "6.0-3+b2"), ("1.0+dfsg-1", "1.0-1"),
    ("4.13.0+git99-gc5587f9-1", "4.13.0-1"), ("1.0.8+~1.0.3-1", "1.0.8-7"), ("1.0~rc1-1", "1.0-1"),
    ("1.0~~", "1.0~"), ("1.0~~a", "1.0~"), ("1.0~~", "1.0~~~"), ("1.0~", "1.0"), ("1.0~rc1", "1.0~rc1-0"),
    ("1:0.1", "2.0"), ("0:1.0", "1.0"), ("2:1.0", "1:9.9"), ("10:1", "9:100"), ("01:1.0", "1:1.0"),
    ("1.0-1-2", "1.0-1-10"), ("1.0-2-1", "1.0-10-1"), ("1.0-1-1", "1.0-1"), ("1:2.3-4-5-6", "1:2.3-4-5-7"),
    ("1.0a", "1.0+"), ("1.0.", "1.0"), ("1.0a", "1.0.a"), ("1.0+", "1.0."), ("1.0~", "1.0a"),
    ("1.0a", "1.0"), ("1.0-a", "1.0-1"), ("1.0-1~bpo12+1", "1.0-1"), ("1.0-1+deb12u1", "1.0-1.1"),
    ("1.0-1+b1", "1.0-1.1"), ("1.0-0.1", "1.0-1"), ("1.00", "1.0"), ("1.01", "1.1"), ("1.0-01", "1.0-1"),
    ("1.0", "1.0-0"), ("2.30-10", "2.30-9"), ("1:2.3.4~rc1+dfsg-1~exp1", "1:2.3.4~rc1+dfsg-1"),
    ("20220623.1-1+deb12u2", "20220623.1-1+deb12u10"), ("3.24.38-2~deb12u3", "3.24.38-2"),
    ("0.1~+svn49-11", "0.1-11"), ("0.1~+svn49", "0.1~svn49"), ("1.0~beta1~svn1245-1", "1.0~beta1-1"),
    ("1.2.3-4ubuntu1", "1.2.3-4"), ("1.2.3-4ubuntu1", "1.2.3-4+deb12u1"), ("1.0+1", "1.0.1"),
    ("1.99999999999999999999", "1.100000000000000000000"), ("1.0-99999999999999999999", "1.0-100000000000000000000"),
    ("1.2.3", "1.2.3-0"), ("1.2.3+really1.2.2-1", "1.2.3-1"), ("1.2.3+really1.2.2-1", "1.2.4~rc1-1"),
    ("2:1.0", "2:1.0-0"), ("1.0:1", "1.0.1"), ("1:1.0:1-1", "1:1.0-1"), ("1.0~dfsg", "1.0"),
    ("1.0+dfsg1", "1.0+dfsg.1"), ("a1.0", "1.0"), ("1.0-", "1.0"), ("1.0 1", "1.0"),
]

RPM_EDGE_CASES = [
    ("1.0", "1.0.0"), ("1.01", "1.1"), ("1.0a", "1.0.a"), ("1.0a", "1.0"), ("1.0a", "1.0.1"),
    ("1.0~rc1", "1.0"), ("1.0~rc1", "1.0~rc2"), ("1.0~~", "1.0~"), ("1.0~", "1.0"), ("1.0~", "1.0^"),
    ("1.0^", "1.0"), ("1.0^git1", "1.0.1"), ("1.0^git1", "1.0"), ("1.0^git1", "1.0^git2"),
    ("1.0~rc1^git1", "1.0~rc1"), ("1.0~rc1^git1", "1.0~rc2"), ("1.0~rc1", "1.0^git1"),
    ("1.0^git1~1", "1.0^git1"), ("1.0^20230101", "1.0.0"), ("a", "1"), ("1.a", "1.1"), ("1_0", "1.0"),
    ("1..0", "1.0"), ("1.0+1", "1.0.1"), ("1.0", "1.0-"), ("1.0-1", "1.0-1.el9"), ("1.0-1", "1.0"),
    ("2:1.0-1", "1:9.9-9"), ("0:1.0-1", "1.0-1"), ("1:0.1", "2.0"), ("1.10", "1.9"),
    ("1.0.0-0.1.beta", "1.0.0-1"), ("1.0.0-0.1.beta", "1.0.0-0.2.rc1"), ("1.0.0-0.2.rc1", "1.0.0-0.10.rc2"),
    ("5.14.0-362.8.1.el9_3", "5.14.0-362.24.1.el9_3"), ("1.0-1.el8", "1.0-1.el8_9"), ("1.0-1.el8_9", "1.0-1.el9"),
    ("1.0-1.fc39", "1.0-1.fc40"), ("1.0-1.module+el8.9.0+123+abc", "1.0-1.module+el8.10.0+1+abc"),
    ("6.7.0-0.rc5.20231211gita39b6ac3781d.44.fc40", "6.7.0-0.rc5.44.fc40"), ("1.0-001", "1.0-1"),
    ("1.0-1.1", "1.0-1.a"), ("1.99999999999999999999", "1.100000000000000000000"),
    ("1.0-1.el9", "1.0-1.el9.1"), ("1.0-1.fc39", "1.0-1.fc39.1"), ("8.7p1-34.el9", "8.7-34.el9"),
    ("1.0b", "1.0a"), ("1.0B", "1.0a"), ("1.0-1.el7_9", "1.0-1.el7.centos"), ("1:1.0", "01:1.0"),
    ("2.40-0.8.rc1.fc40", "2.40-1.fc40"), ("1.8.0.392.b08-4.el8", "1.8.0.392.b8-4.el8"),
]

# Realistic Fedora / RHEL / CentOS EVR strings, grouped by package name.
RPM_PACKAGES = {
    "kernel": [
        "3.10.0-1160.el7", "3.10.0-1160.105.1.el7", "3.10.0-1160.119.1.el7", "4.18.0-305.el8",
        "4.18.0-348.7.1.el8_5", "4.18.0-477.27.1.el8_8", "4.18.0-513.5.1.el8_9", "4.18.0-513.24.1.el8_9",
        "4.18.0-553.el8_10", "5.14.0-70.13.1.el9_0", "5.14.0-162.6.1.el9_1", "5.14.0-284.11.1.el9_2",
        "5.14.0-284.30.1.el9_2", "5.14.0-362.8.1.el9_3", "5.14.0-362.24.1.el9_3", "5.14.0-427.13.1.el9_4",
        "5.14.0-503.11.1.el9_5", "6.5.6-300.fc39", "6.5.12-300.fc39", "6.6.13-200.fc39",
        "6.7.0-0.rc5.20231211gita39b6ac3781d.44.fc40", "6.7.0-0.rc5.44.fc40", "6.7.0-0.rc8.63.fc40",
        "6.7.0-68.fc40", "6.8.5-301.fc40", "6.8.11-300.fc40",
        "6.11.0-0.rc0.20240716gitd67978318827.2.fc41", "6.11.0-63.fc41",
    ],
    "glibc": [
        "2.17-326.el7_9", "2.28-225.el8", "2.28-236.el8_9.7", "2.28-236.el8_9.12", "2.34-60.el9",
        "2.34-83.el9_3.7", "2.34-83.el9_3.12", "2.34-100.el9_4.2", "2.38-7.fc39", "2.38-16.fc39",
        "2.39-2.fc40", "2.39-8.fc40", "2.39.9000-1.fc41", "2.39.9000-10.fc41", "2.40-1.fc41",
    ],
    "openssl": [
        "1:1.0.2k-26.el7_9", "1:1.1.1g-15.el8_3", "1:1.1.1k-9.el8_7", "1:1.1.1k-12.el8_9",
        "1:3.0.1-43.el9_0", "1:3.0.7-24.el9", "1:3.0.7-27.el9", "1:3.0.7-27.el9_4.1", "1:3.1.1-4.fc39",
        "1:3.1.4-1.fc39", "1:3.2.0-0.1.alpha1.fc40", "1:3.2.0~alpha1-1.fc40", "1:3.2.1-2.fc40",
        "1:3.2.2-3.fc41", "1:3.5.0~beta1-1.fc42",
    ],
    "bash": [
        "4.2.46-34.el7", "4.4.19-14.el8", "4.4.20-4.el8_6", "5.1.8-6.el9_1", "5.1.8-9.el9",
        "5.2.15-5.fc39", "5.2.21-1.fc40", "5.2.26-3.fc40", "5.2.26-6.fc41", "5.3~rc1-1.fc42",
    ],
    "python3": [
        "3.6.8-18.el7", "3.6.8-56.el8_9", "3.6.8-62.el8_10", "3.9.14-1.el9", "3.9.18-1.el9_3",
        "3.9.18-3.el9_4.1", "3.11.5-1.fc39", "3.12.0~b4-1.fc39", "3.12.0~rc3-1.fc40", "3.12.0-1.fc39",
        "3.12.2-2.fc40", "3.13.0~a1-1.fc40", "3.13.0~b1-2.fc41", "3.13.0~rc2-1.fc41", "3.13.0-1.fc41",
    ],
    "systemd": [
        "219-78.el7_9.9", "239-58.el8", "239-78.el8", "239-78.el8_9.3", "252-18.el9", "252-32.el9_4",
        "252-32.el9_4.7", "253.10-1.fc38", "254.5-2.fc39", "254.10-1.fc39", "255~rc3-1.fc40",
        "255-1.fc40", "255.4-1.fc40", "256~rc1-1.fc41", "256.7-1.fc41", "257~rc2-1.fc42",
    ],
    "vim-enhanced": [
        "2:7.4.629-8.el7_9", "2:8.0.1763-19.el8_6.4", "2:8.0.1763-19.el8.4", "2:8.2.2637-20.el9_1",
        "2:8.2.2637-21.el9", "2:9.0.2048-1.fc39", "2:9.1.031-1.fc40", "2:9.1.393-1.fc40",
        "2:9.1.825-1.fc41",
    ],
    "git": [
        "1.8.3.1-25.el7_9", "2.39.3-1.el8_8", "2.43.0-1.el8", "2.39.3-1.el9_2", "2.43.0-1.el9",
        "2.42.0-1.fc39", "2.43.0~rc0-1.fc40", "2.43.0-1.fc40", "2.44.0-1.fc40", "2.46.0~rc1-1.fc41",
        "2.46.0-1.fc41",
    ],
    "gcc": [
        "4.8.5-44.el7", "8.5.0-18.el8", "8.5.0-20.el8", "11.3.1-4.3.el9", "11.4.1-2.1.el9",
        "11.4.1-3.el9", "13.2.1-4.fc39", "13.2.1-7.fc39", "14.0.1-0.13.fc40", "14.0.1-0.15.fc40",
        "14.1.1-1.fc40", "14.2.1-3.fc41", "15.0.1-0.9.fc42",
    ],
    "perl": [
        "4:5.16.3-299.el7_9", "4:5.26.3-416.el8", "4:5.26.3-422.el8", "4:5.32.1-480.el9",
        "4:5.36.1-497.fc38", "4:5.38.0-502.fc39", "4:5.38.2-506.fc40", "4:5.40.0-510.fc41",
    ],
    "NetworkManager": [
        "1:1.18.8-2.el7_9", "1:1.40.16-1.el8", "1:1.40.16-15.el8_9", "1:1.44.0-3.el9",
        "1:1.46.0-1.el9_4", "1:1.44.2-1.fc39", "1:1.46.0-2.fc40", "1:1.48.10-1.fc41", "1:1.49.90-1.fc42",
    ],
    "nodejs": [
        "1:10.24.0-1.module+el8.3.0+10166+b07ac28e", "1:16.20.2-4.module+el8.9.0+19935+5fcf4d2d",
        "1:18.18.2-2.module+el8.9.0+20708+6a5b8ee6", "1:20.10.0-1.module+el8.9.0+20747+a3e3e1df",
        "1:16.20.2-3.el9", "1:18.19.0-1.module+el9.3.0+20773+cf5ff7bf", "1:20.10.0-1.fc39",
        "1:20.12.2-1.fc40", "1:22.2.0-1.fc41",
    ],
    "mariadb": [
        "1:5.5.68-1.el7", "3:10.3.39-1.module+el8.8.0+19673+72b0d35f", "3:10.5.22-1.el9_2",
        "3:10.5.22-1.module+el8.8.0+19706+e9ad5c3c", "3:10.11.6-1.module+el8.9.0+20850+d6d9ff6e",
        "3:10.10.7-1.fc39", "3:10.11.6-1.fc40", "3:10.11.10-1.fc41",
    ],
    "firefox": [
        "115.4.0-1.el9_2", "115.5.0-1.el9_3", "115.10.0-1.el8_9", "115.14.0-2.el9_4", "118.0.1-1.fc39",
        "119.0-2.fc39", "120.0~b6-1.fc40", "120.0-1.fc40", "128.0.3-1.fc40",
    ],
    "httpd": [
        "2.4.6-99.el7_9.1", "2.4.37-56.module+el8.8.0+18758+b3a9c8da.6",
        "2.4.37-62.module+el8.9.0+19699+7a7a2044", "2.4.53-11.el9_2.5", "2.4.57-5.el9", "2.4.57-8.el9",
        "2.4.58-1.fc39", "2.4.59-2.fc40", "2.4.62-1.fc41",
    ],
    "neovim": [
        "0.9.4-1.fc39", "0.9.5-1.fc40", "0.10.0~dev^20231012gitdb4b5c5-1.fc40", "0.10.0-1.fc40",
        "0.10.0^20240516git.abc1234-1.fc41", "0.10.1-1.fc41",
    ],
    "snapshot-guidelines": [
        "0^20210409git6a09c7f-1.fc35", "0^20210512gitd3e6c4a-1.fc35", "0^20210512gitd3e6c4a-2.fc35",
        "1.0~rc1-1.fc35", "1.0~rc1^20210601git1234abc-1.fc35", "1.0~rc2-1.fc35", "1.0-1.fc35",
        "1.0^20210701git5678def-1.fc35", "1.0.1~rc1-1.fc35", "1.0.1-1.fc35",
    ],
    "old-style-prerelease": [
        "1.0.0-0.1.beta.fc39", "1.0.0-0.2.beta2.fc39", "1.0.0-0.3.rc1.fc39", "1.0.0-0.10.rc2.fc39",
        "1.0.0-1.fc39", "1.0.0-0.1.20230101gitabcdef.fc38", "1.0.0-1.fc39.1", "1.0.0-2.fc39",
    ],
    "letters": [
        "1.0a-1", "1.0b-1", "1.0-1", "1.0.1-1", "1.0a1-1", "1.0rc1-1", "1.0p1-1", "1.0_1-1",
        "1.0.a-1", "1a-1", "1-1", "1.0.0-1",
    ],
    "openssh": [
        "7.4p1-23.el7_9", "8.0p1-19.el8_9.2", "8.0p1-24.el8", "8.7p1-34.el9", "8.7p1-38.el9_4.1",
        "9.3p1-1.fc39", "9.6p1-1.fc40", "9.8p1-1.fc41", "9.9p1-2.fc42",
    ],
    "tzdata": [
        "2022g-1.el8", "2023c-1.el8", "2023c-1.el9", "2023d-1.el9", "2024a-1.el9", "2024a-1.fc39",
        "2024b-1.fc41",
    ],
    "util-linux": [
        "2.23.2-65.el7_9.1", "2.32.1-44.el8", "2.32.1-46.el8", "2.37.4-15.el9", "2.39.2-1.fc39",
        "2.39.3-5.fc40", "2.40-0.8.rc1.fc40", "2.40.1-1.fc41",
    ],
    "java-openjdk": [
        "1:1.8.0.392.b08-4.el8", "1:1.8.0.412.b08-2.el9", "1:11.0.21.0.9-2.el8", "1:17.0.9.0.9-1.el9",
        "1:21.0.1.0.12-2.fc39", "1:21.0.5.0.11-1.fc41",
    ],
    "dnf": ["4.7.0-19.el8", "4.14.0-8.el9", "4.14.0-9.el9", "4.18.0-2.fc39", "4.19.0-1.fc40"],
    "rpm": [
        "4.11.3-48.el7_9", "4.14.3-28.el8_9", "4.16.1.3-25.el9", "4.19.0-0.beta1.1.fc39",
        "4.19.1-1.fc39", "4.19.1.1-1.fc40", "4.20.0~alpha-1.fc41", "4.20.0-1.fc41",
    ],
    "libreoffice": [
        "1:7.1.8.1-12.el9", "1:7.5.9.2-1.fc38", "1:7.6.4.1-1.fc39", "1:24.2.4.2-1.fc41",
    ],
    "ImageMagick": ["1:6.9.12.93-1.fc39", "1:7.1.1.26-1.fc40", "1:7.1.1.39-1.fc41"],
    "curl": [
        "7.29.0-59.el7_9.2", "7.61.1-33.el8", "7.76.1-26.el9_3.2", "8.2.1-3.fc39", "8.6.0-7.fc40",
        "8.9.1-2.fc41", "8.11.0~rc1-1.fc42",
    ],
    "xorg-x11-server-Xorg": ["1.20.4-27.el7_9", "1.20.11-22.el9", "21.1.9-1.fc39", "21.1.13-1.fc41"],
    "bind": [
        "32:9.11.4-26.P2.el7_9.15", "32:9.11.36-11.el8_9", "32:9.16.23-14.el9_3",
        "32:9.16.23-18.el9_4.1", "32:9.18.20-1.fc39", "32:9.18.28-1.fc40",
    ],
    "sudo": [
        "1.8.23-10.el7_9.3", "1.8.29-10.el8_9", "1.9.5p2-9.el9", "1.9.5p2-10.el9_3",
        "1.9.14-1.p3.fc39", "1.9.15-1.p5.fc40", "1.9.15-4.p5.fc41",
    ],
    "zlib": ["1.2.7-21.el7_9", "1.2.11-40.el9", "1.2.13-4.fc39", "2.1.6-2.fc40", "2.1.7-3.fc41"],
    "emacs": ["1:26.1-11.el8", "1:27.2-9.el9", "1:29.1-2.fc39", "1:29.4-5.fc40", "1:30.0.90-1.fc42"],
}

# Raw strings as published: a deterministic sample of the latest release of many
# PyPI projects / npm packages (taken from a one-day snapshot list of each
# registry's packages), to cover spellings that release lists print normalised.
PYPI_RAW_SAMPLE = [
    '0.0-dev0', '0.0.0.DEV.1309041773', '0.0.0.dev1682359737988', '0.0.0.dev1748554126342',
    '0.0.0.post1783074370', '0.0.04', '0.0.0beta', '0.0.1-2007010524', '0.0.1-beta', '0.0.1-beta1',
    '0.0.1.6.alpha', '0.0.1.dev1726101460', '0.0.10dev', '0.0.11.post1', '0.0.2.1dev',
    '0.0.2.Alpha', '0.0.4-1', '0.0.4-5', '0.0.4.alpha', '0.0.5-alpha', '0.0.7a', '0.0.dev',
    '0.00001', '0.001', '0.002', '0.01-r00018', '0.01.001dev', '0.01.03', '0.01.11', '0.01.28',
    '0.011', '0.02.1', '0.022', '0.07', '0.08', '0.08.2', '0.1-11', '0.1-3', '0.1-alpha.2',
    '0.1-r26', '0.1.0-1', '0.1.0-2', '0.1.0-3', '0.1.0-a', '0.1.0-alpha.3', '0.1.0.0-alpha',
    '0.1.0.0707', '0.1.0.0812', '0.1.0.8548343949', '0.1.0.a1', '0.1.01', '0.1.024b', '0.1.05',
    '0.1.0_alpha.3', '0.1.0a', '0.1.0a0.dev180', '0.1.0a54', '0.1.1-alpha', '0.1.1-alpha-2',
    '0.1.1-beta', '0.1.1.4.2.8', '0.1.1.ALPHA-', '0.1.13.7.7', '0.1.2.dev', '0.1.2012.05.17.22.08',
    '0.1.202407111800', '0.1.20260504', '0.1.3b', '0.1.4b', '0.1.5a', '0.1.6-1', '0.1.6dev',
    '0.1.a1', '0.1.a2', '0.1.dev25', '0.1.dev734', '0.10.1.post13', '0.101.210706', '0.11-dev',
    '0.11.dev', '0.17-beta', '0.1a.1', '0.1a.6', '0.1a0dev-20100727', '0.1b1dev', '0.1beta2',
    '0.1c0', '0.1dev-20100410', '0.1pre', '0.1r1', '0.1r3', '0.2-1', '0.2-alpha', '0.2.0pre',
    '0.2.1-alpha', '0.2.1-r20', '0.2.13beta0', '0.2.1a.dev', '0.2.2-r348', '0.2.27.dev20250707',
    '0.2.3-dev', '0.2.30a0', '0.2.6.2.4', '0.2.a1', '0.2.dev', '0.20.03', '0.202107.0', '0.2b5',
    '0.2bdev', '0.2dev', '0.2dev-20091210', '0.3-alpha', '0.3-beta.0', '0.3.0-1',
    '0.3.1.dev-20120112', '0.3.3.2.1', '0.3.3post2', '0.3.6-5', '0.3.6dev', '0.30-r3', '0.30c',
    '0.3c', '0.3dev1', '0.4.1dev', '0.42.09', '0.42dev', '0.45dev', '0.4a1.post1', '0.4dev',
    '0.4dev1', '0.5.0.0.alpha.5', '0.5.0alpha', '0.5.7dev', '0.5a', '0.6-beta', '0.6.0.3.post3',
    '0.6.02', '0.6.0rc16', '0.6.1-4', '0.6.2-4', '0.6.4-r3', '0.60b', '0.62bdev', '0.8-r16144',
    '0.8.0.13.25', '0.8.0a', '0.8.Alpha', '0.8.dev', '0.9.04', '0.9.3.dev6', '0.9.8-1',
    '0.98.alpha', '0.9rc1dev', '1.0-4', '1.0-5', '1.0-alpha6', '1.0.0-alpha', '1.0.0-r338',
    '1.0.0.2-r3', '1.0.1-rc.1', '1.0.1a', '1.0.1b', '1.0.20260711001', '1.0.221019', '1.0.2beta',
    '1.0.2dev', '1.0.3.a1', '1.0.3.dev0', '1.0.3b', '1.0.6a', '1.0.9-1', '1.0.b', '1.00',
    '1.00.002', '1.011', '1.01c', '1.03', '1.05', '1.07', '1.08', '1.0a1.dev3', '1.0b2dev', '1.0rc',
    '1.1.0-beta', '1.1.0-post4', '1.1.0a', '1.1.1-3', '1.1.4.dev202506081902', '1.1.4b4',
    '1.15.1-4', '1.1dev', '1.20141030.091600', '1.20180803.008', '1.20260312.4', '1.3.2rc',
    '1.3.8.post1', '1.36.0-1', '1.5-1', '1.5.0.0-r12', '1.6.0dev', '1.7-7', '1.8.7-3',
    '11.0.1.0.1.99.dev5', '11.02.01', '12.0.1.0.11', '13.0.1.0.1.dev19', '13.0.1.0.2.dev2', '13.01',
    '13.08.0', '14.0.1.0.5', '14.0.20240124.0', '14.04', '16.0.1.1.2', '17.0.1.0.1.6',
    '18.0.1.2.0.4', '18.0.20250813.0', '186963947', '19.05.03', '2.0-20141116', '2.0-beta.1',
    '2.0.0.dev20221108', '2.0.0a39', '2.0.0dev4', '2.0.0rc1.post5', '2.0.rc1', '2.1-r331', '2.1.05',
    '2.1.0a0', '2.2.0.20260401', '2.6.3dev', '20.03.22.2', '2009c', '2012.4.01', '2013.02',
    '2014.04.25', '2015.03.27.2', '2018.05.21.01', '2019.04', '2019.09.17-1', '2019.09.17-2',
    '20191020.0', '2021.10.30.rev2', '20230226.0', '20230312.14.30', '20230502.16.14.338125',
    '20230504.19.58.31213', '20230509.10.41.463517', '20230524.529', '20240206.1',
    '2025.12.21115644', '2025.12.21134443', '2025.12.21235235', '2025.9.14.13.29', '20250425.14.0',
    '2026.1b6', '20261010.1.8.901202', '24.1.50.1-20120610', '241497598', '25.4.0a19', '3.0.4b0',
    '3.09', '3.0a7', '3.1-14', '3.1.26-4', '3.1.7-r1', '3.2alpha2', '3.3.3-1', '3.4.2-1', '301024',
    '4.0-b3', '4.2.1-3', '4.2.20260624', '5.0-0.dev6', '5.1.3.post1', '6.1.0b1',
    '8.0.1.0.0.99.dev26', '8.0.1.1.post202609241841', '8.0.20170409', '8.0.20221011.0', '8.0.5.0.2',
    '9.06.01', '9.18.0rc2', '9000.5a', 'V1.00', 'v0.0.1a', 'v0.0.3', 'v0.1-beta', 'v0.1.0',
    'v0.1.1', 'v0.1.6', 'v0.18', 'v0.2.4', 'v0.3', 'v0.3.4-alpha', 'v1.0.0', 'v1.0.0-alpha.3',
    'v1.0.2', 'v2.2.5', 'v2.6.1', 'v3',
]

NPM_RAW_SAMPLE = [
    '0.0.0-0', '0.0.0-4.0.0-rc.15', '0.0.0-alpha.1', '0.0.0-alpha.4', '0.0.0-beta.4',
    '0.0.0-canary.4e199bd', '0.0.0-dev-202602092352', '0.0.0-experimental-2414125487-fbc8a5ec8a',
    '0.0.0-insiders.565cd3e', '0.0.0-pr.manual.c470960d', '0.0.0-removed3.6', '0.0.1-1679728193',
    '0.0.1-2747eae95536c3f53c6e409de60d6ed9c3', '0.0.1-RC.1', '0.0.1-alpha.13', '0.0.1-alpha.22',
    '0.0.1-alpha.353', '0.0.1-alpha.57', '0.0.1-alpha.90', '0.0.1-beta', '0.0.1-beta.2',
    '0.0.1-beta.4', '0.0.1-beta14', '0.0.1-cli.2.102.12', '0.0.1-dev.244',
    '0.0.1-icomon202212301136', '0.0.1-next.20', '0.0.1-pre3', '0.0.1-rc.3', '0.0.1-security.1',
    '0.0.13-6', '0.0.18-canary.20260727072946.f724a66', '0.0.2-6', '0.0.2-alpha.8', '0.0.2-beta.13',
    '0.0.2-next.11', '0.0.2-snapshot.1562751548.9', '0.0.27-storybook7.14', '0.0.3-beta.113',
    '0.0.3-next.28', '0.0.39-alpha', '0.0.42-beta.9', '0.0.5-alpha.a2c426', '0.0.6-17',
    '0.0.69-devel.4', '0.0.8-beta', '0.0.955-wip.29', '0.1.0-alpha.12', '0.1.0-alpha.20',
    '0.1.0-alpha.32', '0.1.0-alpha.5-dev.0', '0.1.0-alpha.9', '0.1.0-beta.10', '0.1.0-beta.187',
    '0.1.0-beta.5', '0.1.0-beta1', '0.1.0-dev.202104041926', '0.1.0-next.13', '0.1.0-prealpha.1',
    '0.1.0-rc.1', '0.1.0-rc3', '0.1.1-alpha.282', '0.1.1-beta.60', '0.1.1-rc.15', '0.1.2-1',
    '0.1.3-alpha.1', '0.1.4-1', '0.1.5-preview.6', '0.10.0-alpha.5', '0.10.3-canary.2',
    '0.11.1-cdo.2', '0.12.0-beta.46', '0.12.12-canary-20260923-d5519740', '0.13.2-beta.1231',
    '0.14.0-rc.1', '0.15.0-next.7b275d27', '0.17.4-beta.185', '0.18.4-patch.1', '0.19.1-3',
    '0.2.0-SNAPSHOT.22', '0.2.0-alpha.70', '0.2.0-beta.9', '0.2.0-rc.41', '0.2.1-rc.1',
    '0.2.2-ts.2', '0.2.357-30', '0.2.8-beta.0', '0.21.0-beta.1', '0.24.3-alpha.2', '0.27.0-dev0',
    '0.3.0-alpha.3', '0.3.0-ea.608d6fa', '0.3.1-fork.41', '0.3.4-alpha', '0.35.0-revizly50',
    '0.4.0-alpha.9', '0.4.1-alpha.15', '0.4.3-canary-20260923-d5519740', '0.40.0-rc.22',
    '0.5.0-alpha.2', '0.5.1-0', '0.5.4-cdo.10', '0.56.0-alpha.29', '0.6.0-beta.56', '0.6.1-216',
    '0.6.5-beta', '0.69.0-macos-intel.d63c34412535fadfd9885', '0.7.1-next-1351b0', '0.7.3-extras.2',
    '0.7.5-canary-d55a819-20240625074925', '0.8.0-alpha.26', '0.8.1-dev.20260722075037',
    '0.8.33-105', '0.86.0-2', '0.9.11-grist.5', '0.99.7-beta', '1.0.0-35600014993.commit-874bb91',
    '1.0.0-alfa.3', '1.0.0-alpha.105', '1.0.0-alpha.15', '1.0.0-alpha.20250901.1', '1.0.0-alpha.28',
    '1.0.0-alpha.39', '1.0.0-alpha.6', '1.0.0-alpha.92', '1.0.0-b.158', '1.0.0-beta.1',
    '1.0.0-beta.13', '1.0.0-beta.187', '1.0.0-beta.20240814.1', '1.0.0-beta.28', '1.0.0-beta.35',
    '1.0.0-beta.44', '1.0.0-beta.58', '1.0.0-beta.84', '1.0.0-beta1.4', '1.0.0-beta99',
    '1.0.0-dev-produit.202209291454', '1.0.0-feat-produit.202209261540', '1.0.0-next',
    '1.0.0-next.5', '1.0.0-pre.10', '1.0.0-pre81', '1.0.0-preview.80', '1.0.0-rc.116',
    '1.0.0-rc.211', '1.0.0-rc.35', '1.0.0-rc.8', '1.0.0-uvw.0',
    '1.0.1-alpha-fx-2460-put-the-integration-', '1.0.1-alpha.89', '1.0.1-beta.1093',
    '1.0.1-beta.1455', '1.0.1-beta.363', '1.0.1-beta.598', '1.0.10-beta.17', '1.0.17-revision.40',
    '1.0.2-beta.1459', '1.0.3-beta.204', '1.0.4-hassy', '1.0.58-dev', '1.0.8-3',
    '1.1.0-3-February-2022', '1.1.0-beta.123', '1.1.0-next.038104a.0', '1.1.0-tolerate-import',
    '1.1.1-beta.1464', '1.1.2-beta.2', '1.1.3-alpha.4', '1.1.7-beta.1', '1.11.0-alpha.15',
    '1.15.0-alpha.7', '1.2.0-alpha.2', '1.2.1-4', '1.2.2-next.0', '1.2.9-alpha.1', '1.23.0-patch1',
    '1.29.0-fix.6', '1.3.1-28534474.bc8c845', '1.3.20-cdo', '1.4.0-fix-es', '1.4.38-beta-3',
    '1.5.1-2', '1.5.7-krea.0', '1.6.11-patch.0', '1.7.0-dev', '1.7.23-alpha.0', '1.8.2-beta.1',
    '10.0.0-36', '10.4.1-node-sass-9.0.0-libsass-3.6.5-wit', '11.22.2-neutral', '12.0.0-preview.4',
    '13.0.4-testing.1', '14.2.1-alpha.145', '16.0.0-beta.5.4', '18.0.0-beta.3', '2.0.0-1',
    '2.0.0-4018732630.commit-d22f1d3', '2.0.0-alpha.11', '2.0.0-alpha.194', '2.0.0-alpha.34',
    '2.0.0-alpha.65', '2.0.0-beta.0', '2.0.0-beta.19', '2.0.0-beta.33', '2.0.0-beta8',
    '2.0.0-gd-v5.6.269-autobuild', '2.0.0-next.105', '2.0.0-next.d32662f.0', '2.0.0-rc.107',
    '2.0.0-rc.14', '2.0.0-rc.30', '2.0.0-rc.6', '2.0.0-y.14', '2.0.1-spryker.0.1.0',
    '2.0.3-alpha.11', '2.0.5-beta.1225', '2.1.0-beta.5', '2.1.0-pre.18', '2.1.1-preview',
    '2.1.4-v4', '2.14.0-20260721-115010-e9b256da', '2.175.1-alpha.0', '2.2.1-alpha.3',
    '2.2.4-next.1', '2.22.0-gk.1', '2.269.0-alpha.0', '2.3.1-alpha.3', '2.4.0-1ec4a08.3',
    '2.4.3-beta.1225', '2.5.2-a-4', '2.6.5-forked.0', '2.7.3-kibana', '2.91.0-alpha.0',
    '2023.4.4-1', '2026.4.2-1', '25.0.1-vivliostyle-cli.2', '3.0.0-25886174.42eefa0e',
    '3.0.0-alpha-3090020230826001', '3.0.0-alpha.12', '3.0.0-alpha.3', '3.0.0-alpha.8',
    '3.0.0-beta.14', '3.0.0-beta.23', '3.0.0-beta2', '3.0.0-dev.118', '3.0.0-next.14',
    '3.0.0-pre.2', '3.0.1-beta.139', '3.0.2-alpha.0', '3.0.3-rc.3', '3.0.9-canary.0',
    '3.1.0-moodle.1', '3.1.6-patch.6', '3.2.0-0', '3.2.13-canary.0-5376147',
    '3.3.0-feature-pillar-cli-v4-analysis-650', '3.31.4-39', '3.4.6-win', '3.6.0-29333381.8558577',
    '3.7.40-canary.0', '30.0.0-rc1', '4.0.0-3', '4.0.0-alpha.2', '4.0.0-beta.1', '4.0.0-beta.38.3',
    '4.0.0-moodle.5', '4.0.0-preview1.2', '4.0.1-27', '4.0.3-0', '4.1.0-alpha.1', '4.11.5-sage.6',
    '4.17.37-npm', '4.2.2-next.616', '4.3.0-10', '4.4.1-3.1', '4.6.0-29827426.591be9c2',
    '4.9.5-cocos.4', '5.0.0-36', '5.0.0-alpha.4', '5.0.0-beta.226', '5.0.0-moodle.1',
    '5.0.0-release.2', '5.1.0-beta.1', '5.2.0-300', '5.4.1-alpha.25', '5.6.5-nexter',
    '6.0.0-alpha.229', '6.0.0-beta.70', '6.0.1-4', '6.1.0-beta.3', '6.2.0-2', '6.31.4-beta.0',
    '6.9.0-canary.0', '7.0.0-beta.4', '7.0.0-rc.0', '7.0.8-58-3', '7.29.4-beta.1', '7.9.0-7',
    '8.0.0-rc19',
]

# --------------------------------------------------------------------------- tools

def tools_dir(args):
    if args.tools:
        return args.tools
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "supportctl-version-oracles")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def ensure_packaging(args):
    venv = os.path.join(tools_dir(args), "venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        os.makedirs(tools_dir(args), exist_ok=True)
        run([sys.executable, "-m", "venv", venv])
        run([py, "-m", "pip", "install", "-q", PACKAGING_REQ])
    return py


def ensure_semver(args):
    d = os.path.join(tools_dir(args), "node")
    if not os.path.exists(os.path.join(d, "node_modules", "semver", "package.json")):
        os.makedirs(d, exist_ok=True)
        if not os.path.exists(os.path.join(d, "package.json")):
            with open(os.path.join(d, "package.json"), "w") as f:
                f.write('{"name": "version-oracles", "private": true}\n')
        run(["npm", "install", "--no-audit", "--no-fund", SEMVER_REQ], cwd=d)
    return os.path.join(d, "node_modules")


# ------------------------------------------------------------------------ oracles
# Batch oracles read {"valid": [s], "sort": [[s]], "cmp": [[a, b]]} as JSON on
# stdin and answer {"version": ..., "valid": [bool], "sort": [[s]], "cmp": [-1|0|1]}.

PACKAGING_ORACLE = r'''
import json, sys
import packaging
from packaging.version import Version, InvalidVersion
req = json.load(sys.stdin)
def ok(s):
    try:
        Version(s)
        return True
    except InvalidVersion:
        return False
def cmp(a, b):
    x, y = Version(a), Version(b)
    return -1 if x < y else (0 if x == y else 1)
json.dump({"version": packaging.__version__,
           "valid": [ok(s) for s in req.get("valid", [])],
           "sort": [sorted(g, key=Version) for g in req.get("sort", [])],
           "cmp": [cmp(a, b) for a, b in req.get("cmp", [])],
           "check": [{"<": Version(a) < Version(b), "=": Version(a) == Version(b),
                      ">": Version(a) > Version(b)}[op] for a, b, op in req.get("check", [])]},
          sys.stdout)
'''

SEMVER_ORACLE = r'''
const semver = require('semver');
let data = '';
process.stdin.on('data', (c) => { data += c; });
process.stdin.on('end', () => {
  const req = JSON.parse(data);
  const ok = (s) => !/^[vV=]/.test(s) && s === s.trim() && semver.valid(s) !== null;
  process.stdout.write(JSON.stringify({
    version: require('semver/package.json').version,
    valid: (req.valid || []).map(ok),
    sort: (req.sort || []).map((g) => g.slice().sort((a, b) => semver.compare(a, b))),
    cmp: (req.cmp || []).map(([a, b]) => semver.compare(a, b)),
    check: (req.check || []).map(([a, b, op]) =>
      ({ '<': semver.lt, '=': semver.eq, '>': semver.gt })[op](a, b)),
  }));
});
'''

RPM_ORACLE = r'''
import json, re, sys, functools
import rpm
def split(s):
    e = None
    if ":" in s:
        e, s = s.split(":", 1)
    if "-" in s:
        v, r = s.rsplit("-", 1)
    else:
        v, r = s, None
    return (e, v, r)
def ok(s):
    if not s or re.search(r"\s", s):
        return False
    e, v, r = split(s)
    return (e is None or re.fullmatch(r"[0-9]+", e) is not None) and v != ""
def cmp(a, b):
    return rpm.labelCompare(split(a), split(b))
req = json.load(sys.stdin)
json.dump({"version": rpm.__version__,
           "valid": [ok(s) for s in req.get("valid", [])],
           "sort": [sorted(g, key=functools.cmp_to_key(cmp)) for g in req.get("sort", [])],
           "cmp": [cmp(a, b) for a, b in req.get("cmp", [])],
           # second opinion: rpm.ver parses the whole E:V-R string itself
           "check": [cmp(a, b) == "<=>".index(op) - 1 and
                     {"<": rpm.ver(a) < rpm.ver(b), "=": rpm.ver(a) == rpm.ver(b),
                      ">": rpm.ver(a) > rpm.ver(b)}[op]
                     for a, b, op in req.get("check", [])]}, sys.stdout)
'''


class BatchOracle:
    def __init__(self, cmd, env=None):
        self.cmd, self.env = cmd, env
        self._version = None

    def call(self, **req):
        p = subprocess.run(self.cmd, input=json.dumps(req), capture_output=True, text=True,
                           env=self.env, check=True)
        out = json.loads(p.stdout)
        self._version = out["version"]
        return out

    def version(self):
        if self._version is None:
            self.call()
        return self._version

    def valid(self, xs):
        return self.call(valid=list(xs))["valid"]

    def sort(self, groups):
        return self.call(sort=[list(g) for g in groups])["sort"]

    def cmp(self, pairs):
        return self.call(cmp=[list(p) for p in pairs])["cmp"]

    def check(self, rows):
        return self.call(check=[list(r) for r in rows])["check"]


class DpkgOracle:
    def __init__(self):
        self.memo = {}

    def version(self):
        return run(["dpkg", "--version"]).stdout.splitlines()[0]

    @staticmethod
    def _rel(a, rel, b):
        p = subprocess.run(["dpkg", "--compare-versions", a, rel, b], capture_output=True, text=True)
        if p.returncode not in (0, 1) or p.stderr.strip():
            raise ValueError(f"dpkg --compare-versions {a!r} {rel} {b!r}: {p.stderr.strip()}")
        return p.returncode == 0

    def valid(self, xs):
        res = []
        for x in xs:
            p = subprocess.run(["dpkg", "--compare-versions", x, "eq", x], capture_output=True, text=True)
            res.append(x != "" and p.returncode == 0 and not p.stderr.strip())
        return res

    def one(self, a, b):
        if (a, b) not in self.memo:
            self.memo[(a, b)] = -1 if self._rel(a, "lt", b) else (0 if self._rel(a, "eq", b) else 1)
        return self.memo[(a, b)]

    def sort(self, groups):
        return [sorted(g, key=functools.cmp_to_key(self.one)) for g in groups]

    def cmp(self, pairs):
        return [self.one(a, b) for a, b in pairs]

    def check(self, rows):
        rel = {"<": "lt", "=": "eq", ">": "gt"}
        return [self._rel(a, rel[op], b) for a, b, op in rows]


def make_oracle(scheme, args):
    if scheme == "pep440":
        return BatchOracle([ensure_packaging(args), "-c", PACKAGING_ORACLE])
    if scheme == "semver":
        env = dict(os.environ, NODE_PATH=ensure_semver(args))
        return BatchOracle(["node", "-e", SEMVER_ORACLE], env=env)
    if scheme == "rpm":
        return BatchOracle([args.rpm_python, "-c", RPM_ORACLE])
    if scheme == "dpkg":
        return DpkgOracle()
    raise ValueError(scheme)


# ------------------------------------------------------------------------ sources

def cached(args, key, fetch):
    path = os.path.join(tools_dir(args), "fetched", re.sub(r"[^A-Za-z0-9.+-]", "_", key) + ".json")
    if os.path.exists(path) and not args.refetch:
        with open(path) as f:
            return json.load(f)
    if args.offline:
        raise SystemExit(f"--offline and nothing cached for {key}")
    data = fetch()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f)
    return data


def pypi_versions(args, name):
    def fetch():
        env = dict(os.environ, PIP_FIND_LINKS="", PIP_DISABLE_PIP_VERSION_CHECK="1")
        p = run([ensure_packaging(args), "-m", "pip", "index", "versions", "--pre",
                 "--ignore-requires-python", "--no-cache-dir", name], env=env)
        for line in p.stdout.splitlines():
            if line.startswith("Available versions:"):
                return [v.strip() for v in line.split(":", 1)[1].split(",") if v.strip()]
        raise RuntimeError(f"no version list for {name}: {p.stdout!r}")
    return cached(args, "pypi-" + name, fetch)


def npm_versions(args, name):
    def fetch():
        with tempfile.TemporaryDirectory() as d:
            out = json.loads(run(["npm", "view", name, "versions", "--json"], cwd=d).stdout)
        return [out] if isinstance(out, str) else out
    return cached(args, "npm-" + name, fetch)


def dpkg_installed():
    out = run(["dpkg-query", "-W", "-f", "${Version}\n"]).stdout
    return sorted({v for v in out.splitlines() if v})


def sources(scheme, args):
    """Return ({group: [versions]}, [(a, b) edge cases])."""
    if scheme == "pep440":
        groups = {p: pypi_versions(args, p) for p in PYPI_PROJECTS}
        groups["(raw sample)"] = PYPI_RAW_SAMPLE
        return groups, PEP440_EDGE_CASES
    if scheme == "semver":
        groups = {p: npm_versions(args, p) for p in NPM_PACKAGES}
        groups["(raw sample)"] = NPM_RAW_SAMPLE
        return groups, SEMVER_EDGE_CASES
    if scheme == "dpkg":
        return {"(installed)": dpkg_installed()}, DPKG_EDGE_CASES
    if scheme == "rpm":
        return dict(RPM_PACKAGES), RPM_EDGE_CASES
    raise ValueError(scheme)


# Per scheme: adjacent pairs per group (cap), near pairs, random pairs per group,
# cross-group pairs, identical pairs, share of pairs also added reversed.
PARAMS = {
    "pep440": dict(adj=60, near=25, far=20, cross=220, same=15, rev=0.12, raw_adj=400, raw_near=90, raw_far=70),
    "semver": dict(adj=60, near=25, far=20, cross=220, same=15, rev=0.10, raw_adj=400, raw_near=90, raw_far=70),
    "dpkg": dict(adj=10000, near=420, far=420, cross=0, same=15, rev=0.15),
    "rpm": dict(adj=10000, near=14, far=14, cross=420, same=15, rev=0.15),
}


def semver_spec_cmp(a, b):
    """SemVer 2.0.0 section 11 with unbounded integers (used to drop oracle quirks)."""
    def parse(s):
        s = s.split("+", 1)[0]
        core, _, pre = s.partition("-")
        return [int(x) for x in core.split(".")], (pre.split(".") if pre else [])
    (ca, pa), (cb, pb) = parse(a), parse(b)
    if ca != cb:
        return -1 if ca < cb else 1
    if not pa or not pb:
        return (len(pa) == 0) - (len(pb) == 0) if (pa or pb) else 0
    for x, y in zip(pa, pb):
        if x == y:
            continue
        xn, yn = x.isdigit(), y.isdigit()
        if xn and yn:
            return -1 if int(x) < int(y) else 1
        if xn != yn:
            return -1 if xn else 1
        return -1 if x < y else 1
    return (len(pa) > len(pb)) - (len(pa) < len(pb))


def generate(scheme, oracle, args):
    rng = random.Random(f"{SEED}-{scheme}")
    p = PARAMS[scheme]
    groups, edge = sources(scheme, args)
    names = sorted(groups)
    allstr = sorted({v for g in groups.values() for v in g} | {v for ab in edge for v in ab})
    ok = dict(zip(allstr, oracle.valid(allstr)))
    dropped = sorted(v for v in allstr if not ok[v])
    clean = [sorted({v for v in groups[n] if ok[v]}) for n in names]
    ordered = dict(zip(names, oracle.sort(clean)))

    pairs = []
    for n in names:
        vs = ordered[n]
        raw = n == "(raw sample)"
        cap_adj, n_near, n_far = ((p["raw_adj"], p["raw_near"], p["raw_far"]) if raw
                                  else (p["adj"], p["near"], p["far"]))
        adj = [(vs[i], vs[i + 1]) for i in range(len(vs) - 1)]
        if len(adj) > cap_adj:
            adj = [adj[i] for i in sorted(rng.sample(range(len(adj)), cap_adj))]
        pairs += adj
        if len(vs) > 3:
            for _ in range(n_near):
                d = rng.randint(2, min(6, len(vs) - 1))
                i = rng.randrange(len(vs) - d)
                pairs.append((vs[i], vs[i + d]))
        if len(vs) > 1:
            for _ in range(n_far):
                i, j = sorted(rng.sample(range(len(vs)), 2))
                pairs.append((vs[i], vs[j]))
    nonempty = [n for n in names if ordered[n]]
    if len(nonempty) > 1:
        for _ in range(p["cross"]):
            g1, g2 = rng.sample(nonempty, 2)
            pairs.append((rng.choice(ordered[g1]), rng.choice(ordered[g2])))
    pool = sorted({v for n in names for v in ordered[n]})
    pairs += [(v, v) for v in rng.sample(pool, min(p["same"], len(pool)))]

    out, seen = [], set()

    def add(a, b):
        if (a, b) not in seen:
            seen.add((a, b))
            out.append((a, b))

    for a, b in edge:
        if ok[a] and ok[b]:
            add(a, b)
            add(b, a)
    for a, b in pairs:
        if rng.random() < 0.5:
            a, b = b, a
        add(a, b)
        if a != b and rng.random() < p["rev"]:
            add(b, a)

    ops = oracle.cmp(out)
    lines, quirks = [], []
    for (a, b), c in zip(out, ops):
        if scheme == "semver" and semver_spec_cmp(a, b) != c:
            quirks.append((a, b, c))
            continue
        lines.append(f"{a}\t{b}\t{'<=>'[c + 1]}")
    for line in lines:
        assert line.count("\t") == 2 and "\n" not in line and "\r" not in line, line
    return lines, dropped, quirks, {n: len(ordered[n]) for n in names}


# ------------------------------------------------------------------------- verify

def verify(scheme, oracle, path):
    with open(path) as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    bad = [r for r in rows if len(r) != 3 or r[2] not in "<=>" or len(r[2]) != 1]
    rows = [r for r in rows if r not in bad]
    # Checked through the oracle's own relational API (packaging: < == >;
    # semver: lt eq gt; dpkg: --compare-versions lt eq gt; rpm: labelCompare
    # and rpm.ver), not through the code path that produced the op.
    mism = [tuple(r) for r, good in zip(rows, oracle.check(rows)) if not good]
    return len(rows) + len(bad), bad, mism


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schemes", default="pep440,semver,dpkg,rpm")
    ap.add_argument("--tools", help="folder for the oracle tools and the fetched lists")
    ap.add_argument("--offline", action="store_true", help="use cached release lists only")
    ap.add_argument("--refetch", action="store_true", help="ignore cached release lists")
    ap.add_argument("--rpm-python", default=RPM_PYTHON, help="a python that can `import rpm`")
    ap.add_argument("--verify", action="store_true", help="only re-check the existing files")
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()
    status = 0
    for scheme in args.schemes.split(","):
        oracle = make_oracle(scheme, args)
        path = os.path.join(args.out, f"{scheme}.tsv")
        if not args.verify:
            lines, dropped, quirks, sizes = generate(scheme, oracle, args)
            with open(path, "w") as f:
                f.write("".join(line + "\n" for line in lines))
            print(f"{scheme}: {len(lines)} pairs, {os.path.getsize(path)} bytes, "
                  f"oracle {oracle.version()}", file=sys.stderr)
            print(f"  group sizes: {sizes}", file=sys.stderr)
            print(f"  dropped as invalid ({len(dropped)}): {dropped[:40]}", file=sys.stderr)
            for a, b, c in quirks:
                print(f"  dropped oracle/spec disagreement: {a} {b} oracle={c}", file=sys.stderr)
        n, bad, mism = verify(scheme, oracle, path)
        print(f"{scheme}: verified {n} lines: {len(bad)} malformed, {len(mism)} mismatches "
              f"(oracle {oracle.version()})", file=sys.stderr)
        for m in (bad + mism)[:20]:
            print(f"  {m}", file=sys.stderr)
        status |= bool(bad or mism)
    return status


if __name__ == "__main__":
    sys.exit(main())
