"""Times a fixed set of detection-style and analyst queries with `bannin sql`
and with DuckDB on the same lake, side by side. Run by benches/query.sh:

    python3 benches/query.py BANNIN DATA_DIR PROBE_IP LAST_DAY

bannin is timed as the analyst runs it: one `bannin sql --format csv`
process per query (startup, session, manifest read, query, CSV to
/dev/null). DuckDB is timed in this process: a fresh connection, views over
`read_parquet(..., hive_partitioning=true)`, the query, every row fetched.
Each engine's answer is normalised (timestamps to epoch seconds, numbers to
numbers) and compared as a multiset of rows; a mismatch is printed loudly
and makes the exit status 1. Best of 3 runs per query per engine, after one
untimed run of each (which warms the OS cache and gives the answers).
"""

import csv
import datetime as dt
import hashlib
import io
import math
import os
import subprocess
import sys
import time

import duckdb

RUNS = 3
TABLES = ("proxy", "firewall", "auth")
SHADOW = (
    "url_host LIKE '%dropbox%' OR url_host LIKE '%wetransfer%' OR url_host LIKE '%mega.nz' "
    "OR url_host LIKE '%gigafile%' OR url_host LIKE '%firestorage%'"
)


def queries(ip, last_day):
    day = dt.date.fromisoformat(last_day)
    # "The last 24 h": noon to noon UTC, across two date partitions.
    t1 = f"{day}T12:00:00Z"
    t0 = f"{day - dt.timedelta(days=1)}T12:00:00Z"
    window = f"time >= '{t0}' AND time < '{t1}'"
    since = day - dt.timedelta(days=2)
    return [
        ("ip_24h", "everything about one IP in the last 24 h (proxy ∪ firewall ∪ auth)",
         f"""SELECT time, 'proxy' AS feed, src_ip, url_host AS detail FROM proxy
             WHERE src_ip = '{ip}' AND {window}
             UNION ALL
             SELECT time, 'firewall', src_ip, dst_ip || ':' || CAST(dst_port AS VARCHAR) FROM firewall
             WHERE (src_ip = '{ip}' OR dst_ip = '{ip}') AND {window}
             UNION ALL
             SELECT time, 'auth', src_ip, "user" FROM auth
             WHERE src_ip = '{ip}' AND {window}
             ORDER BY time, feed, detail"""),
        ("top_bytes_out", "top 20 clients by bytes sent (proxy)",
         """SELECT src_ip, sum(bytes_out) AS bytes FROM proxy
            GROUP BY src_ip ORDER BY bytes DESC, src_ip LIMIT 20"""),
        ("hourly", "firewall events per hour (time_bucket)",
         """SELECT time_bucket(INTERVAL '1 hour', time) AS hour, count(*) AS events
            FROM firewall GROUP BY hour ORDER BY hour"""),
        ("domains_per_user", "distinct web hosts per user (proxy)",
         """SELECT "user", count(DISTINCT url_host) AS hosts FROM proxy
            GROUP BY "user" ORDER BY hosts DESC, "user" """),
        ("login_bursts", "10-minute windows with ≥ 10 failed logins, per source (auth)",
         """SELECT src_ip, count(*) AS bursts FROM (
              SELECT src_ip, time_bucket(INTERVAL '10 minutes', time) AS w FROM auth
              WHERE outcome = 'failure' GROUP BY src_ip, w HAVING count(*) >= 10) b
            GROUP BY src_ip ORDER BY bursts DESC, src_ip"""),
        ("shadow_it", "uploads to personal cloud storage (url_host LIKE)",
         f"""SELECT "user", url_host, count(*) AS requests, sum(bytes_out) AS bytes_out
             FROM proxy WHERE {SHADOW}
             GROUP BY "user", url_host ORDER BY bytes_out DESC, "user", url_host LIMIT 100"""),
        ("deny_ports", "firewall denies by destination port",
         """SELECT dst_port, count(*) AS denies FROM firewall WHERE action = 'deny'
            GROUP BY dst_port ORDER BY denies DESC, dst_port LIMIT 20"""),
        ("tenant_days", "rows and clients per tenant and day, last 3 days (partition filter)",
         f"""SELECT tenant, date, count(*) AS requests, count(DISTINCT src_ip) AS clients
             FROM proxy WHERE date >= '{since}'
             GROUP BY tenant, date ORDER BY tenant, date"""),
        ("user_day", "one account's logins on one tenant's day (tenant + date + user)",
         f"""SELECT time, src_ip, outcome FROM auth
             WHERE tenant = 'kitahama' AND date = '{day}' AND "user" = 'tanaka003-1'
             ORDER BY time, src_ip"""),
    ]


