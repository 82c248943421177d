//! Small random draws shared by the generators.

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{HOUR, Ms};
use super::town::{CLERKS, Desk, STAFF};

/// One element of a non-empty constant table.
pub(super) fn pick<'a, T>(rng: &mut SmallRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A plausible process id.
pub(super) fn pid(rng: &mut SmallRng) -> u32 {
    rng.random_range(1_200..64_000)
}

/// An ephemeral client port.
pub(super) fn port(rng: &mut SmallRng) -> u16 {
    rng.random_range(32_768..61_000)
}

/// A random instant inside `[from, to)`.
pub(super) fn between(rng: &mut SmallRng, from: Ms, to: Ms) -> Ms {
    rng.random_range(from..to.max(from + 1))
}

/// A random instant inside the given hour of the day.
pub(super) fn within_hour(rng: &mut SmallRng, hour: u32) -> Ms {
    between(rng, hour * HOUR, (hour + 1) * HOUR)
}

/// Events per hour: busier in office hours (08-18), quieter at night.
pub(super) fn hourly_volume(rng: &mut SmallRng, hour: u32, office: u32, night: u32) -> u32 {
    let mean = if (8..18).contains(&hour) {
        office
    } else {
        night
    };
    rng.random_range(mean * 3 / 4..=mean * 5 / 4)
}

/// An address in one of the documentation ranges, standing in for the internet.
pub(super) fn outside_ip(rng: &mut SmallRng) -> String {
    let net = pick(rng, &["198.51.100", "203.0.113"]);
    format!("{net}.{}", rng.random_range(2..250))
}

/// Anyone at an internet-zone terminal: staff with server accounts or clerks.
pub(super) fn desk(rng: &mut SmallRng) -> Desk {
    let index = rng.random_range(0..STAFF.len() + CLERKS.len());
    match STAFF.get(index) {
        Some(account) => Desk::from(account),
        None => CLERKS[index - STAFF.len()],
    }
}
