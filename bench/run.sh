#!/usr/bin/env bash
# supportctl benchmarks. Usage: bench/run.sh [--record]
#
# Builds the release binary and times each case with hyperfine (installed
# from Debian's packages when missing). With --record, the results table is
# appended to bench/RESULTS.md together with the command and the machine.
#
# Cases (later issues add theirs below):
#   startup   supportctl --version, and supportctl check <every shipped playbook>
#   scan      cleanup --dry-run over 200,000 files  vs  du -sb
#             (BENCH_FILES=N to change the size)
#   cleanup   cleanup of files older than 7d in that tree  vs  find -type f -mtime +7 -delete
#             (each run on a fresh hard-linked copy: see bench/fresh-copy.sh)
#   network   500 tcp checks against loopback (450 open, 50 that never answer, 1s timeout) with
#             the default --net-jobs (256)  vs  --net-jobs 4 (round one's limit for them)
#   http      500 http checks against loopback (450 answered by a local server, 50 ports that
#             accept and never answer, 1s timeout): the same two settings
#   bundle    256 MiB of generated logs (bench/gen_logs.py; BENCH_LOG_MIB=N to change, e.g. 1024
#             as rounds one and two recorded) into a zip:
#             no redaction, built-in rules, built-in + IP/e-mail pseudonyms
#             vs  zip -r -6  and  tar czf; then peak memory of each with /usr/bin/time
#   redact    supportctl redact (built-in + IP/e-mail pseudonyms) on BENCH_REDACT_MIB (8) MiB of
#             the generated logs  vs  sos clean (sosreport, from Debian's packages) on the same
#             file laid out as an sos report (one sos_logs/ folder); both write their output
#   logscan   the bundle case's 256 MiB of logs scanned for three patterns  vs  grep -c -E with the
#             same patterns; a time-ordered log as large over 100 days (bench/gen_timed_log.py)
#             scanned whole and with since = 24h (its last 1%: the window is found by binary
#             search); peak memory of the full scan with /usr/bin/time
#   longrun   4,000 and 12,000 `true` steps, each `when` the previous passed  vs  the same commands
#             from a bash loop; `check` of 12,000 steps each naming its 5 predecessors
#   history   what recording a run costs: a one-step run with and without --no-history; `history`,
#             `history --playbook --since` and `history stats` over 100,000 stored runs
#             (bench/gen_history.py); `suggest` over 500 generated playbooks on the search path
#   merge     report merge --format json of 10,000 generated JSON reports of 50 steps (bench/gen_reports.py:
#             about 236 MB; 1% copies, 3% another run of a host's playbook, 2% a second playbook)
#             vs  jq -c .summary over the same files (each report parsed once, nothing kept) and cat of
#             them (reading alone); medians; then peak memory (/usr/bin/time) at 1,000, 10,000 (also
#             --format csv, whose records keep every step's message) and 20,000 reports.
#             BENCH_MERGE_BEFORE=BIN adds another build (e.g. an older commit's) to both
#
# BENCH_CASES="startup scan cleanup network http bundle redact logscan longrun history merge" (the default) picks the cases;
# e.g. BENCH_CASES=bundle bench/run.sh --record re-measures only bundles.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=" ${BENCH_CASES:-startup scan cleanup network http bundle redact logscan longrun history merge} "
want() { [[ "$cases" == *" $1 "* ]]; }
rm -f bench/work/*.md
record=false
[ "${1:-}" = "--record" ] && record=true

if ! command -v hyperfine >/dev/null; then
  apt-get update -qq && apt-get install -y -qq hyperfine
fi
cargo build --release --quiet
bin=target/release/supportctl
mkdir -p bench/work
# Runs are recorded as usual (that cost is part of every figure), but in a
# history of the bench's own, never the user's.
bench_history="$PWD/bench/work/run-history/history.sqlite"
rm -rf "$(dirname "$bench_history")"
export SUPPORTCTL_HISTORY="$bench_history"
# Each case's wall time, fixtures it had to make included (bench/work keeps
# them for the next run): the bench is meant to run each case in under two
# minutes on the recorded machine.
declare -A began
case_begin() { began[$1]=$SECONDS; }
case_end() { printf '| %s | %s s |\n' "$1" $((SECONDS - began[$1])) >> bench/work/durations.txt; }
rm -f bench/work/durations.txt
shipped=$(ls playbooks/*.toml | xargs -n1 basename | sed 's/\.toml$//' | paste -sd' ')

# -N: no intermediate shell, so millisecond-scale commands are timed accurately.
if want startup; then
case_begin startup
hyperfine -N --warmup 5 --runs 100 --export-markdown bench/work/startup.md \
  -n startup "$bin --version" \
  -n "check all shipped ($shipped)" "$bin check $shipped"
case_end startup
fi

# A generated tree of N files (half older than 7 days) in bench/work/tree-N,
# made once and kept.
tree_of() {
  local tree="$PWD/bench/work/tree-$1"
  if [ ! -f "$tree/.complete" ]; then
    rm -rf "$tree"
    python3 bench/gen_tree.py "$tree" "$1" >/dev/null
    touch "$tree/.complete"
  fi
  echo "$tree"
}

if want scan; then
case_begin scan
files="${BENCH_FILES:-200000}"
tree=$(tree_of "$files")
hyperfine -N --warmup 2 --runs 10 --export-markdown bench/work/scan.md \
  -n "supportctl cleanup --dry-run ($files files)" "$bin run bench/cleanup.toml --dry-run --var root=$tree" \
  -n "du -sb" "du -sb $tree"
case_end scan
fi

if want cleanup; then
case_begin cleanup
files="${BENCH_FILES:-200000}"
tree=$(tree_of "$files")
copy="$PWD/bench/work/copy"
hyperfine -N --runs 5 --prepare "bench/fresh-copy.sh $tree $copy" --export-markdown bench/work/cleanup.md \
  -n "supportctl cleanup ($files files, half old)" "$bin run bench/cleanup.toml --var root=$copy" \
  -n "find -type f -mtime +7 -delete" "find $copy -type f -mtime +7 -delete"
rm -rf "$copy"
case_end cleanup
fi

# Generated logs of MIB MiB in DIR (bench/gen_logs.py), made once per size.
make_logs() {
  if [ ! -f "$1/.mib-$2" ]; then
    rm -rf "$1"
    python3 bench/gen_logs.py "$1" "$2"
    touch "$1/.mib-$2"
  fi
}

# Starts bench/net_targets.py in a fresh DIR with N answering and M silent
# ports (and the http targets), and waits until it has written DIR/ports.
start_targets() {
  rm -rf "$1" && mkdir -p "$1"
  python3 bench/net_targets.py "$1" "$2" "$3" &
  targets=$!
  trap 'kill $targets 2>/dev/null' EXIT
  while [ ! -f "$1/ports" ]; do sleep 0.1; done
}

if want network; then
case_begin network
net="$PWD/bench/work/net"
start_targets "$net" 450 50
read -r _ open_ports < <(grep '^open' "$net/ports")
read -r _ silent_ports < <(grep '^silent' "$net/ports")
{
  printf '[playbook]\nname = "net-bench"\n'
  for p in $open_ports $silent_ports; do
    printf '\n[[step]]\nid = "port-%s"\nkind = "tcp"\nhost = "127.0.0.1"\nport = %s\ntimeout = "1s"\n' "$p" "$p"
  done
} > "$net/net.toml"
hyperfine -N -i --runs 3 --export-markdown bench/work/network.md \
  -n "supportctl, 500 tcp checks (50 silent, 1s), defaults (--net-jobs 256)" "$bin run $net/net.toml -q" \
  -n "supportctl, 500 tcp checks, --net-jobs 4 (round one's default)" "$bin run $net/net.toml -q --net-jobs 4"
kill $targets 2>/dev/null || true
case_end network
fi

if want http; then
case_begin http
net="$PWD/bench/work/http"
start_targets "$net" 0 50
read -r _ web < <(grep '^http' "$net/ports")
read -r _ mute_ports < <(grep '^mute' "$net/ports")
urls=()
for i in $(seq 1 450); do urls+=("http://127.0.0.1:$web/check/$i"); done
for p in $mute_ports; do urls+=("http://127.0.0.1:$p/"); done
{
  printf '[playbook]\nname = "http-bench"\n'
  for u in "${urls[@]}"; do
    printf '\n[[step]]\nkind = "http"\nurl = "%s"\nbody_contains = "healthy"\ntimeout = "1s"\n' "$u"
  done
} > "$net/http.toml"
hyperfine -N -i --runs 3 --export-markdown bench/work/http.md \
  -n "supportctl, 500 http checks (50 silent, 1s), defaults (--net-jobs 256)" "$bin run $net/http.toml -q" \
  -n "supportctl, 500 http checks, --net-jobs 4 (round one's default)" "$bin run $net/http.toml -q --net-jobs 4"
kill $targets 2>/dev/null || true
case_end http
fi

if want bundle; then
case_begin bundle
mib="${BENCH_LOG_MIB:-256}"
logs="$PWD/bench/work/logs"
out="$PWD/bench/work/out"
make_logs "$logs" "$mib"
rm -rf "$out" && mkdir -p "$out"
# Every timed run goes through /usr/bin/time (about a millisecond against
# seconds), which appends its peak memory to $out/NAME.mem: no second pass.
# Each command writes its own file, removed before each of its runs, so the
# last run's output is there to be measured.
names=(plain builtin pseudonyms zip tar)
commands=(
  "$bin run bench/bundle-plain.toml -q --var root=$logs --var out=$out/plain.zip"
  "$bin run bench/bundle.toml -q --var root=$logs --var out=$out/builtin.zip"
  "$bin run bench/bundle-pseudonyms.toml -q --var root=$logs --var out=$out/pseudonyms.zip"
  "zip -r -6 -q $out/zip.zip $logs"
  "tar czf $out/tar.tgz -C $logs ."
)
outputs=(plain.zip builtin.zip pseudonyms.zip zip.zip tar.tgz)
labels=("supportctl bundle, no redaction ($mib MiB)" "supportctl bundle, built-in redaction"
  "supportctl bundle, built-in + IP/e-mail pseudonyms" "zip -r -6" "tar czf")
args=()
for i in "${!names[@]}"; do
  args+=(--prepare "rm -f $out/${outputs[$i]}" -n "${labels[$i]}"
    "/usr/bin/time -a -o $out/${names[$i]}.mem -f %M ${commands[$i]}")
done
hyperfine -N --runs 3 --export-markdown bench/work/bundle.md "${args[@]}"
{
  printf '| command | peak memory (max RSS of its runs) | output size |\n|---|---|---|\n'
  for i in "${!names[@]}"; do
    kib=$(sort -n "$out/${names[$i]}.mem" | tail -1)
    printf '| %s | %s MiB | %s MiB |\n' "${labels[$i]}" "$((kib / 1024))" "$(( $(stat -c %s "$out/${outputs[$i]}") / 1048576 ))"
  done
} > bench/work/bundle-mem.md
cat bench/work/bundle-mem.md
rm -rf "$out"
case_end bundle
fi

if want redact; then
case_begin redact
command -v sos >/dev/null || { apt-get update -qq && apt-get install -y -qq sosreport; }
mib="${BENCH_REDACT_MIB:-8}"
logs="$PWD/bench/work/logs-redact"
make_logs "$logs" "$mib"
sosdir="$PWD/bench/work/sos-target"
sostmp="$PWD/bench/work/sos-tmp"
cat "$logs"/*.log > "$PWD/bench/work/redact-all.log"
# sos clean moves its target into --tmp-dir: lay it out afresh before each run.
fresh="rm -rf $sostmp $sosdir && mkdir -p $sostmp $sosdir/sos_logs && cp $PWD/bench/work/redact-all.log $sosdir/all.log"
hyperfine --runs 3 --prepare "$fresh" --export-markdown bench/work/redact.md \
  -n "supportctl redact --ip --emails ($mib MiB)" "$bin redact --ip --emails $sosdir/all.log" \
  -n "sos clean (sosreport $(dpkg-query -W -f '${Version}' sosreport))" "sos clean $sosdir --batch --tmp-dir $sostmp"
rm -rf "$sostmp" "$sosdir"
rm -rf "$sostmp"
case_end redact
fi

if want logscan; then
case_begin logscan
mib="${BENCH_LOG_MIB:-256}"
logs="$PWD/bench/work/logs"
make_logs "$logs" "$mib"
timed="$PWD/bench/work/timed"
mkdir -p "$timed"
# Regenerated each time: its lines end "now", so the 24h window is its last 1%.
python3 bench/gen_timed_log.py "$timed/app.log" "$mib" 100
files=$(ls $logs/*.log | paste -sd' ')
rare='password=|denied|Failed password'
dense=' 500 [0-9]+ |password=|Link is Up'
hyperfine -N --output=pipe --warmup 1 --runs 5 --export-markdown bench/work/logscan.md \
  -n "supportctl logscan, 3 rare patterns ($mib MiB in 40 files)" "$bin run bench/logscan.toml -q --var root=$logs --var 'pattern=$rare'" \
  -n "grep -c -E, the same rare patterns" "grep -c -E '$rare' $files" \
  -n "supportctl logscan, 3 patterns matching 13% of lines" "$bin run bench/logscan.toml -q --var root=$logs --var 'pattern=$dense'" \
  -n "grep -c -E, the same dense patterns" "grep -c -E '$dense' $files"
hyperfine -N --warmup 1 --runs 5 --export-markdown bench/work/logscan-window.md \
  -n "supportctl logscan, whole time-ordered log ($mib MiB, 100 days)" "$bin run bench/logscan.toml -q --var root=$timed" \
  -n "supportctl logscan, since = 24h (its last 1%)" "$bin run bench/logscan-window.toml -q --var root=$timed"
{
  echo
  echo "Peak memory (max RSS, /usr/bin/time -v):"
  echo
  kb=$( { /usr/bin/time -v "$bin" run bench/logscan.toml -q --var root="$logs" --var "pattern=$dense" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
  echo "- supportctl logscan over $mib MiB: $((kb / 1024)) MiB"
} > bench/work/logscan-memory.md
case_end logscan
fi

if want longrun; then
case_begin longrun
long="$PWD/bench/work/long"
for n in 4000 12000; do python3 bench/gen_long.py "$long" "$n"; done
hyperfine -N --runs 3 --export-markdown bench/work/longrun.md \
  -n "supportctl, 4,000 steps" "$bin run $long/run-4000.toml -q" \
  -n "bash loop, 4,000 commands" "bash $long/loop-4000.sh" \
  -n "supportctl, 12,000 steps" "$bin run $long/run-12000.toml -q" \
  -n "bash loop, 12,000 commands" "bash $long/loop-12000.sh"
hyperfine -N --runs 5 --export-markdown bench/work/longcheck.md \
  -n "supportctl check, 12,000 steps naming 5 predecessors each" "$bin check $long/check-12000.toml"
case_end longrun
fi

if want history; then
case_begin history
hist="$PWD/bench/work/history"
rm -rf "$hist" && mkdir -p "$hist/books"
printf '[[step]]\nkind = "command"\ncommand = ["true"]\n' > "$hist/one.toml"
export SUPPORTCTL_HISTORY="$hist/db/history.sqlite"
"$bin" run "$hist/one.toml" -q > /dev/null
hyperfine -N --warmup 5 --runs 60 --export-markdown bench/work/history-record.md \
  -n "run, one step, --no-history" "$bin run $hist/one.toml -q --no-history" \
  -n "run, one step, recorded" "$bin run $hist/one.toml -q"
python3 bench/gen_history.py "$SUPPORTCTL_HISTORY" 100000
hyperfine -N --warmup 3 --runs 30 --export-markdown bench/work/history-query.md \
  -n "history (20 newest of 100,000)" "$bin history" \
  -n "history --playbook disk-full --since 30d" "$bin history --playbook disk-full --since 30d" \
  -n "history --ticket INC00042" "$bin history --ticket INC00042" \
  -n "history stats (100,000 runs)" "$bin history stats"
python3 bench/gen_playbooks.py "$hist/books" 500
SUPPORTCTL_PATH="$hist/books" hyperfine -N --warmup 3 --runs 30 --export-markdown bench/work/suggest.md \
  -n "suggest over 500 playbooks + shipped" "$bin suggest the scanner keeps crashing"
export SUPPORTCTL_HISTORY="$bench_history"
case_end history
fi

if want merge; then
case_begin merge
reports="$PWD/bench/work/reports"
if [ ! -f "$reports/.n-20000" ]; then
  rm -rf "$reports"
  python3 bench/gen_reports.py "$reports" 20000
  touch "$reports/.n-20000"
fi
# Folders of 1,000 reports each: part-00 is 1,000, part-00..09 10,000, all 20,000.
one="$reports/part-00"
ten=$(echo "$reports"/part-0?)
all=$(echo "$reports"/part-??)
megabytes() { echo $(( $(du -sbc $1 | tail -1 | cut -f1) / 1000000 )); }
command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq jq; }
before="${BENCH_MERGE_BEFORE:-}"
runs=(-n "supportctl report merge, 10,000 reports ($(megabytes "$ten") MB), --format json" "$bin report merge $ten --format json")
[ -n "$before" ] && runs+=(-n "the same with $before" "$before report merge $ten --format json")
hyperfine -N --warmup 1 --runs 5 --export-markdown bench/work/merge.md --export-json bench/work/merge.json "${runs[@]}" \
  -n "jq -c .summary over the same files (each parsed once)" "find $ten -name *.json -exec jq -c .summary {} +" \
  -n "cat of the same files" "find $ten -name *.json -exec cat {} +"
python3 - bench/work/merge.json > bench/work/merge-median.md <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
merge, base = results[0]["median"], results[-2]["median"]
print("Medians: " + "; ".join(f"`{r['command']}` {r['median']:.2f} s" for r in results) + ".")
print(f"\nsupportctl report merge / jq -c .summary: {merge / base:.2f} (medians).")
if len(results) == 4:
    print(f"This build against BENCH_MERGE_BEFORE: {results[1]['median'] / merge:.2f}x faster (medians).")
PY
cat bench/work/merge-median.md
{
  printf 'Peak memory of report merge, one run each (`/usr/bin/time -f "%%e %%M"`):\n\n'
  printf '| build | reports | JSON read | format | wall time | peak memory (max RSS) |\n|---|---:|---:|---|---:|---:|\n'
  for b in "$bin" $before; do
    for set in "1,000|json|$one" "10,000|json|$ten" "10,000|csv|$ten" "20,000|json|$all"; do
      IFS='|' read -r n format dirs <<<"$set"
      /usr/bin/time -f "%e %M" -o bench/work/merge-time $b report merge $dirs --format "$format" >/dev/null
      read -r secs kib < bench/work/merge-time
      printf '| %s | %s | %s MB | %s | %s s | %s MiB |\n' "$b" "$n" "$(megabytes "$dirs")" "$format" "$secs" "$((kib / 1024))"
    done
  done
} > bench/work/merge-mem.md
cat bench/work/merge-mem.md
case_end merge
fi

if $record; then
  {
    printf '\n## %s — %s\n\n' "$(date -u +%Y-%m-%d)" "$(git rev-parse --short HEAD)"
    printf 'Machine: %s cores, %s, %s\n\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(uname -sr)"
    printf 'Command: `%s%sBENCH_CASES="%s" bench/run.sh --record` · release binary: %s bytes\n\n' "${BENCH_LOG_MIB:+BENCH_LOG_MIB=$BENCH_LOG_MIB }" "${BENCH_MERGE_BEFORE:+BENCH_MERGE_BEFORE=$BENCH_MERGE_BEFORE }" "$(echo $cases)" "$(stat -c %s "$bin")"
    printf 'Cases: %s\n\n' "$(echo $cases)"
    for md in startup scan cleanup network http bundle redact logscan logscan-window logscan-memory longrun longcheck history-record history-query suggest merge merge-median merge-mem; do
      if [ -f "bench/work/$md.md" ]; then cat "bench/work/$md.md"; printf '\n'; fi
    done
    if [ -f bench/work/bundle-mem.md ]; then
      printf 'Peak memory of the bundle runs above (`/usr/bin/time -f %%M` around each):\n\n'
      cat bench/work/bundle-mem.md
    fi
    if [ -f bench/work/durations.txt ]; then
      printf '\nEach case'"'"'s wall time in this run (`tree`: making the scan and cleanup fixture, when it was missing):\n\n| case | wall time |\n|---|---:|\n'
      cat bench/work/durations.txt
    fi
  } >> bench/RESULTS.md
  echo "recorded in bench/RESULTS.md"
fi
