//! Squid on inet-proxy01: the native access.log of the internet-zone proxy.
//!
//! Staff browse mostly over HTTPS (`CONNECT host:443`, logged with the proxy
//! user), fetch a little plain HTTP that needs no proxy login, and now and
//! then hit a blocked category (`TCP_DENIED/403`). Most of it falls in office
//! hours, with some overtime and a trickle of unattended update checks.
//!
//! Shadow IT: one clerk uploads files to [`UNAPPROVED_STORAGE`]
//! (`CONNECT files.example-storage.com:443`) 3 to 6 times between 10:00 and
//! 17:00 JST. The proxy does not block that service, so each upload is a
//! `TCP_TUNNEL/200` with the clerk's user name and a long elapsed time. The
//! native size field counts only the bytes sent back to the client, so an
//! upload shows a modest size; a rule should key on the destination.

use std::ops::{Range, RangeInclusive};

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{BUSINESS_END, BUSINESS_START, Day, Ms, SEC, hm};
use super::dice::{between, desk, pick, within_hour};
use super::sites::{BLOCKED, GENERAL, GOVERNMENT, NEWS, PLAIN_HTTP, Site, UNAPPROVED_STORAGE};
use super::timeline::Timeline;
use super::town::{CLERKS, Desk};

/// Office-hours requests in a day.
const OFFICE_REQUESTS: Range<u32> = 2_600..3_000;
/// Windows outside office hours when some staff are at their desks:
/// `(from, to, requests)`.
const OVERTIME: [(Ms, Ms, u32); 4] = [
    (hm(7, 45), BUSINESS_START, 30),
    (BUSINESS_END, hm(19, 0), 90),
    (hm(19, 0), hm(20, 0), 40),
    (hm(20, 0), hm(21, 0), 12),
];
/// Uploads to the unapproved storage, and when they may happen.
const UPLOADS: RangeInclusive<u32> = 3..=6;
const UPLOAD_WINDOW: (Ms, Ms) = (hm(10, 0), hm(17, 0));
/// Size of Squid's "access denied" error page.
const ERROR_PAGE_BYTES: Range<u32> = 3_850..3_990;

/// One access.log entry.
pub(super) struct Access {
    pub(super) elapsed: Ms,
    pub(super) client: String,
    pub(super) action: &'static str,
    pub(super) status: u16,
    pub(super) bytes: u32,
    pub(super) method: &'static str,
    pub(super) url: String,
    pub(super) user: Option<&'static str>,
    /// The upstream server, `None` when the proxy answered itself.
    pub(super) peer: Option<&'static str>,
    pub(super) content_type: &'static str,
}

impl Access {
    /// `{epoch}.{ms} {elapsed} {client} {action}/{code} {bytes} {method}
    /// {url} {user} {hierarchy}/{peer} {type}`.
    pub(super) fn render(&self, day: &Day, at: Ms) -> String {
        let epoch = day.epoch_millis(at);
        let hierarchy = match self.peer {
            Some(ip) => format!("HIER_DIRECT/{ip}"),
            None => "HIER_NONE/-".to_owned(),
        };
        format!(
            "{}.{:03} {:>6} {} {}/{:03} {} {} {} {} {hierarchy} {}",
            epoch.div_euclid(1_000),
            epoch.rem_euclid(1_000),
            self.elapsed,
            self.client,
            self.action,
            self.status,
            self.bytes,
            self.method,
            self.url,
            self.user.unwrap_or("-"),
            self.content_type,
        )
    }
}

/// The proxy's access.log for the day, added to `log`.
pub(super) fn generate(rng: &mut SmallRng, day: Day, log: &mut Timeline<Ms>) {
    let mut record = |at: Ms, access: Access| log.push(at, access.render(&day, at));
    for _ in 0..rng.random_range(OFFICE_REQUESTS) {
        let at = between(rng, BUSINESS_START, BUSINESS_END);
        record(at, browse(rng, at));
    }
    for (from, to, requests) in OVERTIME {
        for _ in 0..rng.random_range(requests * 3 / 4..=requests * 5 / 4) {
            let at = between(rng, from, to);
            record(at, browse(rng, at));
        }
    }
    for hour in (0..7).chain(21..24) {
        for _ in 0..rng.random_range(0..=3) {
            let at = within_hour(rng, hour);
            let desk = desk(rng);
            record(at, plain_http(rng, desk));
        }
    }
    let uploader = *pick(rng, &CLERKS);
    for _ in 0..rng.random_range(UPLOADS) {
        let at = between(rng, UPLOAD_WINDOW.0, UPLOAD_WINDOW.1);
        record(at, upload(rng, uploader));
    }
}

