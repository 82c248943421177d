#!/usr/bin/env bash
# End-to-end ingest benchmark: syslog-ng's loggen sends TCP syslog for
# SECONDS seconds, first to `bannin serve` (into committed Parquet), then
# in the same run to syslog-ng writing a plain file, and prints one line
# each: messages sent, messages found, loss, sustained rate (messages found
# divided by the time from the first message until the last was committed
# or written), peak RSS, and for bannin the bytes on disk against the raw
# bytes received; under each, the receiver's CPU seconds (user + system)
# per message and the CPU loggen used to send to it. A last line sends the
# same stream to a receiver that only discards it: loggen's own ceiling on
# this machine, which no receiver can pass.
#
# bannin is stopped (SIGINT) as soon as it has received all that loggen
# sent, and its time ends when it exits: stopping commits what is pending,
# so the time includes the last commit but not the idle wait for the age
# flush (up to `flush_seconds`, 5 s by default) that a stream's last rows
# would otherwise sit through with nothing left to do.
#
#   bash benches/ingest.sh [SECONDS] [CONNECTIONS] [SIZE]
#
# defaults: 60 s, 2 connections, 200-byte RFC 5424 messages with octet
# counting (loggen --syslog-proto). MIXED=1 sends a realistic mixed day
# (syslog, auth, proxy, firewall lines from the synthetic municipality)
# with `loggen --read-file` instead, to measure bytes on disk on real-looking
# text. Needs loggen and syslog-ng (.ci/install-syslog-ng unpacks both).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
connections=${2:-2}
size=${3:-200}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/bannin-ingest-bench.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

command -v loggen >/dev/null || { echo "loggen missing: run .ci/install-syslog-ng as root" >&2; exit 1; }
# BANNIN=path runs another build of bannin (side by side with this one).
if [[ -n "${BANNIN:-}" ]]; then
    bannin=$(realpath "$BANNIN")
else
    cargo build --release --quiet --bin bannin
    bannin=$PWD/target/release/bannin
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
peak_rss_mib() { awk '/VmHWM/ { printf "%.0f", $2/1024 }' "/proc/$1/status"; }
now() { date +%s.%N; }
# CPU seconds (user + system) a running process has used.
cpu_secs() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
# CPU seconds (user + system) of this shell's finished children so far,
# into file $1 (`times` must run in this shell, not in a subshell).
children_cpu() { times >"$1.times"; tail -1 "$1.times" | awk '{ for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } printf "%.2f", s }' >"$1"; }

loggen_args=(--inet --stream --rate 10000000 --interval "$seconds" --active-connections "$connections")
if [[ "${MIXED:-0}" == 1 ]]; then
    cargo run --release --quiet -p bannin-benches --bin municipal-day -- "$work/day.log"
    loggen_args+=(--read-file "$work/day.log" --dont-parse --loop-reading)
    kind="mixed municipal lines, LF-framed"
else
    loggen_args+=(--syslog-proto --size "$size")
    kind="RFC 5424, ${size} B, octet-counted"
fi

# loggen's summary line: "average rate = R msg/sec, count=N, …".
sent_count() { grep -o 'count=[0-9]*' "$1" | tail -1 | cut -d= -f2; }

echo "loggen → TCP syslog, $kind, $connections connection(s), ${seconds} s; $(nproc) cores"

# --- bannin --------------------------------------------------------------
port=$(free_port)
http=$(free_port)
# The shipped defaults (flush every 100,000 rows or 5 s), nothing tuned.
printf '' >"$work/bannin.toml"
# The API answers bearer tokens only (issue 7): one admin token for the run.
token=$("$bannin" --data-dir "$work/data" --config "$work/bannin.toml" token create \
    --role admin --all-tenants --name bench 2>/dev/null)
"$bannin" --data-dir "$work/data" --config "$work/bannin.toml" serve \
    --listen-http "127.0.0.1:$http" --listen-syslog-tcp "127.0.0.1:$port" >"$work/bannin.out" 2>&1 &
