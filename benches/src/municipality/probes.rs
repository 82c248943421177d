//! Background probing from the internet against the internet-zone servers.
//! Root is tried at most twice per probe and probes are hours apart, so none
//! of this looks like a privileged brute force.

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{MIN, SEC, hm};
use super::dice::{outside_ip, pick, pid, port};
use super::feed::Feeds;
use super::town::{Host, INET_MAIL01, INET_PROXY01};

const EXPOSED: [&Host; 2] = [INET_MAIL01, INET_PROXY01];
/// Hours with one root probe each, well clear of the injected attack.
const ROOT_PROBE_HOURS: [u32; 6] = [4, 7, 11, 15, 19, 22];
/// Hours with one `test` account probe each.
const INVALID_USER_HOURS: [u32; 3] = [5, 13, 23];

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    for hour in ROOT_PROBE_HOURS {
        root_probe(rng, feeds, hour);
    }
    for hour in INVALID_USER_HOURS {
        invalid_user(rng, feeds, hour);
    }
}

/// A scanner that gives up on root after at most one password.
fn root_probe(rng: &mut SmallRng, feeds: &mut Feeds, hour: u32) {
    let host = pick(rng, &EXPOSED);
    let tag = format!("sshd[{}]", pid(rng));
    let (ip, port) = (outside_ip(rng), port(rng));
    let mut at = hm(hour, 0) + rng.random_range(0..50 * MIN);
    if rng.random_bool(0.5) {
        let text = format!("Failed password for root from {ip} port {port} ssh2");
        feeds.auth(at, host, &tag, &text);
        at += rng.random_range(SEC..3 * SEC);
    }
    let text = format!("Connection closed by authenticating user root {ip} port {port} [preauth]");
    feeds.auth(at, host, &tag, &text);
}

fn invalid_user(rng: &mut SmallRng, feeds: &mut Feeds, hour: u32) {
    let host = pick(rng, &EXPOSED);
    let tag = format!("sshd[{}]", pid(rng));
    let (ip, port) = (outside_ip(rng), port(rng));
    let at = hm(hour, 0) + rng.random_range(0..50 * MIN);
    let lines = [
        format!("Invalid user test from {ip} port {port}"),
        format!("Failed password for invalid user test from {ip} port {port} ssh2"),
        format!("Connection closed by invalid user test {ip} port {port} [preauth]"),
    ];
    for (step, text) in (0..).zip(lines) {
        feeds.auth(at + step * 1_500, host, &tag, &text);
    }
}
