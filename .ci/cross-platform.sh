#!/usr/bin/env bash
# Proves the Windows and macOS builds: type-checks both targets with
# Debian's Rust (std built from source, since rustup cannot download target
# std here), then builds the Windows binary and runs a smoke playbook under
# Wine. Called by .ci/run; fails CI when any part fails.
#
# Artefacts go to a target directory outside the checkout
# ($SUPPORTCTL_CROSS_TARGET, default /var/tmp/supportctl-cross-target) so a
# warm machine reuses them across CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(rustc-web cargo-web rust-web-src binutils-mingw-w64-x86-64 gcc-mingw-w64-x86-64 wine64 openssl)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export CARGO_TARGET_DIR="${SUPPORTCTL_CROSS_TARGET:-/var/tmp/supportctl-cross-target}"
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_X86_64_WIN7_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
cargo=/usr/bin/cargo
build_std=(-Zbuild-std=std,panic_abort)

for target in x86_64-pc-windows-gnu aarch64-apple-darwin; do
  echo "==> type-check $target"
  "$cargo" check --quiet --locked "${build_std[@]}" --target "$target" --lib --bins
done

echo "==> build for Windows (x86_64-win7-windows-gnu: Wine 8 lacks bcryptprimitives.dll)"
"$cargo" build --quiet --locked "${build_std[@]}" --target x86_64-win7-windows-gnu --bin supportctl
exe="$CARGO_TARGET_DIR/x86_64-win7-windows-gnu/debug/supportctl.exe"

prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
export WINEPREFIX="$prefix/wine" WINEDEBUG=-all
wine=/usr/lib/wine/wine64
echo "==> initialise the Wine prefix"
timeout 300 "$wine" cmd.exe /C "echo wine ready" </dev/null

run() { timeout 120 "$wine" "$exe" "$@" </dev/null; }

echo "==> supportctl --version / facts under Wine"
run --version
run facts --format json > "$prefix/facts.json"
python3 - "$prefix/facts.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
assert f["os"] == "windows", f["os"]
assert f["system_drive"].endswith(":\\"), f["system_drive"]
assert f["cpus"] >= 1 and f["memory_total_bytes"] > 0, f
import re
assert re.fullmatch(r"\d+\.\d+\.\d+", f["os_version"]), f"os_version in NT form: {f['os_version']}"
net = f["network"]
assert any(i["addresses"] for i in net["interfaces"]), f"no interface with an address: {net}"
print("facts ok:", f["os_name"], f["os_version"], f["system_drive"],
      "| network:", len(net["interfaces"]), "interfaces, gateway", net["gateway"], "dns", net["dns_servers"])
PY

echo "==> smoke playbook under Wine"
# An installed program as Apps lists it, for the `software` step's registry lookup.
key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\SmokeTool'
timeout 60 "$wine" reg add "$key" /v DisplayName /d "Smoke Tool" /f </dev/null >/dev/null
timeout 60 "$wine" reg add "$key" /v DisplayVersion /d "3.2.1" /f </dev/null >/dev/null
cp .ci/windows/smoke.toml "$prefix/smoke.toml"
set +e
run run 'Z:'"$prefix/smoke.toml" --format json > "$prefix/report.json"
code=$?
set -e
python3 - "$prefix/report.json" "$code" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
steps = {s["id"]: s for p in report["playbooks"] for s in p["steps"]}
want = {
    "is-windows": "pass", "not-unix": "skipped", "shell-pipeline": "pass",
    "shell-quoting": "pass", "system-drive": "pass", "write-marker": "pass",
    "read-marker": "pass", "exit-code": "pass", "system-disk": "pass",
    "software-cmd": "pass", "requirements": "pass", "software-registry": "pass", "dns-localhost": "pass", "ping-loopback": "pass",
    "service-query": "pass", "service-missing": "pass", "spooler-start": "pass", "spooler-restart": "pass",
    "spooler-stop": "pass", "spooler-stopped": "pass", "no-failed-services": "pass", "wine-services-process": "pass",
    "start-pinger": "pass", "pinger-running": "pass", "kill-pinger": "pass", "pinger-gone": "pass",
}
bad = [f"{k}: {steps[k]['status']} ({steps[k]['message']})" for k, v in want.items() if steps[k]["status"] != v]
k = steps["kill-pinger"]
if "forced" not in k["message"] and "exited when asked" not in k["message"]:
    bad.append(f"kill-pinger did not say how the process was stopped: {k['message']}")
