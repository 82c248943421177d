//! BIND query log from the internet-zone resolver on inet-proxy01.

use rand::Rng;
use rand::rngs::SmallRng;

use super::dice::{hourly_volume, pick, port, within_hour};
use super::feed::{Facility, Feeds, Severity, Syslog};
use super::town::{INET_PROXY01, STAFF, Zone};

const NAMES: [&str; 14] = [
    "www.soumu.go.jp",
    "www.e-gov.go.jp",
    "www.jma.go.jp",
    "www.digital.go.jp",
    "www.pref.example.jp",
    "www.google.com",
    "login.microsoftonline.com",
    "outlook.office365.com",
    "www.deepl.com",
    "gigafile.nu",
    "firestorage.jp",
    "www.chatwork.com",
    "zoom.us",
    "www.yahoo.co.jp",
];

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    let named = rng.random_range(700..900);
    for hour in 0..24 {
        for _ in 0..hourly_volume(rng, hour, 110, 12) {
            let at = within_hour(rng, hour);
            let client = if rng.random_bool(0.9) {
                Zone::Internet.terminal(pick(rng, &STAFF).terminal)
            } else {
                Zone::Internet.terminal(rng.random_range(100..140))
            };
            let name = pick(rng, &NAMES);
            let qtype = if rng.random_bool(0.8) { "A" } else { "AAAA" };
            let text = format!(
                "client @0x7f3a{:08x} {client}#{} ({name}): query: {name} IN {qtype} +E(0)K ({})",
                rng.random::<u32>(),
                port(rng),
                INET_PROXY01.ip,
            );
            let msg = Syslog::new(Facility::Daemon, Severity::Info, "named", &text)
                .pid(named)
                .msgid("queries");
            feeds.syslog(at, INET_PROXY01, msg);
        }
    }
}
