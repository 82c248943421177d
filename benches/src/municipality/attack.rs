//! The injected incident: a password brute force against root on lg-file01
//! from another LGWAN machine (lateral movement), 02:10-02:20 JST.

use rand::Rng;
use rand::rngs::SmallRng;

use super::InjectedBruteForce;
use super::clock::{SEC, hm};
use super::dice::{pid, port};
use super::feed::Feeds;
use super::town::{ATTACKER_IP, LG_FILE01};

const FAILURES: usize = 12;
const USER: &str = "root";

/// Writes the attack into auth.log and returns its description.
/// The first try lands by 02:10:30 and at most 11 gaps of 50 s follow, so the
/// last failure is before 02:20.
pub(super) fn inject(rng: &mut SmallRng, feeds: &mut Feeds) -> InjectedBruteForce {
    let host = LG_FILE01;
    let first = hm(2, 10) + rng.random_range(0..30 * SEC);
    let mut at = first;
    for attempt in 0..FAILURES {
        if attempt > 0 {
            at += rng.random_range(20 * SEC..=50 * SEC);
        }
        let tag = format!("sshd[{}]", pid(rng));
        let port = port(rng);
        let failed = format!("Failed password for {USER} from {ATTACKER_IP} port {port} ssh2");
        feeds.auth(at, host, &tag, &failed);
        let closed = format!(
            "Connection closed by authenticating user {USER} {ATTACKER_IP} port {port} [preauth]"
        );
        feeds.auth(at + rng.random_range(300..2 * SEC), host, &tag, &closed);
    }
    InjectedBruteForce {
        host: host.name.to_owned(),
        user: USER.to_owned(),
        src_ip: ATTACKER_IP.to_owned(),
        failures: FAILURES,
        start: feeds.utc(first),
        end: feeds.utc(at),
    }
}
