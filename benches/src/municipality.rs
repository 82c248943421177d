//! One day of logs from 桜ヶ丘市 (Sakuragaoka), a small fictional municipality
//! split into the three zones (マイナンバー利用事務系 / LGWAN接続系 /
//! インターネット接続系).
//!
//! The day is deterministic for a given seed. It holds ordinary staff and
//! operations traffic plus one injected case for each first-wave detection
//! rule (docs/rule-pack.md), listed with what the alert should carry in
//! [`GeneratedDay::injected`], and benign look-alikes that must not alert in
//! [`GeneratedDay::look_alikes`]. Feeds: network syslog, auth.log, the
//! LGWAN mail server's maillog, both proxies' and the firewall's native
//! logs and the Microsoft 365 tenant's audit records. [`register_files`]
//! gives the registers (台帳) that match the day. The address plan is
//! documented in `municipality/town.rs`.

mod attack;
mod breakout;
mod clock;
mod cloud;
mod cron;
mod dice;
mod dns;
mod feed;
mod firewall;
mod fortigate;
mod jobs;
mod kernel;
mod mail;
mod maillog;
mod privileged;
mod probes;
mod proxy;
mod registers;
mod shadow;
mod sites;
mod sshd;
mod systemd;
mod timeline;
mod timesync;
mod town;
mod truth;

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use rand::SeedableRng;
use rand::rngs::SmallRng;

use clock::Day;
use feed::Feeds;
use timeline::Timeline;
use truth::Truth;

pub use registers::{RegisterFile, register_files};
pub use truth::{InjectedCase, LookAlike};

/// The municipality's id in the lake (`tenant`).
pub const TENANT: &str = "sakuragaoka";
/// Its mail domains (`[ingest] local_domains`).
pub const LOCAL_DOMAINS: [&str; 1] = [town::MAIL_DOMAIN];
/// Accounts whose logins are privileged (`[ingest] privileged_accounts`):
/// the usual names and the IDs of the privileged-account register.
pub const PRIVILEGED_ACCOUNTS: [&str; 6] = [
    "root",
    "administrator",
    "admin",
    town::OPS.name,
    town::SHARED_ADMIN,
    town::CLOUD_ADMIN,
];
/// The city hall's working hours (`[query] business_hours`).
pub const BUSINESS_HOURS: &str = "08:30-18:00";
/// Source names of the feeds that are files of one appliance each.
pub const LGWAN_PROXY_SOURCE: &str = town::LG_PROXY01;
/// The approved bulk sender of the town's newsletter.
pub const BULK_SENDER: &str = town::NEWSLETTER_SENDER;

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
    /// `/var/log/maillog` of lg-mail01, the LGWAN-side Postfix (NO PRI,
    /// like auth.log): staff mail out through the security-cloud relay and
    /// in from it, internal mail over LMTP, spam refused by a milter
    /// (`milter-reject`), the newsletter, the injected burst and spam wave.
    pub mail_log_lines: Vec<String>,
    /// Squid native access.log of lg-proxy01, the LGWAN-side proxy for
    /// approved cloud services; decrypted, so requests show method and
    /// URL. It stops at 12:58 JST.
    pub lgwan_proxy_lines: Vec<String>,
    /// Microsoft 365: Entra ID sign-ins (Graph) and unified audit records,
    /// one JSON object a line.
    pub cloud_lines: Vec<String>,
    /// Ground truth for the injected brute force (also in `injected`).
    pub brute_force: InjectedBruteForce,
    /// One case per first-wave rule, in rule order.
    pub injected: Vec<InjectedCase>,
    /// Benign activity that resembles what a rule looks for.
    pub look_alikes: Vec<LookAlike>,
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
const PRIVILEGED_STREAM: u64 = 0x7072_6976_696c_6567;
const SHADOW_STREAM: u64 = 0x7368_6164_6f77_5f69;
const MAIL_LOG_STREAM: u64 = 0x6d61_696c_6c6f_6721;
const BREAKOUT_STREAM: u64 = 0x6272_6561_6b6f_7574;
const CLOUD_STREAM: u64 = 0x636c_6f75_645f_6d33;

/// The first-wave rules (DOMAIN.md), in the order cases are listed.
pub const FIRST_WAVE_RULES: [&str; 11] = [
    "mail.outbound_burst",
    "mail.inbound_spam_volume",
    "saas.unapproved_use",
    "saas.clickthrough_upload",
    "saas.unapproved_web_conference",
    "priv.bruteforce",
    "priv.off_hours",
    "priv.unregistered",
    "priv.role_granted",
    "priv.shared_concurrent",
    "source.silent",
];

/// Generates one municipal day of every feed, with its ground truth.
pub fn municipality_day(opts: &DayOptions) -> GeneratedDay {
    let day = Day::new(opts.date);
    let mut rng = SmallRng::seed_from_u64(opts.seed);
    let mut feeds = Feeds::new(day);
    let mut truth = Truth::default();
    let stream = |salt: u64| SmallRng::seed_from_u64(opts.seed ^ salt);

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
    truth.inject(
        "priv.bruteforce",
        format!(
            "{} の {} に LGWAN 内の {} から 10 分間に {} 回パスワード失敗",
            brute_force.host, brute_force.user, brute_force.src_ip, brute_force.failures
        ),
        &[("user", &brute_force.user), ("host", &brute_force.host)],
    );
    privileged::generate(&mut stream(PRIVILEGED_STREAM), &mut feeds, &mut truth);

    let (syslog_lines, auth_log_lines) = feeds.into_lines();
    let mut proxy_log = Timeline::new();
    proxy::generate(&mut stream(PROXY_STREAM), day, &mut proxy_log);
    shadow::generate(&mut stream(SHADOW_STREAM), day, &mut proxy_log, &mut truth);
    truth.look_alike(
        "source.silent",
        "インターネット側プロキシ inet-proxy01 は夜間の通信が少ないが途絶えていない",
        &[("source", town::INET_PROXY01.name)],
    );
    let firewall_lines = fortigate::generate(&mut stream(FIREWALL_STREAM), day);
    let mail_log_lines = maillog::generate(&mut stream(MAIL_LOG_STREAM), day, &mut truth);
    let lgwan_proxy_lines = breakout::generate(&mut stream(BREAKOUT_STREAM), day, &mut truth);
    let cloud_lines = cloud::generate(&mut stream(CLOUD_STREAM), day, &mut truth);
    let Truth {
        mut injected,
        look_alikes,
    } = truth;
    injected.sort_by_key(|case| FIRST_WAVE_RULES.iter().position(|id| *id == case.rule_id));
    GeneratedDay {
        syslog_lines,
        auth_log_lines,
        proxy_lines: proxy_log.into_lines(),
        firewall_lines,
        mail_log_lines,
        lgwan_proxy_lines,
        cloud_lines,
        brute_force,
        injected,
        look_alikes,
    }
}
