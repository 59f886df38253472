#!/usr/bin/env bash
# Runs the Ansible example (examples/ansible) against this machine
# (inventory: localhost with ansible_connection=local), then checks what came
# back to the "controller": the JSON report, the bundle (opened by Python's
# zipfile), and `supportctl report merge` over the fetched reports.
# Called by .ci/run; needs ansible-core from PyPI and the debug binary.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python3 -m pip install --quiet --disable-pip-version-check "ansible-core>=2.16,<2.18"
cargo build --quiet
bin="$root/target/debug/supportctl"
rm -rf examples/ansible/reports /tmp/supportctl
(
  cd examples/ansible
  LC_ALL=C.UTF-8 ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=default \
    ansible-playbook -i inventory.ini site.yml \
      -e "supportctl_binary=$bin" -e supportctl_playbook_file=files/fleet-check.toml
)
reports=examples/ansible/reports
test -s "$reports/localhost/report.json" || { echo "no report fetched"; exit 1; }
zip=$(ls "$reports"/localhost/bundles/*.zip)
python3 tests/consumers/zip_check.py "$zip" > /dev/null
(cd "$reports/localhost/bundles" && sha256sum -c ./*.sha256)
"$bin" report merge "$reports" --format json > /tmp/supportctl-merged.json
python3 - /tmp/supportctl-merged.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert len(m["hosts"]) == 1, m["hosts"]
assert not [p for p in m["problems"] if p["rejected"]], m["problems"]
assert m["summary"]["fail"] == 0 and m["summary"]["pass"] >= 3, m["summary"]
print("ansible ok:", m["hosts"][0]["host"], m["summary"])
PY
grep -q "host(s)" "$reports/merged.md"
