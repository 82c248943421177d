//! Postfix on lg-mail01, the LGWAN-side mail server, as its
//! `/var/log/maillog` (rsyslog file format, no PRI).
//!
//! Staff submit with SMTP AUTH from their LGWAN terminals; mail to outside
//! leaves through the security-cloud relay, mail from outside arrives from
//! it (already sanitised) and is handed to the mailbox store over LMTP, as
//! is mail between staff. A spam-filter milter turns away a little spam
//! that got past the security cloud.
//!
//! Injected: an infected PC (kato's terminal, with kato's stolen password)
//! sends 240 messages to 80 outside domains in eight minutes from 09:41;
//! a spam wave makes 150 milter rejects between 11:00 and 12:00.
//! Look-alike: the city's newsletter, 320 messages to 60 domains at 17:00
//! from the approved bulk sender lg-mlist01.

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{Day, Ms, SEC, hm};
use super::dice::{desk, hourly_volume, pick, pid, within_hour};
use super::mail::{EXTERNAL_DOMAINS, EXTERNAL_SENDERS};
use super::timeline::Timeline;
use super::town::{
    CLERKS, Desk, LG_MAIL01, MAIL_DOMAIN, NEWSLETTER_HOST, NEWSLETTER_SENDER, SECURITY_CLOUD_RELAY,
    STAFF, Zone,
};
use super::truth::Truth;

/// The relay as an SMTP client handing inbound mail over.
const RELAY_CLIENT: &str = "relay.seccloud.pref.example[10.99.0.25]";
const MAILBOX_STORE: &str = "lg-mbox01.city.sakuragaoka.example[10.30.0.15]:24";

/// The outbound burst.
pub(super) const BURST_MESSAGES: usize = 240;
pub(super) const BURST_DOMAINS: usize = 80;
pub(super) const BURST_START: Ms = hm(9, 41);
const BURST_EVERY: Ms = 2 * SEC;
/// The clerk whose terminal and password the malware uses.
const BURST_VICTIM: Desk = CLERKS[3];

/// The spam wave, in the hour starting at this time.
pub(super) const SPAM_WAVE_HOUR: u32 = 11;
pub(super) const SPAM_WAVE_REJECTS: usize = 150;
/// Ordinary milter rejects per hour, day and night.
const SPAM_PER_HOUR: u32 = 2;

/// The newsletter.
pub(super) const NEWSLETTER_MESSAGES: usize = 320;
pub(super) const NEWSLETTER_DOMAINS: usize = 60;
pub(super) const NEWSLETTER_START: Ms = hm(17, 0);
const NEWSLETTER_EVERY: Ms = 1_200;

const WORDS: [&str; 20] = [
    "sakura",
    "hikari",
    "midori",
    "aozora",
    "tsubasa",
    "kaede",
    "yamato",
    "minato",
    "nozomi",
    "hoshizora",
    "umibe",
    "morino",
    "kawabe",
    "soramame",
    "yumeno",
    "hanabi",
    "tsukimi",
    "kazeno",
    "yukiguni",
    "harukaze",
];
const SUFFIXES: [&str; 4] = ["shoji", "kogyo", "net", "mail"];

/// The `index`-th made-up outside domain (each its own registrable domain).
fn domain(index: usize) -> String {
    let word = WORDS[index % WORDS.len()];
    let suffix = SUFFIXES[(index / WORDS.len()) % SUFFIXES.len()];
    format!("{word}-{suffix}.example")
}

/// Who submits a message and how it is delivered.
struct Envelope<'a> {
    client: &'a str,
    sasl_user: Option<&'a str>,
    from: &'a str,
    to: &'a str,
    relay: &'a str,
}

struct Maillog<'a> {
    day: Day,
    log: Timeline<Ms>,
    rng: &'a mut SmallRng,
    qmgr: u32,
    cleanup: u32,
}

