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

if $record; then
  {
    printf '\n## %s — %s\n\n' "$(date -u +%Y-%m-%d)" "$(git rev-parse --short HEAD)"
    printf 'Machine: %s cores, %s, %s\n\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(uname -sr)"
    printf 'Command: `bench/run.sh --record` · release binary: %s bytes\n\n' "$(stat -c %s "$bin")"
    cat bench/work/startup.md
  } >> bench/RESULTS.md
  echo "recorded in bench/RESULTS.md"
fi