pid=$!
until grep -q "listening on" "$work/bannin.out"; do sleep 0.2; done
start=$(now)
cpu0=$(cpu_secs "$pid")
children_cpu "$work/cpu0"
loggen "${loggen_args[@]}" 127.0.0.1 "$port" >"$work/loggen-bannin.out" 2>&1
children_cpu "$work/cpu1"
loggen_cpu=$(python3 -c "print($(cat "$work/cpu1") - $(cat "$work/cpu0"))")
sent=$(sent_count "$work/loggen-bannin.out")
# What it has received (its per-source counters), read until it has all
# that loggen sent: what loggen's last writes left in the socket.
sources() { curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$http/api/v1/sources" |
    python3 -c 'import json,sys; s=json.load(sys.stdin)["sources"]; print(sum(x["bytes"] for x in s), sum(x["received"] for x in s))'; }
deadline=$(( $(date +%s) + 120 ))
read -r raw received < <(sources)
while (( received < sent )) && (( $(date +%s) < deadline )); do
    sleep 0.1
    read -r raw received < <(sources)
done
rss=$(peak_rss_mib "$pid")
# Then stop it: it commits what is pending and exits. Its CPU until then
# is its whole life's (bash counts a child's once it is reaped) less what
# it had used when loggen started.
children_cpu "$work/cpu2"
kill -INT "$pid"
wait "$pid" || { echo "bannin did not stop cleanly:" >&2; tail -5 "$work/bannin.out" >&2; exit 1; }
end=$(now)
children_cpu "$work/cpu3"
cpu=$(python3 -c "print($(cat "$work/cpu3") - $(cat "$work/cpu2") - $cpu0)")
# Committed: the rows the manifest lists.
found=$(python3 - "$work/data/lake/manifest.jsonl" <<'PY'
import json, sys
try:
    print(sum(json.loads(l)["rows"] for l in open(sys.argv[1]) if l.strip()))
except FileNotFoundError:
    print(0)
PY
)
lake=$(find "$work/data/lake" -name '*.parquet' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
python3 - "$sent" "$found" "$start" "$end" "$rss" "$raw" "$lake" "$received" "$cpu" "$loggen_cpu" <<'PY'
import sys
sent, found, start, end, rss, raw, lake, received, cpu, loggen_cpu = sys.argv[1:]
sent, found, raw, lake, received = int(sent), int(found), int(raw), int(lake), int(received)
secs = float(end) - float(start)
# Loss is messages sent against records received into the WAL; committed
# counts rows (a mixed line may give two, e.g. syslog and mail).
print(f"bannin     sent {sent:>10,}  received {received:>10,}  loss {sent - received:>6,}  rows {found:,}  "
      f"{found / secs:>9,.0f} msg/s over {secs:.1f} s  peak RSS {rss} MiB  "
      f"raw {raw / 2**20:,.1f} MiB → Parquet {lake / 2**20:,.1f} MiB ({raw / max(lake, 1):.1f}×)")
print(f"           CPU {float(cpu):.1f} s = {float(cpu) / max(found, 1) * 1e6:.2f} µs per message; "
      f"loggen {float(loggen_cpu):.1f} s")
PY
bannin_rate=$(python3 -c "print(int($found / ($end - $start)))")

# --- syslog-ng writing a plain file --------------------------------------
command -v syslog-ng >/dev/null || { echo "syslog-ng missing: run .ci/install-syslog-ng as root" >&2; exit 1; }
port=$(free_port)
if [[ "${MIXED:-0}" == 1 ]]; then source_driver="network(transport(\"tcp\")"; else source_driver="syslog(transport(\"tcp\")"; fi
cat >"$work/syslog-ng.conf" <<EOF
@version: 3.38
options { stats-freq(0); keep-hostname(yes); };
source s_net { $source_driver ip("127.0.0.1") port($port) max-connections(100) log-iw-size(100000)); };
destination d_file { file("$work/syslog-ng.log"); };
log { source(s_net); destination(d_file); };
EOF
syslog-ng -F -f "$work/syslog-ng.conf" -R "$work/sng.persist" -p "$work/sng.pid" -c "$work/sng.ctl" >"$work/sng.out" 2>&1 &
pid=$!
until grep -q ":$port " <(ss -ltn 2>/dev/null) || python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port)).close()" 2>/dev/null; do sleep 0.2; done
start=$(now)
cpu0=$(cpu_secs "$pid")
children_cpu "$work/cpu0"
loggen "${loggen_args[@]}" 127.0.0.1 "$port" >"$work/loggen-sng.out" 2>&1
children_cpu "$work/cpu1"
loggen_cpu=$(python3 -c "print($(cat "$work/cpu1") - $(cat "$work/cpu0"))")
sent=$(sent_count "$work/loggen-sng.out")
written() { [[ -f "$work/syslog-ng.log" ]] && wc -l <"$work/syslog-ng.log" || echo 0; }
deadline=$(( $(date +%s) + 120 ))
while (( $(written) < sent )) && (( $(date +%s) < deadline )); do sleep 0.2; done
end=$(now)
found=$(written)
rss=$(peak_rss_mib "$pid")
cpu=$(python3 -c "print($(cpu_secs "$pid") - $cpu0)")
kill "$pid"; wait "$pid" || true
python3 - "$sent" "$found" "$start" "$end" "$rss" "$bannin_rate" "$cpu" "$loggen_cpu" <<'PY'
import sys
sent, found, start, end, rss, bannin_rate, cpu, loggen_cpu = sys.argv[1:]
sent, found = int(sent), int(found)
secs = float(end) - float(start)
rate = found / secs
print(f"syslog-ng  sent {sent:>10,}  written   {found:>10,}  loss {sent - found:>6,}  "
      f"{rate:>9,.0f} msg/s over {secs:.1f} s  peak RSS {rss} MiB")
