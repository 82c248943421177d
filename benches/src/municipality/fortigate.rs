//! The inet-fw01 FortiGate's own log stream: FortiOS `key=value` records sent
//! over syslog with a PRI and no syslog header.
//!
//! Traffic: Microsoft 365 and web meetings straight from the terminals (they
//! bypass the proxy), the proxy's and the resolver's outbound connections,
//! inbound SMTP to the mail server, the odd terminal trying to get out without
//! the proxy, and scans from the internet probing the servers on 22/23/445/3389
//! (all denied by the implicit policy 0). Events: the administrator logging in
//! to the web UI from 10.40.1.5 a few times during office hours.

use rand::Rng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;

use super::clock::{Day, MIN, Ms, SEC, hm};
use super::dice::{desk, hourly_volume, outside_ip, pick, port, within_hour};
use super::feed::{Facility, Severity, pri};
use super::sites::{DIRECT_CLOUD, GENERAL, GOVERNMENT, NEWS, PLAIN_HTTP, Site};
use super::timeline::Timeline;
use super::town::{FW_ADMIN_CONSOLE, INET_FW01, INET_MAIL01, INET_PROXY01, Zone};

const DEVID: &str = "FGT60FTK2209A001";
/// Forward-traffic log id.
const TRAFFIC_LOGID: &str = "0000000013";
const ADMIN_LOGIN_LOGID: &str = "0100032001";
const ADMIN_LOGOUT_LOGID: &str = "0100032003";

/// Ports internet scanners try on the servers, with FortiOS service names.
const PROBED: [(u16, &str); 4] = [(22, "SSH"), (23, "TELNET"), (445, "SMB"), (3389, "RDP")];
/// Scans per hour (each tries one to four ports), day and night alike.
const SCANS_PER_HOUR: u32 = 5;

/// Millisecond of the day plus the nanoseconds within that millisecond.
type Instant = (Ms, u32);

/// Draws one session of some kind.
type SessionKind = fn(&mut SmallRng) -> Session;

/// Kinds of allowed or denied session, with their hourly volume in and out
/// of office hours.
const SESSIONS: [(u32, u32, SessionKind); 5] = [
    (100, 2, direct_cloud),
    (110, 4, proxy_upstream),
    (40, 8, resolver),
    (25, 6, smtp_in),
    (5, 0, direct_denied),
];

#[derive(Debug, Clone, Copy)]
enum Level {
    Notice,
    Information,
}

/// The fields every FortiOS log starts with.
struct Header {
    logid: &'static str,
    kind: &'static str,
    subtype: &'static str,
    level: Level,
}

impl Header {
    fn render(&self, day: &Day, at: Instant) -> String {
        let (name, severity) = match self.level {
            Level::Notice => ("notice", Severity::Notice),
            Level::Information => ("information", Severity::Info),
        };
        let local = day.local(at.0);
        let eventtime = day.epoch_millis(at.0) * 1_000_000 + i64::from(at.1);
        format!(
            r#"<{}>date={} time={} devname="{}" devid="{DEVID}" eventtime={eventtime} tz="+0900" logid="{}" type="{}" subtype="{}" level="{name}" vd="root""#,
            pri(Facility::Local7, severity),
            local.format("%Y-%m-%d"),
            local.format("%H:%M:%S"),
            INET_FW01.name,
            self.logid,
            self.kind,
            self.subtype,
        )
    }
}

/// One forwarded (or refused) session.
struct Session {
    src: String,
    sport: u16,
    /// From the internal side to the internet (else the other way round).
    outbound: bool,
    dst: String,
    dport: u16,
    proto: u8,
    action: &'static str,
    policy: u32,
    service: &'static str,
    sent: u32,
    rcvd: u32,
    duration: u32,
    app: Option<&'static str>,
}

const TCP: u8 = 6;
const UDP: u8 = 17;
const LAN: (&str, &str) = ("internal", "lan");
const WAN: (&str, &str) = ("wan1", "wan");

