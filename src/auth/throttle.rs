//! Throttling of authentication failures: an address that fails
//! [`Throttle::max_failures`] times within the window is refused (429,
//! `Retry-After`) until the window has passed, even with a good token —
//! guessing tokens from one address gets nowhere. Kept in memory: a
//! restart forgets, which only helps someone who can restart bannin.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures per client address.
pub struct Throttle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Addresses remembered at most (beyond this, the oldest are forgotten).
const MAX_TRACKED: usize = 100_000;

impl Throttle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: max_failures.max(1),
            window,
            failures: Mutex::default(),
        }
    }

    /// How long `client` is still refused, if it is.
    pub fn refused(&self, client: IpAddr, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let (since, count) = failures.get(&client)?;
        let left = self
            .window
            .checked_sub(now.saturating_duration_since(*since))?;
        (*count >= self.max_failures && !left.is_zero()).then_some(left)
    }

    /// Counts a failure of `client`.
    pub fn failed(&self, client: IpAddr, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_TRACKED {
            let window = self.window;
            failures.retain(|_, (since, _)| now.saturating_duration_since(*since) < window);
        }
        let entry = failures.entry(client).or_insert((now, 0));
        if now.saturating_duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }

    /// Addresses refused right now (for `/metrics`).
    pub fn refused_clients(&self, now: Instant) -> usize {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures
            .values()
            .filter(|(since, count)| {
                *count >= self.max_failures && now.saturating_duration_since(*since) < self.window
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_after_its_failures_until_the_window_passes() {
        let throttle = Throttle::new(3, Duration::from_secs(60));
        let guesser: IpAddr = "192.0.2.7".parse().unwrap();
        let desk: IpAddr = "10.1.2.3".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..2 {
            throttle.failed(guesser, t0);
        }
        assert_eq!(throttle.refused(guesser, t0), None);
        throttle.failed(guesser, t0);
        let left = throttle
            .refused(guesser, t0 + Duration::from_secs(10))
            .unwrap();
        assert_eq!(left, Duration::from_secs(50));
        assert_eq!(throttle.refused(desk, t0), None);
        assert_eq!(throttle.refused_clients(t0), 1);
        assert_eq!(
            throttle.refused(guesser, t0 + Duration::from_secs(61)),
            None
        );
        // A new window starts counting afresh.
        throttle.failed(guesser, t0 + Duration::from_secs(61));
        assert_eq!(
            throttle.refused(guesser, t0 + Duration::from_secs(62)),
            None
        );
    }
}
