#!/usr/bin/env bash
# End-to-end alert latency: while syslog-ng's loggen sends TCP syslog to
# `bannin serve` at RATE msg/s for SECONDS seconds, with every rule pack
# bannin ships enabled on its own schedule, a probe every PROBE_EVERY
# seconds posts one fresh incident — five failed root logins (sshd, RFC
# 5424) on a host name of its own — to POST /api/v1/ingest and polls GET
# /api/v1/alerts every 150 ms until an alert whose key names that host
# appears. Latency = the first poll answer showing the alert − the 2xx
# answer of the POST (the records are durable in the WAL then). A probe
# with no alert within PROBE_TIMEOUT seconds is a failure.
#
#   bash benches/alert_latency.sh [SECONDS] [RATE]
#
# defaults: 60 s, 50,000 msg/s (one connection, 200-byte RFC 5424 messages,
# octet-counted). MIXED=1 loops the synthetic municipal day (syslog,
# auth.log, Squid, FortiGate lines) instead, so the shipped rules have
# something to scan. The probe rule is benches/alert_latency_probe.toml
# (schedule 2 s, lateness 5 s), copied into the bench's [rules] dir: the
# figure is bannin's path from WAL to the API plus up to one 2 s schedule,
# not a production rule's schedule. BANNIN=path/to/bannin skips the release
# build (to try the script itself). Prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
rate=${2:-50000}
probe_every=${PROBE_EVERY:-5}
probe_timeout=${PROBE_TIMEOUT:-60}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/bannin-latency-bench.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

command -v loggen >/dev/null || { echo "loggen missing: run .ci/install-syslog-ng as root" >&2; exit 1; }
if [[ -z "${BANNIN:-}" ]]; then
    cargo build --release --quiet --bin bannin
    bannin=$PWD/target/release/bannin
else
    bannin=$BANNIN
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
peak_rss_mib() { awk '/VmHWM/ { printf "%.0f", $2/1024 }' "/proc/$1/status"; }

loggen_args=(--inet --stream --rate "$rate" --interval "$seconds" --active-connections 1)
if [[ "${MIXED:-0}" == 1 ]]; then
    cargo run --release --quiet -p bannin-benches --bin municipal-day -- "$work/day.log"
    loggen_args+=(--read-file "$work/day.log" --dont-parse --loop-reading)
    kind="mixed municipal lines, LF-framed"
else
    loggen_args+=(--syslog-proto --size 200)
    kind="RFC 5424, 200 B, octet-counted"
fi

# The shipped defaults, plus the probe pack in the [rules] dir.
mkdir -p "$work/rules"
cp benches/alert_latency_probe.toml "$work/rules/"
# EXTRA_RULES="a.toml b.toml": more packs beside the built-in ones (e.g. a
# newer pack with a binary built before it).
for pack in ${EXTRA_RULES:-}; do cp "$pack" "$work/rules/"; done
cat >"$work/bannin.toml" <<EOF
[rules]
dir = "$work/rules"
schedule = true
EOF
"$bannin" --data-dir "$work/test-data" --config "$work/bannin.toml" rules test --rule bench.probe_bruteforce >"$work/probe-test.out" 2>&1 \
    || { cat "$work/probe-test.out" >&2; exit 1; }

read -r load1 _ </proc/loadavg
echo "loggen → TCP syslog, $kind, ${rate} msg/s, ${seconds} s; probe every ${probe_every} s; $(nproc) cores, load average ${load1} at start"

port=$(free_port)
http=$(free_port)
# The API answers bearer tokens only (issue 7): one admin token for the run.
token=$("$bannin" --data-dir "$work/data" --config "$work/bannin.toml" token create \
    --role admin --all-tenants --name bench 2>/dev/null)
"$bannin" --data-dir "$work/data" --config "$work/bannin.toml" serve \
    --listen-http "127.0.0.1:$http" --listen-syslog-tcp "127.0.0.1:$port" >"$work/bannin.out" 2>&1 &
pid=$!
until grep -q "listening on" "$work/bannin.out"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/bannin.out" >&2; exit 1; }
    sleep 0.2
done
rules=$(grep -o 'runs [0-9]* detection rule' "$work/bannin.out" | grep -o '[0-9]*' || echo "?")