/// One request from someone at their desk.
fn browse(rng: &mut SmallRng, at: Ms) -> Access {
    let desk = desk(rng);
    let lunch = (hm(12, 0)..hm(13, 0)).contains(&at);
    match rng.random_range(0..20) {
        0..=10 => tunnel(rng, desk, &GOVERNMENT, 300_000),
        11..=12 => tunnel(rng, desk, &GENERAL, 200_000),
        13..=14 => tunnel(rng, desk, &NEWS, 2_000_000),
        15 if lunch => tunnel(rng, desk, &NEWS, 2_000_000),
        15..=18 => plain_http(rng, desk),
        _ => denied(rng, desk),
    }
}

/// An HTTPS tunnel through the proxy to one of `sites`; `max_bytes` bounds
/// the reply size.
fn tunnel(rng: &mut SmallRng, desk: Desk, sites: &[Site], max_bytes: u32) -> Access {
    let site = pick(rng, sites);
    let short = rng.random_range(120..3_000);
    let elapsed = if rng.random_bool(0.3) {
        short * rng.random_range(4..40)
    } else {
        short
    };
    Access {
        elapsed,
        client: desk.ip(),
        action: "TCP_TUNNEL",
        status: 200,
        bytes: rng.random_range(1_500..max_bytes),
        method: "CONNECT",
        url: format!("{}:443", site.host),
        user: Some(desk.user),
        peer: Some(site.ip),
        content_type: "-",
    }
}

/// A plain-HTTP fetch, allowed without proxy login; some come from cache.
fn plain_http(rng: &mut SmallRng, desk: Desk) -> Access {
    let (site, path, content_type, size) = pick(rng, &PLAIN_HTTP);
    let bytes = rng.random_range(size * 9 / 10..=size * 11 / 10) + 300;
    let (action, status, bytes, content_type, peer) = match rng.random_range(0..20) {
        0..=9 => ("TCP_MISS", 200, bytes, *content_type, Some(site.ip)),
        10..=13 => ("TCP_MEM_HIT", 200, bytes, *content_type, None),
        14..=18 => (
            "TCP_REFRESH_UNMODIFIED",
            200,
            bytes,
            *content_type,
            Some(site.ip),
        ),
        _ => (
            "TCP_MISS",
            404,
            rng.random_range(500..1_200),
            "text/html",
            Some(site.ip),
        ),
    };
    let elapsed = match peer {
        Some(_) => rng.random_range(15..900),
        None => rng.random_range(0..3),
    };
    Access {
        elapsed,
        client: desk.ip(),
        action,
        status,
        bytes,
        method: "GET",
        url: format!("http://{}{path}", site.host),
        user: None,
        peer,
        content_type,
    }
}

/// A request to a blocked category, refused before proxy login.
fn denied(rng: &mut SmallRng, desk: Desk) -> Access {
    let host = pick(rng, &BLOCKED);
    let (method, url) = if rng.random_bool(0.8) {
        ("CONNECT", format!("{host}:443"))
    } else {
        ("GET", format!("http://{host}/"))
    };
    Access {
        elapsed: rng.random_range(0..3),
        client: desk.ip(),
        action: "TCP_DENIED",
        status: 403,
        bytes: rng.random_range(ERROR_PAGE_BYTES),
        method,
        url,
        user: None,
        peer: None,
        content_type: "text/html",
    }
}

/// One upload to the unapproved storage: a long tunnel with a small reply.
fn upload(rng: &mut SmallRng, desk: Desk) -> Access {
    let storage = &UNAPPROVED_STORAGE;
    Access {
        elapsed: rng.random_range(20 * SEC..400 * SEC),
        client: desk.ip(),
        action: "TCP_TUNNEL",
        status: 200,
        bytes: rng.random_range(6_000..48_000),
        method: "CONNECT",
        url: format!("{}:443", storage.host),
        user: Some(desk.user),
        peer: Some(storage.ip),
        content_type: "-",
    }
}