impl Maillog<'_> {
    fn line(&mut self, at: Ms, app: &str, pid: u32, text: &str) {
        let stamp = self.day.bsd_stamp(at);
        let host = LG_MAIL01.name;
        self.log
            .push(at, format!("{stamp} {host} {app}[{pid}]: {text}"));
    }

    fn queue_id(&mut self) -> String {
        format!("{:010X}", self.rng.random::<u64>() & 0xFF_FFFF_FFFF)
    }

    /// One message accepted and delivered (six to seven lines).
    fn deliver(&mut self, at: Ms, env: &Envelope<'_>) {
        let smtpd = pid(self.rng);
        let queue_id = self.queue_id();
        let client = env.client;
        self.line(
            at,
            "postfix/smtpd",
            smtpd,
            &format!("connect from {client}"),
        );
        let mut t = at + self.rng.random_range(30..300);
        let login = env.sasl_user.map_or_else(String::new, |user| {
            format!(", sasl_method=LOGIN, sasl_username={user}")
        });
        self.line(
            t,
            "postfix/smtpd",
            smtpd,
            &format!("{queue_id}: client={client}{login}"),
        );
        t += self.rng.random_range(20..200);
        let domain = env.from.rsplit('@').next().unwrap_or(MAIL_DOMAIN);
        let serial = self.rng.random_range(100_000..999_999);
        let cleanup = self.cleanup;
        let text = format!("{queue_id}: message-id=<{queue_id}.{serial}@{domain}>");
        self.line(t, "postfix/cleanup", cleanup, &text);
        t += self.rng.random_range(10..100);
        let size = self.rng.random_range(3_000..250_000);
        let qmgr = self.qmgr;
        let text = format!(
            "{queue_id}: from=<{}>, size={size}, nrcpt=1 (queue active)",
            env.from
        );
        self.line(t, "postfix/qmgr", qmgr, &text);
        let bye = t + self.rng.random_range(20..200);
        self.line(
            bye,
            "postfix/smtpd",
            smtpd,
            &format!(
                "disconnect from {client} ehlo=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=6"
            ),
        );
        let delay = self.rng.random_range(120..2_000);
        t += delay;
        let agent = if env.relay == MAILBOX_STORE {
            "postfix/lmtp"
        } else {
            "postfix/smtp"
        };
        let text = format!(
            "{queue_id}: to=<{}>, relay={}, delay={:.2}, delays=0.02/0.01/0.03/{:.2}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {})",
            env.to,
            env.relay,
            f64::from(delay) / 1_000.0,
            f64::from(delay.saturating_sub(60)) / 1_000.0,
            self.queue_id(),
        );
        let agent_pid = pid(self.rng);
        self.line(t, agent, agent_pid, &text);
        self.line(t + 3, "postfix/qmgr", qmgr, &format!("{queue_id}: removed"));
    }

    /// Spam from outside, refused by the milter after DATA.
    fn spam(&mut self, at: Ms) {
        let smtpd = pid(self.rng);
        let queue_id = self.queue_id();
        self.line(
            at,
            "postfix/smtpd",
            smtpd,
            &format!("connect from {RELAY_CLIENT}"),
        );
        self.line(
            at + 80,
            "postfix/smtpd",
            smtpd,
            &format!("{queue_id}: client={RELAY_CLIENT}"),
        );
        let sender = format!(
            "{}@{}",
            pick(self.rng, &["campaign", "noreply", "bonus", "account-alert"]),
            domain(self.rng.random_range(0..80))
        );
        let to = format!("{}@{MAIL_DOMAIN}", pick(self.rng, &STAFF).name);
        let text = format!(
            "{queue_id}: milter-reject: END-OF-MESSAGE from {RELAY_CLIENT}: 5.7.1 Spam message rejected; from=<{sender}> to=<{to}> proto=ESMTP helo=<relay.seccloud.pref.example>"
        );
        let cleanup = self.cleanup;
        self.line(at + 400, "postfix/cleanup", cleanup, &text);
        self.line(
            at + 450,
            "postfix/smtpd",
            smtpd,
            &format!(
                "disconnect from {RELAY_CLIENT} ehlo=1 mail=1 rcpt=1 data=0/1 quit=1 commands=4/5"
            ),
        );
    }
}

