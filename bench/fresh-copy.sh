#!/usr/bin/env bash
# hyperfine --prepare helper (it runs without a shell under -N): replaces
# DST with a fresh copy of SRC, so each destructive run starts identical.
set -euo pipefail
rm -rf "$2"
cp -a "$1" "$2"
