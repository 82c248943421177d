#!/usr/bin/env bash
# Runs every fuzz target for a few seconds (default 10): the CI smoke run.
# Long runs: `cargo +nightly fuzz run TARGET corpus/TARGET seeds/TARGET -- -max_total_time=600`.
# Uses nightly when present, else the stable toolchain with
# RUSTC_BOOTSTRAP=1 and no sanitizer (the coverage instrumentation needs
# unstable flags either way).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-10}"
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  run=(cargo +nightly fuzz run)
else
  export RUSTC_BOOTSTRAP=1
  run=(cargo fuzz run --sanitizer none)
fi
for target in $(cargo fuzz list); do
  echo "fuzz: $target for ${seconds}s"
  mkdir -p "corpus/$target"
  "${run[@]}" "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 2>&1 | tail -n 3
done
