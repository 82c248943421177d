//! One day of logs from 桜ヶ丘市 (Sakuragaoka), a small fictional municipality
//! split into the three zones (マイナンバー利用事務系 / LGWAN接続系 /
//! インターネット接続系).
//!
//! The day is deterministic for a given seed. It holds ordinary staff and
//! operations traffic plus exactly one injected attack: a password brute force
//! against `root` on `lg-file01` from another LGWAN machine between 02:10 and
//! 02:20 JST. The internet zone's proxy and firewall also log in their native
//! formats, including some shadow-IT uploads (see [`GeneratedDay::proxy_lines`]).
//! The address plan is documented in `municipality/town.rs`.

mod attack;
mod clock;
mod cron;
mod dice;
mod dns;
mod feed;
mod firewall;
mod fortigate;
mod jobs;
mod kernel;
mod mail;
mod probes;
mod proxy;
mod sites;
mod sshd;
mod systemd;
mod timeline;
mod timesync;
mod town;

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use rand::SeedableRng;
use rand::rngs::SmallRng;

use clock::Day;
use feed::Feeds;

/// Which day to generate, and the seed that fixes every random choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayOptions {
    /// The JST calendar day all timestamps fall on.
    pub date: NaiveDate,
    /// Same seed, same bytes.
    pub seed: u64,
}

/// The one privileged brute force hidden in the generated day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedBruteForce {
    /// Target host (`lg-file01`).
    pub host: String,
    /// Target account (`root`).
    pub user: String,
    /// Attacking address, inside LGWAN (lateral movement).
    pub src_ip: String,
    /// Number of `Failed password` lines injected.
    pub failures: usize,
    /// UTC instant of the first injected failure.
    pub start: DateTime<Utc>,
    /// UTC instant of the last injected failure.
    pub end: DateTime<Utc>,
}

/// A generated day, each line list sorted by time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedDay {
    /// Network syslog lines as an appliance/rsyslog forwarder would send them,
    /// each WITH a PRI: a mix of RFC 3164
    /// (`<PRI>Mmm dd hh:mm:ss host app[pid]: msg`) and RFC 5424
    /// (`<PRI>1 2026-11-22T09:01:02.123+09:00 host app procid msgid [sd] msg`
    /// with `-` for absent fields, some with structured data like
    /// `[meta@32473 zone="lgwan"]`).
    pub syslog_lines: Vec<String>,
    /// Lines exactly as written to /var/log/auth.log by rsyslog's file format
    /// (NO PRI): `Nov 22 09:01:02 host sshd[1234]: Accepted password for
    /// tanaka from 10.20.1.15 port 51234 ssh2`.
    pub auth_log_lines: Vec<String>,
    /// Squid native access.log of the internet-zone proxy `inet-proxy01`
    /// (NO PRI): `1763769601.000      0 10.40.1.16 TCP_TUNNEL/200 5120 CONNECT
    /// www.e-gov.go.jp:443 tanaka HIER_DIRECT/203.0.113.20 -`. The time is
    /// the UTC epoch with milliseconds; clients are internet-zone terminals
    /// (10.40.1.x). Mostly office-hours HTTPS tunnels to government, lg.jp and
    /// news sites, some plain HTTP, some `TCP_DENIED/403` to blocked
    /// categories.
    ///
    /// Shadow IT: one clerk makes 3 to 6 uploads to an unapproved cloud
    /// storage between 10:00 and 17:00 JST, each a `TCP_TUNNEL/200` for
    /// `CONNECT files.example-storage.com:443` with the clerk's user name and
    /// a long elapsed time. No other line mentions that host. The native size
    /// field only counts the reply to the client, so uploads are not large.
    pub proxy_lines: Vec<String>,
    /// FortiGate logs from `inet-fw01`, each WITH a PRI and NO syslog header:
    /// `<189>date=2026-11-22 time=09:00:00 devname="inet-fw01" devid=...
    /// eventtime=1763769600123456789 tz="+0900" logid="0000000013"
    /// type="traffic" subtype="forward" ...`. `date`/`time` are JST,
    /// `eventtime` is the same instant in ns since the epoch. Mostly traffic
    /// logs (`accept`/`close`; `deny` for internet scans of 22/23/445/3389 on
    /// 10.40.0.x and for terminals bypassing the proxy), plus a few
    /// `type="event" subtype="system"` admin logins and logouts from
    /// 10.40.1.5.
    pub firewall_lines: Vec<String>,
    /// Ground truth for the injected attack.
    pub brute_force: InjectedBruteForce,
}

impl GeneratedDay {
    /// Every line of the day, one feed after another (syslog, auth.log,
    /// proxy, firewall): input for `--format auto`.
    pub fn all_lines(&self) -> impl Iterator<Item = &str> {
        [
            &self.syslog_lines,
            &self.auth_log_lines,
            &self.proxy_lines,
            &self.firewall_lines,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
    }
}

/// Salts that give the proxy and the firewall their own random streams, so
/// adding them left every other line of the day unchanged.
const PROXY_STREAM: u64 = 0x7072_6f78_795f_6c6f;
const FIREWALL_STREAM: u64 = 0x666f_7274_6967_6174;

/// Generates one municipal day of syslog, auth.log, proxy and firewall lines.
pub fn municipality_day(opts: &DayOptions) -> GeneratedDay {
    let day = Day::new(opts.date);
    let mut rng = SmallRng::seed_from_u64(opts.seed);
    let mut feeds = Feeds::new(day);

    cron::generate(&mut rng, &mut feeds);
    systemd::generate(&mut rng, &mut feeds);
    kernel::generate(&mut rng, &mut feeds);
    timesync::generate(&mut rng, &mut feeds);
    jobs::generate(&mut rng, &mut feeds);
    mail::generate(&mut rng, &mut feeds);
    dns::generate(&mut rng, &mut feeds);
    firewall::generate(&mut rng, &mut feeds);
    sshd::generate(&mut rng, &mut feeds);
    let brute_force = attack::inject(&mut rng, &mut feeds);

    let (syslog_lines, auth_log_lines) = feeds.into_lines();
    let proxy_lines = proxy::generate(&mut SmallRng::seed_from_u64(opts.seed ^ PROXY_STREAM), day);
    let firewall_lines = fortigate::generate(
        &mut SmallRng::seed_from_u64(opts.seed ^ FIREWALL_STREAM),
        day,
    );
    GeneratedDay {
        syslog_lines,
        auth_log_lines,
        proxy_lines,
        firewall_lines,
        brute_force,
    }
}
