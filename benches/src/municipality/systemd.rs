//! systemd unit activity: periodic timers, nightly log rotation, restarts.

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{MIN, Ms, SEC, hm};
use super::dice::pid;
use super::feed::{Facility, Feeds, Severity, Syslog};
use super::town::{Host, SERVERS};

const SYSTEMD_PID: u32 = 1;

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    for host in SERVERS {
        for slot in 0..24 * 6 {
            oneshot(
                rng,
                feeds,
                host,
                slot * 10 * MIN,
                "sysstat-collect.service",
                "system activity accounting tool",
            );
        }
        oneshot(rng, feeds, host, 0, "logrotate.service", "Rotate log files");
        rsyslog_hup(rng, feeds, host, 2 * SEC);
        oneshot(
            rng,
            feeds,
            host,
            hm(0, 7),
            "sysstat-summary.service",
            "Generate a daily summary of process accounting",
        );
        oneshot(
            rng,
            feeds,
            host,
            hm(6, 40),
            "man-db.service",
            "Daily man-db regeneration",
        );
    }
}

fn systemd(feeds: &mut Feeds, at: Ms, host: &Host, severity: Severity, text: &str) {
    feeds.syslog(
        at,
        host,
        Syslog::new(Facility::Daemon, severity, "systemd", text).pid(SYSTEMD_PID),
    );
}

/// A oneshot service run: `Starting ...`, then `Finished ...`.
fn oneshot(rng: &mut SmallRng, feeds: &mut Feeds, host: &Host, at: Ms, unit: &str, what: &str) {
    let start = at + rng.random_range(0..900);
    systemd(
        feeds,
        start,
        host,
        Severity::Info,
        &format!("Starting {unit} - {what}..."),
    );
    let end = start + rng.random_range(40..2 * SEC);
    systemd(
        feeds,
        end,
        host,
        Severity::Info,
        &format!("Finished {unit} - {what}."),
    );
}

fn rsyslog_hup(rng: &mut SmallRng, feeds: &mut Feeds, host: &Host, at: Ms) {
    let pid = pid(rng);
    let text = format!(
        "[origin software=\"rsyslogd\" swVersion=\"8.2302.0\" x-pid=\"{pid}\" x-info=\"https://www.rsyslog.com\"] rsyslogd was HUPed"
    );
    feeds.syslog(
        at + rng.random_range(0..SEC),
        host,
        Syslog::new(Facility::Syslog, Severity::Info, "rsyslogd", &text).pid(pid),
    );
}

/// What `systemctl restart UNIT` leaves in the journal.
pub(super) fn restart(rng: &mut SmallRng, feeds: &mut Feeds, host: &Host, at: Ms, unit: &str) {
    let what = describe(unit);
    let service = format!("{unit}.service");
    let mut at = at;
    for (severity, text) in [
        (Severity::Info, format!("Stopping {service} - {what}...")),
        (Severity::Info, format!("Stopped {service} - {what}.")),
        (Severity::Info, format!("Starting {service} - {what}...")),
        (Severity::Info, format!("Started {service} - {what}.")),
    ] {
        at += rng.random_range(20..1_500);
        systemd(feeds, at, host, severity, &text);
    }
}

fn describe(unit: &str) -> &str {
    match unit {
        "httpd" => "The Apache HTTP Server",
        "postfix" => "Postfix Mail Transport Agent",
        "named" => "BIND Domain Name Server",
        other => other,
    }
}
