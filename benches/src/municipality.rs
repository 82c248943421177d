//! One day of logs from 桜ヶ丘市 (Sakuragaoka), a small fictional municipality
//! split into the three zones (マイナンバー利用事務系 / LGWAN接続系 /
//! インターネット接続系).
//!
//! The day is deterministic for a given seed. It holds ordinary staff and
//! operations traffic plus exactly one injected attack: a password brute force
//! against `root` on `lg-file01` from another LGWAN machine between 02:10 and
//! 02:20 JST. The address plan is documented in `municipality/town.rs`.

mod attack;
mod clock;
mod cron;
mod dice;
mod dns;
mod feed;
mod firewall;
mod jobs;
mod kernel;
mod mail;
mod probes;
mod sshd;
mod systemd;
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
    /// Ground truth for the injected attack.
    pub brute_force: InjectedBruteForce,
}

/// Generates one municipal day of syslog and auth.log lines.
pub fn municipality_day(opts: &DayOptions) -> GeneratedDay {
    let mut rng = SmallRng::seed_from_u64(opts.seed);
    let mut feeds = Feeds::new(Day::new(opts.date));

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
    GeneratedDay {
        syslog_lines,
        auth_log_lines,
        brute_force,
    }
}
