//! Postfix on inet-mail01: inbound mail from the internet (some rejected as
//! spam) and a modest flow of outbound staff mail via the security cloud.

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{Ms, SEC};
use super::dice::{hourly_volume, outside_ip, pick, pid, within_hour};
use super::feed::{Facility, Feeds, Severity, Syslog};
use super::town::{INET_MAIL01, MAIL_DOMAIN, SECURITY_CLOUD_RELAY, STAFF, Zone};

pub(super) const EXTERNAL_DOMAINS: [&str; 7] = [
    "example.jp",
    "example.co.jp",
    "example.ne.jp",
    "example.or.jp",
    "example.com",
    "example.net",
    "example.org",
];
/// The 無害化 (sanitisation) gateway inbound mail is handed to.
const SANITIZER: &str = "sanitizer.city.sakuragaoka.example[10.40.0.30]:25";

pub(super) const EXTERNAL_SENDERS: [&str; 5] =
    ["info", "support", "newsletter", "kouhou", "jimukyoku"];

/// Long-lived postfix daemons keep their pid all day.
struct Daemons {
    qmgr: u32,
    cleanup: u32,
}

/// One accepted message on its way through postfix.
struct Message<'a> {
    client: &'a str,
    sasl_user: Option<&'a str>,
    from: &'a str,
    to: &'a str,
    delivery: Delivery,
}

enum Delivery {
    /// To the sanitisation gateway in front of LGWAN mailboxes.
    Inbound,
    /// Out through the security-cloud relay.
    Outbound,
}

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    let daemons = Daemons {
        qmgr: pid(rng),
        cleanup: pid(rng),
    };
    for hour in 0..24 {
        for _ in 0..hourly_volume(rng, hour, 24, 6) {
            let at = within_hour(rng, hour);
            inbound(rng, feeds, &daemons, at);
        }
        for _ in 0..hourly_volume(rng, hour, 10, 1) {
            let at = within_hour(rng, hour);
            outbound(rng, feeds, &daemons, at);
        }
        for _ in 0..hourly_volume(rng, hour, 6, 6) {
            let at = within_hour(rng, hour);
            rejected(rng, feeds, at);
        }
    }
}

fn inbound(rng: &mut SmallRng, feeds: &mut Feeds, daemons: &Daemons, at: Ms) {
    let domain = pick(rng, &EXTERNAL_DOMAINS);
    let client = format!("mail.{domain}[{}]", outside_ip(rng));
    let from = format!("{}@{domain}", pick(rng, &EXTERNAL_SENDERS));
    let to = format!("{}@{MAIL_DOMAIN}", pick(rng, &STAFF).name);
    let message = Message {
        client: &client,
        sasl_user: None,
        from: &from,
        to: &to,
        delivery: Delivery::Inbound,
    };
    accepted(rng, feeds, daemons, at, &message);
}

fn outbound(rng: &mut SmallRng, feeds: &mut Feeds, daemons: &Daemons, at: Ms) {
    let sender = pick(rng, &STAFF);
    let client = format!("unknown[{}]", Zone::Internet.terminal(sender.terminal));
    let from = format!("{}@{MAIL_DOMAIN}", sender.name);
    let to = format!(
        "{}@{}",
        pick(rng, &EXTERNAL_SENDERS),
        pick(rng, &EXTERNAL_DOMAINS)
    );
    let message = Message {
        client: &client,
        sasl_user: Some(sender.name),
        from: &from,
        to: &to,
        delivery: Delivery::Outbound,
    };
    accepted(rng, feeds, daemons, at, &message);
}

fn postfix(feeds: &mut Feeds, at: Ms, app: &str, pid: u32, text: &str) {
    let msg = Syslog::new(Facility::Mail, Severity::Info, app, text).pid(pid);
    feeds.syslog(at, INET_MAIL01, msg);
}

fn accepted(
    rng: &mut SmallRng,
    feeds: &mut Feeds,
    daemons: &Daemons,
    at: Ms,
    message: &Message<'_>,
) {
    let smtpd = pid(rng);
    let queue_id = format!("{:010X}", rng.random::<u64>() & 0xFF_FFFF_FFFF);
    let client = message.client;
    let mut t = at;
    postfix(
        feeds,
        t,
        "postfix/smtpd",
        smtpd,
        &format!("connect from {client}"),
    );
    t += rng.random_range(30..400);
    let login = message.sasl_user.map_or_else(String::new, |user| {
        format!(", sasl_method=PLAIN, sasl_username={user}")
    });
    postfix(
        feeds,
        t,
        "postfix/smtpd",
        smtpd,
        &format!("{queue_id}: client={client}{login}"),
    );
    t += rng.random_range(30..400);
    let domain = message.from.rsplit('@').next().unwrap_or(MAIL_DOMAIN);
    let message_id = format!("{queue_id}.{}@{domain}", rng.random_range(100_000..999_999));
    postfix(
        feeds,
        t,
        "postfix/cleanup",
        daemons.cleanup,
        &format!("{queue_id}: message-id=<{message_id}>"),
    );
    t += rng.random_range(10..200);
    let size = rng.random_range(2_000..400_000);
    let from = message.from;
    postfix(
        feeds,
        t,
        "postfix/qmgr",
        daemons.qmgr,
        &format!("{queue_id}: from=<{from}>, size={size}, nrcpt=1 (queue active)"),
    );
    postfix(
        feeds,
        t + rng.random_range(20..300),
        "postfix/smtpd",
        smtpd,
        &format!("disconnect from {client} ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"),
    );
    let relay = match message.delivery {
        Delivery::Inbound => SANITIZER,
        Delivery::Outbound => SECURITY_CLOUD_RELAY,
    };
    let delay_ms = rng.random_range(150..2_500);
    t += delay_ms;
    let text = format!(
        "{queue_id}: to=<{}>, relay={relay}, delay={:.2}, delays=0.01/0.01/0.05/{:.2}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {:010X})",
        message.to,
        f64::from(delay_ms) / 1_000.0,
        f64::from(delay_ms.saturating_sub(70)) / 1_000.0,
        rng.random::<u64>() & 0xFF_FFFF_FFFF,
    );
    postfix(feeds, t, "postfix/smtp", pid(rng), &text);
    postfix(
        feeds,
        t + rng.random_range(1..20),
        "postfix/qmgr",
        daemons.qmgr,
        &format!("{queue_id}: removed"),
    );
}

/// Inbound spam turned away at RCPT: everyday noise, never an outbound burst.
fn rejected(rng: &mut SmallRng, feeds: &mut Feeds, at: Ms) {
    let smtpd = pid(rng);
    let ip = outside_ip(rng);
    let client = format!("unknown[{ip}]");
    let domain = pick(rng, &EXTERNAL_DOMAINS);
    let to = format!("{}@{MAIL_DOMAIN}", pick(rng, &STAFF).name);
    postfix(
        feeds,
        at,
        "postfix/smtpd",
        smtpd,
        &format!("connect from {client}"),
    );
    let text = format!(
        "NOQUEUE: reject: RCPT from {client}: 554 5.7.1 <{client}>: Client host rejected: Access denied; from=<promo@bulk.{domain}> to=<{to}> proto=ESMTP helo=<bulk.{domain}>"
    );
    let msg = Syslog::new(Facility::Mail, Severity::Notice, "postfix/smtpd", &text).pid(smtpd);
    feeds.syslog(at + rng.random_range(100..900), INET_MAIL01, msg);
    let bye = format!("disconnect from {client} ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
    postfix(
        feeds,
        at + rng.random_range(900..2 * SEC),
        "postfix/smtpd",
        smtpd,
        &bye,
    );
}
