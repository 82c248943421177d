#!/usr/bin/env bash
# Query benchmark: writes a synthetic proxy + firewall + auth lake of ROWS
# rows (4 tenants, 7 days, through the lake's own commit path) and runs a
# fixed set of detection-style and analyst queries with `bannin sql` and
# with DuckDB on the same Parquet files, printing per query the best of 3
# runs of each, their ratio, whether both answered the same, and the
# geometric mean of the ratios.
#
#   ROWS=10000000 bash benches/query.sh
#
# The lake is kept in ${BENCH_DIR:-/tmp}/bannin-query-bench-ROWS and
# reused by the next run with the same ROWS (delete it to regenerate).
# COMMIT_ROWS (default 500000) bounds the rows of one commit, so of one
# file per table and partition. Needs DuckDB for Python: pip install duckdb pytz.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${ROWS:-10000000}
commit_rows=${COMMIT_ROWS:-500000}
dir=${BENCH_DIR:-/tmp}/bannin-query-bench-$rows

python3 -c 'import duckdb, pytz' 2>/dev/null || { echo "DuckDB missing: pip install duckdb pytz" >&2; exit 1; }
# One build of both, so they share features (and artifacts) with `bannin`.
cargo build --release --quiet -p bannin -p bannin-benches --bin bannin --bin synthetic-lake

if [[ ! -f "$dir/summary" ]]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    target/release/synthetic-lake "$dir" "$rows" "$commit_rows" >"$dir/summary.tmp"
    mv "$dir/summary.tmp" "$dir/summary"
fi
summary=$(cat "$dir/summary")
echo "lake: $summary"
field() { tr ' ' '\n' <<<"$summary" | sed -n "s/^$1=//p"; }

python3 benches/query.py "$PWD/target/release/bannin" "$dir" "$(field probe_ip)" "$(field last_day)"