/// lg-mail01's maillog for the day, in time order.
pub(super) fn generate(rng: &mut SmallRng, day: Day, truth: &mut Truth) -> Vec<String> {
    let qmgr = pid(rng);
    let cleanup = pid(rng);
    let mut log = Maillog {
        day,
        log: Timeline::new(),
        rng,
        qmgr,
        cleanup,
    };
    for hour in 0..24 {
        for _ in 0..hourly_volume(log.rng, hour, 12, 0) {
            let at = within_hour(log.rng, hour);
            let desk = desk(log.rng);
            let client = format!("unknown[{}]", Zone::Lgwan.terminal(desk.terminal));
            let from = format!("{}@{MAIL_DOMAIN}", desk.user);
            let to = format!(
                "{}@{}",
                pick(log.rng, &EXTERNAL_SENDERS),
                pick(log.rng, &EXTERNAL_DOMAINS)
            );
            let env = Envelope {
                client: &client,
                sasl_user: Some(desk.user),
                from: &from,
                to: &to,
                relay: SECURITY_CLOUD_RELAY,
            };
            log.deliver(at, &env);
        }
        for _ in 0..hourly_volume(log.rng, hour, 20, 4) {
            let at = within_hour(log.rng, hour);
            let from = format!(
                "{}@{}",
                pick(log.rng, &EXTERNAL_SENDERS),
                pick(log.rng, &EXTERNAL_DOMAINS)
            );
            let to = format!("{}@{MAIL_DOMAIN}", desk(log.rng).user);
            let env = Envelope {
                client: RELAY_CLIENT,
                sasl_user: None,
                from: &from,
                to: &to,
                relay: MAILBOX_STORE,
            };
            log.deliver(at, &env);
        }
        for _ in 0..hourly_volume(log.rng, hour, 8, 0) {
            let at = within_hour(log.rng, hour);
            let sender = desk(log.rng);
            let client = format!("unknown[{}]", Zone::Lgwan.terminal(sender.terminal));
            let from = format!("{}@{MAIL_DOMAIN}", sender.user);
            let to = format!("{}@{MAIL_DOMAIN}", desk(log.rng).user);
            let env = Envelope {
                client: &client,
                sasl_user: Some(sender.user),
                from: &from,
                to: &to,
                relay: MAILBOX_STORE,
            };
            log.deliver(at, &env);
        }
        let spam = if hour == SPAM_WAVE_HOUR {
            SPAM_WAVE_REJECTS as u32
        } else {
            SPAM_PER_HOUR
        };
        for _ in 0..spam {
            let at = within_hour(log.rng, hour);
            log.spam(at);
        }
    }
    burst(&mut log, truth);
    newsletter(&mut log, truth);
    truth.inject(
        "mail.inbound_spam_volume",
        format!("{SPAM_WAVE_HOUR}時台に受信スパムの波: lg-mail01 で {SPAM_WAVE_REJECTS} 通を拒否 (平常は1時間に{SPAM_PER_HOUR}通)"),
        &[],
    );
    log.log.into_lines()
}

fn burst(log: &mut Maillog<'_>, truth: &mut Truth) {
    let client = format!("unknown[{}]", Zone::Lgwan.terminal(BURST_VICTIM.terminal));
    let from = format!("{}@{MAIL_DOMAIN}", BURST_VICTIM.user);
    for i in 0..BURST_MESSAGES {
        let at = BURST_START + i as Ms * BURST_EVERY;
        let to = format!(
            "{}{}@{}",
            pick(log.rng, &["info", "sales", "contact", "support"]),
            i,
            domain(i % BURST_DOMAINS)
        );
        let env = Envelope {
            client: &client,
            sasl_user: Some(BURST_VICTIM.user),
            from: &from,
            to: &to,
            relay: SECURITY_CLOUD_RELAY,
        };
        log.deliver(at, &env);
    }
    truth.inject(
        "mail.outbound_burst",
        format!(
            "マルウェア感染端末 ({}) が {} のアカウントで 8 分間に {BURST_MESSAGES} 通・{BURST_DOMAINS} ドメインへ送信",
            Zone::Lgwan.terminal(BURST_VICTIM.terminal),
            BURST_VICTIM.user
        ),
        &[("sender", &from)],
    );
}

fn newsletter(log: &mut Maillog<'_>, truth: &mut Truth) {
    let (_, ip) = NEWSLETTER_HOST;
    let client = format!("{}.{MAIL_DOMAIN}[{ip}]", NEWSLETTER_HOST.0);
    for i in 0..NEWSLETTER_MESSAGES {
        let at = NEWSLETTER_START + i as Ms * NEWSLETTER_EVERY;
        let to = format!("reader{i:04}@{}", domain(20 + i % NEWSLETTER_DOMAINS));
        let env = Envelope {
            client: &client,
            sasl_user: Some("magazine"),
            from: NEWSLETTER_SENDER,
            to: &to,
            relay: SECURITY_CLOUD_RELAY,
        };
        log.deliver(at, &env);
    }
    truth.look_alike(
        "mail.outbound_burst",
        "市のメールマガジン: 承認済みの一斉配信サーバ lg-mlist01 から 17 時に 320 通 (60 ドメイン)",
        &[("sender", NEWSLETTER_SENDER)],
    );
}