t = steps["timeout-kills"]
if t["status"] != "error" or "timed out" not in t["message"]:
    bad.append(f"timeout-kills: {t['status']} ({t['message']})")
if bad:
    sys.exit("smoke failures:\n  " + "\n  ".join(bad))
assert sys.argv[2] == "3", f"exit code {sys.argv[2]}, expected 3 (one step errored by design)"
print(f"smoke ok: {len(steps)} steps as expected")
PY

echo "==> the run history under Wine: the smoke run is recorded, listed and shown again"
run history --format json > "$prefix/history.json"
run history show last --format json > "$prefix/shown.json"
python3 - "$prefix/history.json" "$prefix/shown.json" "$prefix/report.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
shown = json.load(open(sys.argv[2]))
report = json.load(open(sys.argv[3]))
assert runs and runs[0]["run_id"] == report["run_id"], (runs[:1], report["run_id"])
assert shown["run_id"] == report["run_id"] and len(shown["playbooks"][0]["steps"]) == len(report["playbooks"][0]["steps"])
print(f"history ok: {len(runs)} run(s), the smoke run shown again")
PY

echo "==> shipped playbooks under Wine: each loads as Windows sees it; wifi, print-spooler, updates and sign-in run"
# What Wine can answer: the Service Control Manager (the print spooler),
# `netsh wlan` (Wine has no WLAN service: no adapter), SNTP and TCP. The
# Windows-only steps Wine cannot answer (PowerShell, Get-PrintJob, the
# directory, Windows Update's search) are covered by recorded outputs in the
# tests and say so in their playbooks.
for name in $(run list --format json | python3 -c "import json,sys; print(' '.join(p['name'] for p in json.load(sys.stdin) if p['source'].startswith('shipped')))"); do
  run check "$name" > /dev/null || { echo "shipped playbook $name does not load under Wine"; exit 1; }
