//! Stopping the stream listeners without dropping what they have read.
//!
//! A connection reads a few batches ahead of the pipeline. Aborted on a
//! stop, it would drop those batches and what waits in its socket: bytes
//! the sender's kernel counted as delivered, and that plain TCP and TLS
//! syslog never resend. Stopping instead tells each connection to finish:
//! it reads what its sender has already sent (until the sender pauses, for
//! a few seconds at most), hands all it read on into the WAL and ends, and
//! [`Draining::stop`] waits for that. A sender that goes on sending past
//! that, or a frame cut by the stop, is all a stop loses.

use std::time::Duration;

use tokio::sync::{mpsc, watch};

/// Held by whoever stops the listeners.
#[derive(Debug)]
pub struct Draining {
    asked: watch::Sender<bool>,
    alive: mpsc::Sender<()>,
    ended: mpsc::Receiver<()>,
}

/// A listener's or a connection's part in a [`Draining`]: says when to
/// stop reading; while any is held, [`Draining::stop`] waits.
#[derive(Debug, Clone)]
pub struct Drain {
    asked: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
}

impl Default for Draining {
    fn default() -> Self {
        let (asked, _) = watch::channel(false);
        let (alive, ended) = mpsc::channel(1);
        Self {
            asked,
            alive,
            ended,
        }
    }
}

impl Draining {
    /// A part to hand to a listener (which hands one to each connection).
    pub fn drain(&self) -> Drain {
        Drain {
            asked: self.asked.subscribe(),
            _alive: self.alive.clone(),
        }
    }

    /// Tells every listener to accept no more connections and every
    /// connection to finish reading, then waits up to `within` until all
    /// have handed on what they read. False when some had not by then
    /// (the pipeline refusing records, e.g. on a full disk).
    pub async fn stop(self, within: Duration) -> bool {
        let Self {
            asked,
            alive,
            mut ended,
        } = self;
        asked.send_replace(true);
        drop(alive);
        // Nothing is ever sent: `recv` ends when the last part is dropped.
        tokio::time::timeout(within, ended.recv()).await.is_ok()
    }
}

impl Drain {
    /// Resolves once stopping is asked; never, if the [`Draining`] was
    /// dropped without asking.
    pub async fn asked(&mut self) {
        if self.asked.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_waits_for_every_part_then_gives_up_at_the_deadline() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let draining = Draining::default();
        let mut part = draining.drain();
        let handed_on = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&handed_on);
        tokio::spawn(async move {
            part.asked().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            done.store(true, Ordering::SeqCst);
            drop(part);
        });
        assert!(draining.stop(Duration::from_secs(5)).await);
        assert!(handed_on.load(Ordering::SeqCst));

        let draining = Draining::default();
        let stuck = draining.drain();
        assert!(!draining.stop(Duration::from_millis(50)).await);
        drop(stuck);
    }

    #[tokio::test]
    async fn a_dropped_draining_never_asks() {
        let draining = Draining::default();
        let mut part = draining.drain();
        drop(draining);
        let asked = tokio::time::timeout(Duration::from_millis(50), part.asked()).await;
        assert!(asked.is_err(), "readers go on when nobody will stop them");
    }
}