def norm(value):
    """One cell as both engines' answers can be compared."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return round(value.timestamp())
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        number = float(value)
        return int(number) if number.is_integer() else round(number, 6)
    text = str(value)
    for parse in (int, float):
        try:
            return norm(parse(text))
        except ValueError:
            pass
    if len(text) >= 19 and text[4] == "-" and text[10] in "T ":
        try:
            return round(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
        except ValueError:
            pass
    return text


def digest(rows):
    canon = sorted(tuple(norm(c) for c in row) for row in rows)
    return len(canon), hashlib.sha256(repr(canon).encode()).hexdigest()[:12]


def bannin_run(bannin, data_dir, config, sql, capture):
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    started = time.perf_counter()
    done = subprocess.run(
        [bannin, "--data-dir", data_dir, "--config", config, "sql", "--format", "csv", sql],
        stdout=out, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"bannin sql failed: {done.stderr.decode(errors='replace')}")
    rows = None
    if capture:
        rows = list(csv.reader(io.StringIO(done.stdout.decode())))[1:]
    return elapsed, rows


def duckdb_run(lake, sql):
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in TABLES:
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{lake}/{table}/**/*.parquet', "
            "hive_partitioning = true, hive_types_autocast = false)")
    rows = con.execute(sql).fetchall()
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, rows


def warm(lake):
    total = 0
    for root, _, files in os.walk(lake):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                while chunk := f.read(1 << 20):
                    total += len(chunk)
    return total


def main():
    bannin, data_dir, ip, last_day = sys.argv[1:5]
    lake = os.path.join(data_dir, "lake")
    config = os.path.join(data_dir, "bench.toml")
    with open(config, "w") as f:
        # As much room as DuckDB takes by default; the row cap stays.
        f.write("[query]\ntimeout_seconds = 600\nmemory_mib = 8192\n")
    print(f"warmed {warm(lake) / 2**20:.0f} MiB of lake files; duckdb {duckdb.__version__}; "
          f"{os.cpu_count()} cores; best of {RUNS}")
    base_b = min(bannin_run(bannin, data_dir, config, "SELECT 1", False)[0] for _ in range(RUNS))
    base_d = min(duckdb_run(lake, "SELECT 1")[0] for _ in range(RUNS))
    print(f"fixed cost (SELECT 1): bannin {base_b:.3f} s (process + session), "
          f"duckdb {base_d:.3f} s (connection + views)")
    print(f"{'query':<18}{'rows':>7}{'bannin s':>10}{'duckdb s':>10}{'ratio':>8}  check")
    ratios, failed = [], False
    for name, _, sql in queries(ip, last_day):
        _, b_rows = bannin_run(bannin, data_dir, config, sql, True)
        _, d_rows = duckdb_run(lake, sql)
        b_sum, d_sum = digest(b_rows), digest(d_rows)
        b_best = min(bannin_run(bannin, data_dir, config, sql, False)[0] for _ in range(RUNS))
        d_best = min(duckdb_run(lake, sql)[0] for _ in range(RUNS))
        ratio = b_best / d_best
        ratios.append(ratio)
        check = f"same ({b_sum[1]})" if b_sum == d_sum else \
            f"*** MISMATCH *** bannin {b_sum} duckdb {d_sum}"
        failed |= b_sum != d_sum
        print(f"{name:<18}{b_sum[0]:>7}{b_best:>10.3f}{d_best:>10.3f}{ratio:>7.2f}×  {check}",
              flush=True)
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"geometric mean ratio (bannin / duckdb): {geo:.2f}×  (target ≤ 1.0)")
    if failed:
        print("*** SOME ANSWERS DIFFER: see MISMATCH above ***")
        sys.exit(1)


if __name__ == "__main__":
    main()