print(f"           CPU {float(cpu):.1f} s = {float(cpu) / max(found, 1) * 1e6:.2f} µs per message; "
      f"loggen {float(loggen_cpu):.1f} s")
print(f"bannin / syslog-ng: {int(bannin_rate) / rate:.2f}×")
PY

# --- nothing: a receiver that discards what it reads ----------------------
port=$(free_port)
python3 - "$port" >"$work/discard.out" 2>&1 <<'PY' &
import socket, sys, threading
server = socket.create_server(("127.0.0.1", int(sys.argv[1])), backlog=64)
print("listening", flush=True)
def drain(conn):
    with conn:
        while conn.recv(1 << 20):
            pass
while True:
    conn, _ = server.accept()
    threading.Thread(target=drain, args=(conn,), daemon=True).start()
PY
pid=$!
until grep -q listening "$work/discard.out"; do sleep 0.1; done
children_cpu "$work/cpu0"
loggen "${loggen_args[@]}" 127.0.0.1 "$port" >"$work/loggen-discard.out" 2>&1
children_cpu "$work/cpu1"
loggen_cpu=$(python3 -c "print($(cat "$work/cpu1") - $(cat "$work/cpu0"))")
kill "$pid"; wait "$pid" 2>/dev/null || true
rate=$(grep -o 'average rate = [0-9.]*' "$work/loggen-discard.out" | tail -1 | awk '{ print $4 }')
python3 - "$rate" "$bannin_rate" "$loggen_cpu" <<'PY'
import sys
rate, bannin_rate, loggen_cpu = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
print(f"discard    loggen's own ceiling {rate:>9,.0f} msg/s (loggen {loggen_cpu:.1f} s CPU); "
      f"bannin reaches {bannin_rate / rate:.0%} of it")
PY