done
python3 .ci/windows/sntp.py 600 "$prefix/sntp.port" &
sntp=$!
trap '[ -n "$sntp" ] && kill "$sntp" 2>/dev/null; rm -rf "$prefix"' EXIT
while [ ! -s "$prefix/sntp.port" ]; do sleep 0.1; done
closed_udp=$(python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
set +e
run run wifi --format json > "$prefix/wifi.json"
run run print-spooler --dry-run --format json > "$prefix/spooler.json"
# min_free at 1 MB: the check is about the service; how full the CI
# machine's disk happens to be must not decide which cause comes first.
run run updates --dry-run --format json --var "min_free=1 MB" > "$prefix/updates.json"
# Every target on loopback: the time server 10 minutes ahead (this clock behind), a DNS server
# that is not there, a domain controller with nothing listening.
run run sign-in --dry-run --format json --var domain=corp.test --var dc=127.0.0.1 \
  --var "time_server=127.0.0.1:$(cat "$prefix/sntp.port")" --var "dns_server=127.0.0.1:$closed_udp" > "$prefix/sign-in.json"
set -e
kill "$sntp" 2>/dev/null || true
wait "$sntp" 2>/dev/null || true
sntp=
python3 - "$prefix" <<'PY'
import json, sys
def load(name):
    report = json.load(open(f"{sys.argv[1]}/{name}.json"))
    return report, {s["id"]: s for s in report["playbooks"][0]["steps"]}, report["conclusions"][0]
report, steps, c = load("wifi")
assert steps["wifi"]["status"] == "fail" and steps["wifi"]["reason"] == "no_adapter", steps["wifi"]
assert c["id"] == "no-adapter" and c["tell_user"], c
report, steps, c = load("spooler")
assert steps["spooler"]["reason"] == "not_running", steps["spooler"]
assert c["id"] == "spooler-down" and c["tell_user"], c
assert steps["clear-print-queue"]["status"] == "skipped", steps["clear-print-queue"]
report, steps, c = load("updates")
# Wine's wuauserv is stopped, starts on demand: the search leaves it
# stopped, the resolver that would start it is previewed.
assert steps["update-service"]["reason"] == "not_running", steps["update-service"]
assert steps["update-failures-windows"]["status"] == "pass", steps["update-failures-windows"]
assert steps["system-disk"]["status"] == "pass", steps["system-disk"]
assert c["id"] == "update-service-stopped" and c["tell_user"], c
assert all(f["status"] != "pass" for f in c["fixes"]), c["fixes"]
report, steps, c = load("sign-in")
assert steps["clock"]["status"] == "fail" and steps["clock"]["reason"] == "skew", steps["clock"]
assert "10m behind 127.0.0.1:" in steps["clock"]["message"], steps["clock"]["message"]
assert c["id"] == "clock-skew" and c["tell_user"], c
assert any("sync-clock-windows" in f["step"] for f in c["fixes"]), c["fixes"]
assert steps["kerberos"]["reason"] == "refused", steps["kerberos"]
print("shipped playbooks ok: all load; wifi: no adapter; print-spooler: spooler down (dry run); updates: service stopped (dry run); sign-in: clock 10m behind")
PY

echo "==> http steps under Wine: plain, TLS verified with a CA file, untrusted, silent"
certs="$prefix/certs"
mkdir -p "$certs"
(
  cd "$certs"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -days 30 -subj "/CN=supportctl smoke CA" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
    -subj /CN=localhost 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext
  openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 20 \
    -extfile ext 2>/dev/null
)
python3 .ci/windows/http_targets.py "$certs" "$certs/leaf.pem" "$certs/leaf.key" &
http_targets=$!
# The trap kills the targets only while they run: a pid killed twice may
# by then belong to another process.
trap '[ -n "$http_targets" ] && kill "$http_targets" 2>/dev/null; rm -rf "$prefix"' EXIT
while [ ! -f "$certs/ports" ]; do sleep 0.1; done
port() { awk -v k="$1" '$1 == k {print $2}' "$certs/ports"; }
cp .ci/windows/http.toml "$prefix/http.toml"
set +e
run run 'Z:'"$prefix/http.toml" --format json --var "plain_port=$(port plain)" --var "tls_port=$(port tls)" \
  --var "mute_port=$(port mute)" --var 'ca=Z:'"$certs/ca.pem" > "$prefix/http.json"
set -e
kill "$http_targets" 2>/dev/null || true
wait "$http_targets" 2>/dev/null || true
http_targets=
python3 - "$prefix/http.json" <<'PY'
import json, sys
steps = {s["id"]: s for s in json.load(open(sys.argv[1]))["playbooks"][0]["steps"]}
def check(id, status, text):
    s = steps[id]
    assert s["status"] == status and text in s["message"], f"{id}: {s['status']} ({s['message']})"
check("http-plain", "pass", "-> 200 OK")
check("https-with-ca", "pass", "certificate of localhost expires in")
check("https-untrusted", "fail", "certificate is not trusted")
check("http-mute", "fail", "accepted the connection but sent no response within 1s")
print("http ok: plain, TLS with ca_file (rustls under Wine), untrusted, silent server")
PY

echo "==> cleanup of a C:\\ folder under Wine: dry run, then for real"
junk="$WINEPREFIX/drive_c/smoke-clean"
rm -rf "$junk"
timeout 60 "$wine" cmd.exe /C 'mkdir C:\smoke-clean\sub & echo x> C:\smoke-clean\a.tmp & echo y> C:\smoke-clean\sub\b.tmp & echo z> C:\smoke-clean\c.keep' </dev/null
cp .ci/windows/cleanup.toml "$prefix/cleanup.toml"
run run 'Z:'"$prefix/cleanup.toml" --dry-run --format json > "$prefix/dry.json"
[ -f "$junk/a.tmp" ] && [ -f "$junk/sub/b.tmp" ] || { echo "the dry run deleted files"; exit 1; }
grep -q '"would free' "$prefix/dry.json" || { echo "no preview in the dry run"; cat "$prefix/dry.json"; exit 1; }
run run 'Z:'"$prefix/cleanup.toml" --format json > "$prefix/real.json"
[ ! -e "$junk/a.tmp" ] && [ ! -e "$junk/sub" ] && [ -f "$junk/c.keep" ] && [ -d "$junk" ] \
  || { echo "cleanup did not do what it should"; ls -laR "$junk"; cat "$prefix/real.json"; exit 1; }
echo "cleanup ok: dry run kept everything, the real run removed 2 files and 1 folder, kept c.keep and the root"

echo "==> bundle of a C:\\ folder under Wine, then the zip opened on Linux"
src="$WINEPREFIX/drive_c/smoke-bundle"
rm -rf "$src"
mkdir -p "$src/logs/sub"
printf 'service started\r\nDB password=WinePlantedPass from 10.9.8.7\r\n' > "$src/logs/app.log"
printf 'not collected\r\n' > "$src/logs/sub/x.skip"
printf 'top-level note\r\n' > "$src/note.txt"
# A UTF-16 log, as Windows often writes them.
python3 -c "import sys; open(sys.argv[1],'wb').write('\ufeffapi_key=WineUtf16Secret\r\n'.encode('utf-16-le'))" "$src/logs/sub/utf16.log"
cp .ci/windows/bundle.toml "$prefix/bundle.toml"
run run 'Z:'"$prefix/bundle.toml" --format json > "$prefix/bundle.json" \
  || { echo "the bundle run failed"; cat "$prefix/bundle.json"; exit 1; }
zip=$(ls "$src"/out/support-*.zip)
(cd "$src/out" && sha256sum -c "$(basename "$zip").sha256")
python3 tests/consumers/zip_check.py "$zip" > "$prefix/names.txt"
python3 - "$zip" "$prefix/names.txt" "$prefix/bundle.json" <<'PY'
import json, sys, zipfile
zip_path, names_path, report_path = sys.argv[1:4]
names = open(names_path).read().split()
for want in ["files/C/smoke-bundle/logs/app.log", "files/C/smoke-bundle/logs/sub/utf16.log",
             "files/C/smoke-bundle/note.txt", "commands/ver.txt", "commands/echo.txt",
             "facts.json", "report.json", "report.md", "manifest.json"]:
    assert want in names, f"{want} missing from {names}"
assert not any(n.endswith(".skip") for n in names), names
z = zipfile.ZipFile(zip_path)
everything = b"".join(z.read(n) for n in names)
for secret in [b"WinePlantedPass", b"WineUtf16Secret", b"WineCommandSecret", b"10.9.8.7"]:
    assert secret not in everything, f"{secret!r} reached the archive"
assert z.read("files/C/smoke-bundle/logs/app.log") == b"service started\r\nDB password=[REDACTED:password] from ip4-1\r\n"
assert z.read("files/C/smoke-bundle/logs/sub/utf16.log") == b"api_key=[REDACTED:password]\r\n"
assert b"Wine" in z.read("commands/ver.txt") or b"Windows" in z.read("commands/ver.txt")
report = json.loads(z.read("report.json"))
assert report["playbooks"][0]["steps"][0]["id"] == "marker", report
outer = json.load(open(report_path))
assert outer["playbooks"][0]["steps"][1]["status"] == "pass", outer
print(f"bundle ok: {len(names)} entries, secrets redacted, UTF-16 converted, opened by zipfile")
PY
