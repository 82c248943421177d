//! Scheduled jobs: pam_unix session lines in auth.log, `CMD` lines in syslog.

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{HOUR, MIN, Ms, SEC, hm};
use super::dice::pid;
use super::feed::{Facility, Feeds, Severity, Syslog};
use super::town::{Host, LG_FILE01, MN_DB01, SERVERS};

const HOURLY: &str = "cd / && run-parts --report /etc/cron.hourly";
const DAILY: &str = "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }";

/// Jobs some hosts run every ten minutes.
const EVERY_TEN_MINUTES: [(&Host, &str); 2] = [
    (MN_DB01, "/usr/local/bin/pg-healthcheck --quiet"),
    (LG_FILE01, "/usr/local/sbin/share-quota-check"),
];

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    for host in SERVERS {
        for hour in 0..24 {
            run(rng, feeds, host, hour * HOUR + 17 * MIN, HOURLY);
        }
        run(rng, feeds, host, hm(6, 25), DAILY);
    }
    for (host, command) in EVERY_TEN_MINUTES {
        for slot in 0..24 * 6 {
            run(rng, feeds, host, slot * 10 * MIN, command);
        }
    }
}

/// One cron run of `command` as root, starting at `at` (on the minute).
pub(super) fn run(rng: &mut SmallRng, feeds: &mut Feeds, host: &Host, at: Ms, command: &str) {
    let pid = pid(rng);
    let tag = format!("CRON[{pid}]");
    let start = at + rng.random_range(0..400);
    feeds.auth(
        start,
        host,
        &tag,
        "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
    );
    let cmd = format!("(root) CMD ({command})");
    feeds.syslog(
        start + 2,
        host,
        Syslog::new(Facility::Cron, Severity::Info, "CRON", &cmd).pid(pid),
    );
    feeds.auth(
        start + rng.random_range(50..3 * SEC),
        host,
        &tag,
        "pam_unix(cron:session): session closed for user root",
    );
}
