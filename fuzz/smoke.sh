#!/usr/bin/env bash
# Runs every fuzz target for a few seconds (default 10): the CI smoke run.
# Long runs: `cargo +nightly fuzz run TARGET corpus/TARGET seeds/TARGET -- -max_total_time=600`.
# Uses nightly when present, else the stable toolchain with
# RUSTC_BOOTSTRAP=1 and no sanitizer (the coverage instrumentation needs
# unstable flags either way).
# All targets are built first, so a build failure is told apart from a
# finding; a failing run prints its whole tail and the free disk space.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-10}"
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
  sanitizer=()
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
  sanitizer=(--sanitizer none)
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "${fuzz[@]}" build "${sanitizer[@]}" >"$log" 2>&1; then
  echo "fuzz: building the targets failed:"
  tail -n 40 "$log"
  df -h . | tail -n 1
  exit 1
fi
for target in $(cargo fuzz list); do
  echo "fuzz: $target for ${seconds}s"
  mkdir -p "corpus/$target"
  if ! "${fuzz[@]}" run "${sanitizer[@]}" "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1; then
    grep -v '^"' "$log" | tail -n 60
    df -h . | tail -n 1
    echo "fuzz: $target failed; the input is under fuzz/artifacts/$target/"
    exit 1
  fi
  tail -n 1 "$log"
done
