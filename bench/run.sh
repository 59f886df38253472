#!/usr/bin/env bash
# supportctl benchmarks. Usage: bench/run.sh [--record]
#
# Builds the release binary and times each case with hyperfine (installed
# from Debian's packages when missing). With --record, the results table is
# appended to bench/RESULTS.md together with the command and the machine.
#
# Cases (later issues add theirs below):
#   startup   supportctl --version
#   check     supportctl check <every shipped playbook>
#   scan      cleanup --dry-run over 200,000 files  vs  du -sb
#   cleanup   cleanup of files older than 7d        vs  find -type f -mtime +7 -delete
#             (each run on a fresh copy of the same tree; BENCH_FILES=N to change the size;
#             the copies make a full run take about 8 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
record=false
[ "${1:-}" = "--record" ] && record=true

if ! command -v hyperfine >/dev/null; then
  apt-get update -qq && apt-get install -y -qq hyperfine
fi
cargo build --release --quiet
bin=target/release/supportctl
mkdir -p bench/work
shipped=$(ls playbooks/*.toml | xargs -n1 basename | sed 's/\.toml$//' | paste -sd' ')

# -N: no intermediate shell, so millisecond-scale commands are timed accurately.
hyperfine -N --warmup 5 --runs 100 --export-markdown bench/work/startup.md \
  -n startup "$bin --version" \
  -n "check all shipped ($shipped)" "$bin check $shipped"

files="${BENCH_FILES:-200000}"
tree="$PWD/bench/work/tree"
copy="$PWD/bench/work/copy"
if [ ! -f "$tree/.files-$files" ]; then
  rm -rf "$tree"
  python3 bench/gen_tree.py "$tree" "$files"
  touch "$tree/.files-$files"
fi
hyperfine -N --warmup 2 --runs 10 --export-markdown bench/work/scan.md \
  -n "supportctl cleanup --dry-run ($files files)" "$bin run bench/cleanup.toml --dry-run --var root=$tree" \
  -n "du -sb" "du -sb $tree"
hyperfine -N --runs 5 --prepare "bench/fresh-copy.sh $tree $copy" --export-markdown bench/work/cleanup.md \
  -n "supportctl cleanup ($files files, half old)" "$bin run bench/cleanup.toml --var root=$copy" \
  -n "find -type f -mtime +7 -delete" "find $copy -type f -mtime +7 -delete"
rm -rf "$copy"

if $record; then
  {
    printf '\n## %s — %s\n\n' "$(date -u +%Y-%m-%d)" "$(git rev-parse --short HEAD)"
    printf 'Machine: %s cores, %s, %s\n\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(uname -sr)"
    printf 'Command: `bench/run.sh --record` · release binary: %s bytes\n\n' "$(stat -c %s "$bin")"
    cat bench/work/startup.md
    printf '\n'
    cat bench/work/scan.md
    printf '\n'
    cat bench/work/cleanup.md
  } >> bench/RESULTS.md
  echo "recorded in bench/RESULTS.md"
fi