loggen "${loggen_args[@]}" 127.0.0.1 "$port" >"$work/loggen.out" 2>&1 &
loggen_pid=$!

# The probes, for as long as loggen sends; then the last ones are waited for.
BANNIN_TOKEN=$token python3 - "$http" "$seconds" "$probe_every" "$probe_timeout" "$work/latencies" <<'PY'
import datetime, json, os, sys, time, urllib.request

http, seconds, every, timeout, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
base = f"http://127.0.0.1:{http}/api/v1"
run = int(time.time())
auth = {"Authorization": f"Bearer {os.environ['BANNIN_TOKEN']}"}

def post_probe(host):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    lines = "".join(
        f"<38>1 {stamp} {host} sshd {4000 + i} - - Failed password for root from 192.0.2.{10 + i} port {40000 + i} ssh2\n"
        for i in range(5))
    request = urllib.request.Request(f"{base}/ingest?format=syslog&source=probe", data=lines.encode(),
                                     headers={"Content-Type": "text/plain", **auth}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()
    return time.monotonic()

def alerted_hosts():
    request = urllib.request.Request(f"{base}/alerts?limit=1000", headers=auth)
    with urllib.request.urlopen(request, timeout=30) as answer:
        alerts = json.load(answer)["alerts"]
    return {a["key"].get("host") for a in alerts if a["rule_id"] == "bench.probe_bruteforce"}

start = time.monotonic()
next_probe, sent = start + 2.0, 0
pending, latencies, failures = {}, [], 0
while True:
    now = time.monotonic()
    if now < start + seconds and now >= next_probe:
        sent += 1
        host = f"probe-{run}-{sent}"
        pending[host] = post_probe(host)
        next_probe += every
    if not pending and now >= start + seconds:
        break
    seen = alerted_hosts()
    answered = time.monotonic()
    for host in list(pending):
        if host in seen:
            latencies.append(answered - pending.pop(host))
        elif answered - pending[host] > timeout:
            pending.pop(host)
            failures += 1
    time.sleep(0.15)
with open(out, "w") as f:
    json.dump({"probes": sent, "latencies": latencies, "failures": failures}, f)
PY

wait "$loggen_pid" || true
rss=$(peak_rss_mib "$pid")
received=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$http/api/v1/sources" | python3 -c 'import json,sys; print(sum(x["received"] for x in json.load(sys.stdin)["sources"]))')
kill -INT "$pid"; wait "$pid" || true
read -r _ _ load1_end _ </proc/loadavg
python3 - "$work/latencies" "$work/loggen.out" "$rss" "$received" "$rules" "$probe_timeout" "$load1_end" <<'PY'
import json, math, re, sys
result = json.load(open(sys.argv[1]))
loggen = open(sys.argv[2]).read()
rss, received, rules, timeout, load_end = sys.argv[3:]
counts = re.findall(r"average rate = ([0-9.]+) msg/sec, count=([0-9]+)", loggen)
loggen_rate, sent = (float(counts[-1][0]), int(counts[-1][1])) if counts else (0.0, 0)
lat = sorted(result["latencies"])
def pct(p):
    # Nearest rank: with a dozen probes p99 is the maximum.
    return lat[max(0, math.ceil(p / 100 * len(lat)) - 1)] if lat else float("nan")
print(f"alert latency over {result['probes']} probes: p50 {pct(50):.2f} s  p90 {pct(90):.2f} s  "
      f"p99 {pct(99):.2f} s  max {pct(100):.2f} s  failures {result['failures']} (no alert within {timeout} s)  |  "
      f"loggen {loggen_rate:,.0f} msg/s, {sent:,} sent, {int(received):,} received  |  "
      f"{rules} rules  |  peak RSS {rss} MiB  |  load average {load_end} at end")
PY
# What the scheduler did (its run log in the alert store), one rule a line.
python3 - "$work/data/alerts.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for rule, runs, failures, ms, scanned, error in db.execute(
        "SELECT rule_id, runs, failures, last_duration_ms, last_rows_scanned, last_error FROM rule_runs ORDER BY rule_id"):
    print(f"  {rule}: {runs} run(s), {failures} failed, last took {ms} ms over {scanned:,} rows"
          + (f", last error: {error}" if error else ""))
PY