impl Session {
    /// A session refused by the implicit deny policy.
    fn denied(src: String, outbound: bool, dst: String, dport: u16, service: &'static str) -> Self {
        Self {
            src,
            sport: 0,
            outbound,
            dst,
            dport,
            proto: TCP,
            action: "deny",
            policy: 0,
            service,
            sent: 0,
            rcvd: 0,
            duration: 0,
            app: None,
        }
    }

    fn render(&self, day: &Day, at: Instant) -> String {
        let header = Header {
            logid: TRAFFIC_LOGID,
            kind: "traffic",
            subtype: "forward",
            level: Level::Notice,
        };
        let ((srcintf, srcrole), (dstintf, dstrole)) = if self.outbound {
            (LAN, WAN)
        } else {
            (WAN, LAN)
        };
        let app = self
            .app
            .map(|app| format!(r#" app="{app}""#))
            .unwrap_or_default();
        format!(
            r#"{} srcip={} srcport={} srcintf="{srcintf}" srcintfrole="{srcrole}" dstip={} dstport={} dstintf="{dstintf}" dstintfrole="{dstrole}" proto={} action="{}" policyid={} service="{}" sentbyte={} rcvdbyte={} duration={}{app}"#,
            header.render(day, at),
            self.src,
            self.sport,
            self.dst,
            self.dport,
            self.proto,
            self.action,
            self.policy,
            self.service,
            self.sent,
            self.rcvd,
            self.duration,
        )
    }
}

/// The firewall's log for the day, in time order.
pub(super) fn generate(rng: &mut SmallRng, day: Day) -> Vec<String> {
    let mut log = Timeline::new();
    for hour in 0..24 {
        for (office, night, session) in SESSIONS {
            for _ in 0..hourly_volume(rng, hour, office, night) {
                let at = within_hour(rng, hour);
                let at = instant(rng, at);
                log.push(at, session(rng).render(&day, at));
            }
        }
        for _ in 0..hourly_volume(rng, hour, SCANS_PER_HOUR, SCANS_PER_HOUR) {
            let start = within_hour(rng, hour);
            scan(rng, &day, &mut log, start);
        }
    }
    admin_sessions(rng, &day, &mut log);
    log.into_lines()
}

fn instant(rng: &mut SmallRng, at: Ms) -> Instant {
    (at, rng.random_range(0..1_000_000))
}

/// Microsoft 365 or a web meeting, straight from a terminal.
fn direct_cloud(rng: &mut SmallRng) -> Session {
    let (site, app) = pick(rng, &DIRECT_CLOUD);
    Session {
        src: desk(rng).ip(),
        sport: port(rng),
        outbound: true,
        dst: site.ip.to_owned(),
        dport: 443,
        proto: TCP,
        action: if rng.random_bool(0.9) {
            "close"
        } else {
            "accept"
        },
        policy: 12,
        service: "HTTPS",
        sent: rng.random_range(800..200_000),
        rcvd: rng.random_range(2_000..3_000_000),
        duration: rng.random_range(1..900),
        app: Some(app),
    }
}

/// The proxy fetching a site on a terminal's behalf.
fn proxy_upstream(rng: &mut SmallRng) -> Session {
    let (site, plain): (&Site, bool) = match rng.random_range(0..20) {
        0..=10 => (pick(rng, &GOVERNMENT), false),
        11..=13 => (pick(rng, &GENERAL), false),
        14..=16 => (pick(rng, &NEWS), false),
        _ => (&pick(rng, &PLAIN_HTTP).0, true),
    };
    let (dport, service, app) = if plain {
        (80, "HTTP", "HTTP.BROWSER")
    } else {
        (443, "HTTPS", "HTTPS.BROWSER")
    };
    Session {
        src: INET_PROXY01.ip.to_owned(),
        sport: port(rng),
        outbound: true,
        dst: site.ip.to_owned(),
        dport,
        proto: TCP,
        action: "close",
        policy: 10,
        service,
        sent: rng.random_range(500..40_000),
        rcvd: rng.random_range(1_500..2_000_000),
        duration: rng.random_range(1..120),
        app: Some(app),
    }
}

/// The resolver on inet-proxy01 asking servers on the internet.
fn resolver(rng: &mut SmallRng) -> Session {
    Session {
        src: INET_PROXY01.ip.to_owned(),
        sport: port(rng),
        outbound: true,
        dst: outside_ip(rng),
        dport: 53,
        proto: UDP,
        action: "accept",
        policy: 11,
        service: "DNS",
        sent: rng.random_range(60..140),
        rcvd: rng.random_range(80..900),
        duration: rng.random_range(0..=2),
        app: Some("DNS"),
    }
}

/// Mail from the internet to inet-mail01.
fn smtp_in(rng: &mut SmallRng) -> Session {
    Session {
        src: outside_ip(rng),
        sport: port(rng),
        outbound: false,
        dst: INET_MAIL01.ip.to_owned(),
        dport: 25,
        proto: TCP,
        action: "close",
        policy: 20,
        service: "SMTP",
        sent: rng.random_range(2_000..400_000),
        rcvd: rng.random_range(500..3_000),
        duration: rng.random_range(1..30),
        app: Some("SMTP"),
    }
}

/// A terminal trying to reach the web without the proxy.
fn direct_denied(rng: &mut SmallRng) -> Session {
    let (dport, service) = *pick(rng, &[(80, "HTTP"), (443, "HTTPS"), (8080, "tcp/8080")]);
    Session {
        sport: port(rng),
        ..Session::denied(desk(rng).ip(), true, outside_ip(rng), dport, service)
    }
}

/// One scanner trying a few ports on one server within a few seconds.
fn scan(rng: &mut SmallRng, day: &Day, log: &mut Timeline<Instant>, start: Ms) {
    let scanner = outside_ip(rng);
    let target = *pick(rng, &[INET_PROXY01.ip, INET_MAIL01.ip]);
    let tries = rng.random_range(1..=PROBED.len());
    let ports: Vec<(u16, &str)> = PROBED.choose_multiple(rng, tries).copied().collect();
    let mut at = start;
    for (dport, service) in ports {
        let session = Session {
            sport: port(rng),
            ..Session::denied(scanner.clone(), false, target.to_owned(), dport, service)
        };
        let when = instant(rng, at);
        log.push(when, session.render(day, when));
        at += rng.random_range(200..3 * SEC);
    }
}

/// Web-UI logins by `admin` from the admin console, one per equal slot of
/// 09:00-17:00 so they never overlap, each followed by a logout.
fn admin_sessions(rng: &mut SmallRng, day: &Day, log: &mut Timeline<Instant>) {
    let console = Zone::Internet.terminal(FW_ADMIN_CONSOLE);
    let ui = format!("https({console})");
    let sessions = rng.random_range(2..=4);
    let slot = (hm(17, 0) - hm(9, 0)) / sessions;
    for index in 0..sessions {
        let login = hm(9, 0) + index * slot + rng.random_range(0..slot / 2);
        let length = rng.random_range(3 * MIN..slot / 2);
        let header = |logid| Header {
            logid,
            kind: "event",
            subtype: "system",
            level: Level::Information,
        };
        let at = instant(rng, login);
        let text = format!(
            r#"{} logdesc="Admin login successful" user="admin" ui="{ui}" action="login" status="success" msg="Administrator admin logged in successfully from {ui}""#,
            header(ADMIN_LOGIN_LOGID).render(day, at),
        );
        log.push(at, text);
        let at = instant(rng, login + length);
        let text = format!(
            r#"{} logdesc="Admin logout successful" user="admin" ui="{ui}" action="logout" status="success" duration={} state="Logout" msg="Administrator admin logged out from {ui}""#,
            header(ADMIN_LOGOUT_LOGID).render(day, at),
            length / SEC,
        );
        log.push(at, text);
    }
}
