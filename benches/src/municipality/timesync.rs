//! chronyd on every server, synchronising to the LGWAN-side time source.

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::DAY;
use super::dice::{between, pick, pid};
use super::feed::{Facility, Feeds, Severity, Syslog};
use super::town::SERVERS;

const SOURCES: [&str; 2] = [
    "10.30.0.12 (lg-ad01.city.sakuragaoka.example)",
    "10.99.0.123 (ntp.seccloud.pref.example)",
];

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    for host in SERVERS {
        let pid = pid(rng);
        for _ in 0..rng.random_range(1..4) {
            let source = pick(rng, &SOURCES);
            let text = format!("Selected source {source}");
            let msg = Syslog::new(Facility::Daemon, Severity::Info, "chronyd", &text).pid(pid);
            feeds.syslog(between(rng, 0, DAY), host, msg);
        }
        if rng.random_bool(0.3) {
            let micros: i32 = rng.random_range(-900..900);
            let text = format!(
                "System clock wrong by {:.6} seconds",
                f64::from(micros) / 1e6
            );
            let msg = Syslog::new(Facility::Daemon, Severity::Warning, "chronyd", &text).pid(pid);
            feeds.syslog(between(rng, 0, DAY), host, msg);
        }
    }
}
