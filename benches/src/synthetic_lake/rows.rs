//! One row of each table, as parsers would have produced it.

use bannin_ingest::batch::{Body, Core, Row};
use bannin_parsers::{AuthEvent, FirewallRecord, Outcome, ProxyRecord, SyslogRecord};
use chrono::{DateTime, Utc};
use rand::Rng;
use rand::rngs::SmallRng;

use super::pools::{ATTACKERS, Pools, SHADOW_HOSTS, skewed};

/// Out of 100 rows: proxy below 55, firewall below 90, auth the rest.
const PROXY_SHARE: u32 = 55;
const FIREWALL_SHARE: u32 = 90;

const METHODS: [&str; 4] = ["GET", "GET", "POST", "CONNECT"];
const STATUSES: [u16; 8] = [200, 200, 200, 200, 304, 302, 404, 403];
const CATEGORIES: [&str; 6] = [
    "business",
    "news",
    "search-engines",
    "government",
    "shopping",
    "file-sharing",
];
const AGENTS: [&str; 3] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0)",
];
const CONTENT_TYPES: [&str; 4] = [
    "text/html",
    "application/json",
    "image/png",
    "application/octet-stream",
];
const PROBED_PORTS: [u16; 8] = [22, 23, 445, 3389, 1433, 5900, 8080, 8443];
const GUESSED_USERS: [&str; 6] = ["root", "admin", "test", "oracle", "guest", "ubuntu"];

/// A row of tenant `tenant` at `time`.
pub fn row(pools: &Pools, tenant: usize, time: DateTime<Utc>, rng: &mut SmallRng) -> Row {
    let roll = rng.random_range(0..100);
    let (body, raw) = if roll < PROXY_SHARE {
        proxy(pools, tenant, time, rng)
    } else if roll < FIREWALL_SHARE {
        firewall(pools, tenant, time, rng)
    } else {
        auth(pools, tenant, time, rng)
    };
    Row {
        core: Core {
            time,
            received_at: time + chrono::Duration::milliseconds(rng.random_range(5..900)),
            source: "bench".into(),
            segment: Some(
                if matches!(body, Body::Proxy(_)) {
                    "internet"
                } else {
                    "lgwan"
                }
                .into(),
            ),
            raw,
        },
        body,
    }
}

fn pick<'a, T>(rng: &mut SmallRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A client of the tenant and the account that works at it.
fn staff<'a>(pools: &'a Pools, tenant: usize, rng: &mut SmallRng) -> (usize, &'a str, &'a str) {
    let clients = &pools.clients[tenant];
    let users = &pools.users[tenant];
    let n = rng.random_range(0..clients.len());
    (n, &clients[n], &users[n * 7 % users.len()])
}

fn proxy(pools: &Pools, tenant: usize, time: DateTime<Utc>, rng: &mut SmallRng) -> (Body, String) {
    let (_, src, user) = staff(pools, tenant, rng);
    let host = if rng.random_range(0..200) == 0 {
        *pick(rng, &SHADOW_HOSTS)
    } else {
        pools.hosts[skewed(rng, pools.hosts.len())].as_str()
    };
    let method = *pick(rng, &METHODS);
    let status = *pick(rng, &STATUSES);
    let denied = status == 403;
    let bytes_in = if denied {
        3_900
    } else {
        200 + rng.random_range(0..60_000u64) * rng.random_range(1..20)
    };
    let bytes_out = if method == "POST" {
        500 + rng.random_range(0..400_000u64)
    } else {
        300 + rng.random_range(0..1_500u64)
    };
    let path = format!("/p/{}", rng.random_range(0..5_000u32));
    let url = if method == "CONNECT" {
        format!("{host}:443")
    } else {
        format!("https://{host}{path}")
    };
    let action = if denied {
        "TCP_DENIED"
    } else if method == "CONNECT" {
        "TCP_TUNNEL"
    } else {
        "TCP_MISS"
    };
    let duration = rng.random_range(1..3_000u64);
    let content_type = *pick(rng, &CONTENT_TYPES);
    let raw = format!(
        "{}.{:03} {duration:>6} {src} {action}/{status} {bytes_in} {method} {url} {user} HIER_DIRECT/{host} {content_type}",
        time.timestamp(),
        time.timestamp_subsec_millis(),
    );
    let record = ProxyRecord {
        time,
        src_ip: Some(src.to_owned()),
        user: Some(user.to_owned()),
        method: Some(method.to_owned()),
        url: Some(url),
        url_host: Some(host.to_owned()),
        url_path: (method != "CONNECT").then_some(path),
        status: Some(status),
        bytes_in: Some(bytes_in),
        bytes_out: Some(bytes_out),
        action: Some(action.to_owned()),
        category: Some((*pick(rng, &CATEGORIES)).to_owned()),
        user_agent: Some((*pick(rng, &AGENTS)).to_owned()),
        duration_ms: Some(duration),
        content_type: Some(content_type.to_owned()),
        upstream: None,
    };
    (Body::Proxy(Box::new(record)), raw)
}

