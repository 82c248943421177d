//! Kernel messages: blocked packets at zone boundaries and the odd warning.

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{BUSINESS_END, BUSINESS_START, DAY};
use super::dice::{between, pick, port};
use super::feed::{Facility, Feeds, Severity, Syslog};
use super::town::{Host, MN_APP01, MN_DB01, SERVERS, Zone};

/// Hosts whose host firewall logs drops (the My Number zone is closed).
const GUARDED: [&Host; 2] = [MN_APP01, MN_DB01];

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    for host in GUARDED {
        for _ in 0..rng.random_range(3..7) {
            blocked(rng, feeds, host);
        }
    }
    for host in SERVERS {
        if rng.random_bool(0.5) {
            let rate = rng.random_range(60_000..90_000);
            let took = rng.random_range(2_501..2_900);
            let text = format!(
                "perf: interrupt took too long ({took} > 2500), lowering kernel.perf_event_max_sample_rate to {rate}"
            );
            kern(feeds, between(rng, 0, DAY), host, Severity::Warning, &text);
        }
    }
}

/// An LGWAN terminal poking at a My Number server, dropped by nftables.
fn blocked(rng: &mut SmallRng, feeds: &mut Feeds, host: &Host) {
    let src = Zone::Lgwan.terminal(rng.random_range(10..120));
    let dport = pick(rng, &[445, 3389, 5432, 22]);
    let text = format!(
        "[nft-drop] IN=ens192 OUT= SRC={src} DST={} LEN=52 TOS=0x00 PREC=0x00 TTL=127 ID={} DF PROTO=TCP SPT={} DPT={dport} WINDOW=64240 RES=0x00 SYN URGP=0",
        host.ip,
        rng.random_range(1..65_535),
        port(rng),
    );
    let at = between(rng, BUSINESS_START, BUSINESS_END);
    kern(feeds, at, host, Severity::Warning, &text);
}

fn kern(feeds: &mut Feeds, at: u32, host: &Host, severity: Severity, text: &str) {
    feeds.syslog(
        at,
        host,
        Syslog::new(Facility::Kern, severity, "kernel", text),
    );
}
