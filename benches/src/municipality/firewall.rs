//! The inet-fw01 appliance: key=value traffic records over RFC 5424.

use rand::Rng;
use rand::rngs::SmallRng;

use super::dice::{hourly_volume, outside_ip, pick, port, within_hour};
use super::feed::{Facility, Feeds, Severity, Syslog};
use super::town::{INET_FW01, INET_MAIL01, STAFF, Zone};

/// The appliance's logging daemon never restarts.
const FWD_PID: u32 = 2211;

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    for hour in 0..24 {
        for _ in 0..hourly_volume(rng, hour, 110, 20) {
            let at = within_hour(rng, hour);
            let (severity, text) = match rng.random_range(0..20) {
                0..=15 => allowed(rng),
                16..=17 => denied_outbound(rng),
                _ => denied_inbound(rng),
            };
            let msg = Syslog::new(Facility::Local7, severity, "fwd", &text)
                .pid(FWD_PID)
                .msgid("TRAFFIC");
            feeds.syslog(at, INET_FW01, msg);
        }
    }
}

fn terminal(rng: &mut SmallRng) -> String {
    Zone::Internet.terminal(pick(rng, &STAFF).terminal)
}

fn allowed(rng: &mut SmallRng) -> (Severity, String) {
    let text = format!(
        "action=accept src={} sport={} dst={} dport=443 proto=tcp rule=10 policy=\"web-out\" sent={} rcvd={} duration={}",
        terminal(rng),
        port(rng),
        outside_ip(rng),
        rng.random_range(400..60_000),
        rng.random_range(1_000..2_000_000),
        rng.random_range(1..300),
    );
    (Severity::Info, text)
}

fn denied_outbound(rng: &mut SmallRng) -> (Severity, String) {
    let dport = pick(rng, &[445, 25, 3389, 6667]);
    let text = format!(
        "action=deny src={} sport={} dst={} dport={dport} proto=tcp rule=99 policy=\"default-deny\"",
        terminal(rng),
        port(rng),
        outside_ip(rng),
    );
    (Severity::Warning, text)
}

fn denied_inbound(rng: &mut SmallRng) -> (Severity, String) {
    let dport = pick(rng, &[22, 23, 3389, 8080]);
    let text = format!(
        "action=deny src={} sport={} dst={} dport={dport} proto=tcp rule=98 policy=\"inbound-default\"",
        outside_ip(rng),
        port(rng),
        INET_MAIL01.ip,
    );
    (Severity::Notice, text)
}