fn firewall(
    pools: &Pools,
    tenant: usize,
    time: DateTime<Utc>,
    rng: &mut SmallRng,
) -> (Body, String) {
    let device = format!("fw-{}-01", super::TENANTS[tenant].0);
    let mut rec = FirewallRecord::new(time, Some(device));
    let outbound = rng.random_range(0..10) < 7;
    let (src, dst, dst_port, proto, action) = if outbound {
        let (_, src, _) = staff(pools, tenant, rng);
        let dst = &pools.outside[skewed(rng, pools.outside.len())];
        let (port, proto) = match rng.random_range(0..20) {
            0..14 => (443, "tcp"),
            14..17 => (80, "tcp"),
            17..19 => (53, "udp"),
            _ => (rng.random_range(1024..65_535), "tcp"),
        };
        let action = if rng.random_range(0..20) == 0 {
            "deny"
        } else {
            "accept"
        };
        (src, dst.as_str(), port, proto, action)
    } else {
        let src = &pools.outside[rng.random_range(0..pools.outside.len())];
        let dst = pick(rng, &pools.servers[tenant]);
        let port = *pick(rng, &PROBED_PORTS);
        let action = if rng.random_range(0..10) == 0 {
            "accept"
        } else {
            "deny"
        };
        (src.as_str(), dst.as_str(), port, "tcp", action)
    };
    let src_port = rng.random_range(32_768..61_000);
    let (bytes_in, bytes_out) = if action == "deny" {
        (0, 60)
    } else {
        (
            rng.random_range(200..2_000_000u64),
            rng.random_range(100..80_000u64),
        )
    };
    let rule = if action == "deny" {
        "deny-default"
    } else if outbound {
        "lan-to-wan"
    } else {
        "dmz-in"
    };
    let raw = format!(
        "date={} devname={} type=traffic subtype=forward action={action} srcip={src} srcport={src_port} dstip={dst} dstport={dst_port} proto={proto} sentbyte={bytes_out} rcvdbyte={bytes_in} policyname={rule}",
        time.format("%Y-%m-%dT%H:%M:%S"),
        rec.host.as_deref().unwrap_or_default(),
    );
    rec.log_type = Some("traffic".to_owned());
    rec.subtype = Some("forward".to_owned());
    rec.action = Some(action.to_owned());
    rec.src_ip = Some(src.to_owned());
    rec.src_port = Some(src_port);
    rec.dst_ip = Some(dst.to_owned());
    rec.dst_port = Some(dst_port);
    rec.proto = Some(proto.to_owned());
    rec.bytes_in = Some(bytes_in);
    rec.bytes_out = Some(bytes_out);
    rec.rule = Some(rule.to_owned());
    rec.src_zone = Some(if outbound { "lan" } else { "wan" }.to_owned());
    rec.dst_zone = Some(if outbound { "wan" } else { "dmz" }.to_owned());
    (Body::Firewall(Box::new(rec)), raw)
}

fn auth(pools: &Pools, tenant: usize, time: DateTime<Utc>, rng: &mut SmallRng) -> (Body, String) {
    let server = pick(rng, &pools.servers[tenant]).clone();
    let roll = rng.random_range(0..100);
    let (app, user, src, outcome, method, reason, target) = if roll < 35 {
        // A brute force: one attacker holds each ten-minute window.
        let window = (time.timestamp() / 600) as usize;
        let src = &pools.attackers[(window * 31 + tenant * 17) % ATTACKERS];
        let guessed = *pick(rng, &GUESSED_USERS);
        let reason = if guessed == "root" {
            "bad_credentials"
        } else {
            "invalid_user"
        };
        (
            "sshd",
            guessed.to_owned(),
            Some(src.clone()),
            Outcome::Failure,
            Some("password"),
            Some(reason),
            None,
        )
    } else if roll < 90 {
        let (_, src, user) = staff(pools, tenant, rng);
        let failed = rng.random_range(0..12) == 0;
        let outcome = if failed {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        let method = if failed {
            "password"
        } else {
            *pick(rng, &["publickey", "password"])
        };
        (
            "sshd",
            user.to_owned(),
            Some(src.to_owned()),
            outcome,
            Some(method),
            failed.then_some("bad_credentials"),
            None,
        )
    } else {
        let (_, _, user) = staff(pools, tenant, rng);
        (
            "sudo",
            user.to_owned(),
            None,
            Outcome::Success,
            None,
            None,
            Some("root".to_owned()),
        )
    };
    let src_port = src.as_ref().map(|_| rng.random_range(32_768..61_000u16));
    let message = match (app, outcome, &src) {
        ("sudo", _, _) => format!(
            "{user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl status"
        ),
        (_, Outcome::Success, Some(ip)) => format!(
            "Accepted {} for {user} from {ip} port {} ssh2",
            method.unwrap_or_default(),
            src_port.unwrap_or_default()
        ),
        (_, _, ip) => format!(
            "Failed password for {}{user} from {} port {} ssh2",
            if reason == Some("invalid_user") {
                "invalid user "
            } else {
                ""
            },
            ip.as_deref().unwrap_or_default(),
            src_port.unwrap_or_default()
        ),
    };
    let pid = rng.random_range(1_200..64_000u32);
    let raw = format!(
        "<38>{} srv{server} {app}[{pid}]: {message}",
        time.format("%b %e %H:%M:%S")
    );
    let envelope = SyslogRecord {
        time,
        facility: Some(if app == "sudo" { 10 } else { 4 }),
        severity: Some(6),
        host: Some(server),
        app_name: Some(app.to_owned()),
        procid: Some(pid.to_string()),
        msgid: None,
        structured_data: None,
        message,
    };
    let event = AuthEvent {
        app: app.to_owned(),
        user: Some(user),
        target_user: target,
        src_ip: src,
        src_port,
        outcome,
        method: method.map(str::to_owned),
        reason: reason.map(str::to_owned),
        elevated: false,
        group: None,
    };
    (
        Body::Auth {
            envelope: Box::new(envelope),
            event: Box::new(event),
            privileged: false,
        },
        raw,
    )
}
