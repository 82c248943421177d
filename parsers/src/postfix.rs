//! Postfix: one `mail` row per recipient, correlated from the lines each
//! daemon logs about a message under its queue id:
//!
//! ```text
//! postfix/smtpd[…]: 4Xc9Tq1Kz4: client=unknown[203.0.113.5], sasl_method=PLAIN, sasl_username=tanaka
//! postfix/cleanup[…]: 4Xc9Tq1Kz4: message-id=<20261123.1@city.example.lg.jp>
//! postfix/qmgr[…]: 4Xc9Tq1Kz4: from=<tanaka@city.example.lg.jp>, size=2048, nrcpt=2 (queue active)
//! postfix/smtp[…]: 4Xc9Tq1Kz4: to=<a@example.com>, relay=mx.example.com[93.184.216.34]:25, delay=1.2, delays=…, dsn=2.0.0, status=sent (250 2.0.0 Ok)
//! postfix/qmgr[…]: 4Xc9Tq1Kz4: removed
//! ```
//!
//! A row is emitted for every delivery attempt (`status=sent|bounced|
//! deferred|…` from smtp, lmtp, local, virtual, pipe, error), every
//! rejection (`NOQUEUE: reject:` from smtpd, `milter-reject` / `reject`
//! from cleanup) and every expiry; it carries what the earlier lines said
//! of the message. The lines themselves stay in the `syslog` table.
//!
//! The [`Correlator`] holds what it knows of messages still in the queue
//! (until `removed`). That state is plain data ([`Correlator::state`] /
//! [`Correlator::restore`]) so the caller can keep it across batches and
//! restarts: a delivery logged tomorrow still gets today's sender.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::SyslogRecord;
use crate::record::MailRecord;

/// How long a queue entry is kept without hearing of it (Postfix's
/// default `maximal_queue_lifetime` is 5 days).
const KEEP_FOR_DAYS: i64 = 7;

/// What is known of one queued message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub host: Option<String>,
    pub queue_id: String,
    pub client_ip: Option<String>,
    pub client_host: Option<String>,
    pub sasl_user: Option<String>,
    pub message_id: Option<String>,
    /// `Some(None)` is the null sender `<>`.
    pub sender: Option<Option<String>>,
    pub size: Option<u64>,
    pub nrcpt: Option<u32>,
    /// Event time of the latest line about this message.
    pub last_seen: Option<DateTime<Utc>>,
}

/// The correlation state, for keeping across batches and restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub queued: Vec<Queued>,
}

/// Joins Postfix lines by queue id into [`MailRecord`]s.
#[derive(Debug, Default)]
pub struct Correlator {
    /// Domains of the municipality (`city.example.lg.jp`); subdomains count.
    local_domains: Vec<String>,
    queued: HashMap<(Option<String>, String), Queued>,
}

impl Correlator {
    pub fn new(local_domains: &[String]) -> Self {
        Self {
            local_domains: local_domains
                .iter()
                .map(|d| d.trim_start_matches('@').to_ascii_lowercase())
                .collect(),
            queued: HashMap::new(),
        }
    }

    /// True for a Postfix daemon's record (`postfix/smtpd`,
    /// `postfix-out/smtp`, `postfix/submission/smtpd`, …).
    pub fn is_postfix(record: &SyslogRecord) -> bool {
        record
            .app_name
            .as_deref()
            .is_some_and(|app| app.starts_with("postfix") && app.contains('/'))
    }

    /// Takes in one Postfix record; returns the mail row it completes, if
    /// any. Records of other programs are ignored.
    pub fn observe(&mut self, record: &SyslogRecord) -> Option<MailRecord> {
        if !Self::is_postfix(record) {
            return None;
        }
        let daemon = record
            .app_name
            .as_deref()
            .and_then(|a| a.rsplit('/').next())
            .unwrap_or_default();
        let message = record.message.as_str();
        if let Some(rest) = message.strip_prefix("NOQUEUE: ") {
            return self.rejected(record, None, rest);
        }
        let (queue_id, rest) = message.split_once(": ")?;
        if !is_queue_id(queue_id) {
            return None;
        }
        let key = (record.host.clone(), queue_id.to_owned());
        if rest == "removed" {
            self.queued.remove(&key);
            return None;
        }
        let entry = self.queued.entry(key).or_insert_with(|| Queued {
            host: record.host.clone(),
            queue_id: queue_id.to_owned(),
            ..Queued::default()
        });
        entry.last_seen = Some(record.time);
        let fields = Fields::new(rest);
        if let Some(client) = fields.get("client") {
            let (host, ip) = host_and_ip(client);
            entry.client_host = host;
            entry.client_ip = ip;
            entry.sasl_user = fields.get("sasl_username").map(str::to_owned);
        }
        if let Some(id) = rest.strip_prefix("message-id=") {
            let id = id.trim().trim_start_matches('<').trim_end_matches('>');
            entry.message_id = (!id.is_empty()).then(|| id.to_owned());
        }
        if matches!(daemon, "qmgr" | "pickup")
            && let Some(from) = fields.get("from")
        {
            entry.sender = Some(address(from));
        }
        if daemon == "qmgr" {
            if let Some(size) = fields.get("size") {
                entry.size = size.parse().ok();
            }
            if let Some(n) = fields.get("nrcpt") {
                entry.nrcpt = n.parse().ok();
            }
        }
        if rest.starts_with("reject: ")
            || rest.starts_with("milter-reject: ")
            || rest.starts_with("milter-discard: ")
        {
            return self.rejected(record, Some(queue_id), rest);
        }
        let status = fields.get("status")?;
        let key = (record.host.clone(), queue_id.to_owned());
        let queued = self.queued.get(&key).cloned().unwrap_or_default();
        let recipient = fields.get("to").and_then(address);
        let (word, detail) = match status.split_once(' ') {
            Some((word, detail)) => (word, Some(detail)),
            None => (status, None),
        };
        let detail = detail
            .map(|d| d.trim().trim_start_matches('(').trim_end_matches(')'))
            .filter(|d| !d.is_empty())
            .map(str::to_owned);
        let sender = queued.sender.clone().flatten();
        Some(MailRecord {
            time: record.time,
            host: record.host.clone(),
            queue_id: Some(queue_id.to_owned()),
            message_id: queued.message_id.clone(),
            direction: self.direction(
                queued.sender.as_ref(),
                recipient.as_deref(),
                queued.sasl_user.is_some(),
            ),
            sender,
            recipient,
            status: word.to_owned(),
            status_detail: detail,
            dsn: fields.get("dsn").map(str::to_owned),
            size: queued.size,
            nrcpt: queued.nrcpt,
            relay: fields.get("relay").map(str::to_owned),
            client_ip: queued.client_ip.clone(),
            client_host: queued.client_host.clone(),
            sasl_user: queued.sasl_user.clone(),
            delay_s: fields.get("delay").and_then(|d| d.parse().ok()),
        })
    }

    /// A rejection: `reject: RCPT from host[ip]: 554 5.7.1 <…>: Relay
    /// access denied; from=<…> to=<…> proto=ESMTP helo=<…>`.
    fn rejected(
        &self,
        record: &SyslogRecord,
        queue_id: Option<&str>,
        rest: &str,
    ) -> Option<MailRecord> {
        let (verb, rest) = rest.split_once(": ")?;
        if !matches!(verb, "reject" | "milter-reject" | "milter-discard") {
            return None;
        }
        let (reason, envelope) = rest.rsplit_once("; ").unwrap_or((rest, ""));
        let fields = Fields::new(envelope);
        let queued = queue_id
            .and_then(|id| self.queued.get(&(record.host.clone(), id.to_owned())))
            .cloned()
            .unwrap_or_default();
        // `RCPT from host[ip]: 554 5.7.1 <…>: reason`
        let (client, reply) = reason
            .split_once(" from ")
            .and_then(|(_, r)| r.split_once(": "))
            .unwrap_or(("", reason));
        let (client_host, client_ip) = if client.is_empty() {
            (queued.client_host.clone(), queued.client_ip.clone())
        } else {
            host_and_ip(client)
        };
        let dsn = reply
            .split_ascii_whitespace()
            .nth(1)
            .filter(|code| code.split('.').count() == 3 && code.starts_with(['4', '5']))
            .map(str::to_owned);
        let sender = match fields.get("from") {
            Some(from) => Some(address(from)),
            None => queued.sender.clone(),
        };
        let recipient = fields.get("to").and_then(address);
        Some(MailRecord {
            time: record.time,
            host: record.host.clone(),
            queue_id: queue_id.map(str::to_owned),
            message_id: queued.message_id.clone(),
            direction: self.direction(sender.as_ref(), recipient.as_deref(), false),
            sender: sender.flatten(),
            recipient,
            status: if verb == "milter-discard" {
                "discarded"
            } else {
                "rejected"
            }
            .to_owned(),
            status_detail: Some(reply.trim().to_owned()).filter(|r| !r.is_empty()),
            dsn,
            size: queued.size,
            nrcpt: queued.nrcpt,
            relay: None,
            client_ip,
            client_host,
            sasl_user: queued.sasl_user.clone(),
            delay_s: None,
        })
    }

    /// `internal`, `inbound`, `outbound` or `external` (relayed between
    /// two outside parties), from the local domains; `None` when no local
    /// domain is configured or the recipient is unknown. A null sender
    /// (bounce) or an authenticated submitter counts as local.
    fn direction(
        &self,
        sender: Option<&Option<String>>,
        recipient: Option<&str>,
        authenticated: bool,
    ) -> Option<String> {
        if self.local_domains.is_empty() {
            return None;
        }
        let to_local = self.is_local(recipient?);
        let from_local = authenticated
            || match sender {
                Some(Some(s)) => self.is_local(s),
                Some(None) => !to_local,
                None => false,
            };
        Some(
            match (from_local, to_local) {
                (true, true) => "internal",
                (false, true) => "inbound",
                (true, false) => "outbound",
                (false, false) => "external",
            }
            .to_owned(),
        )
    }

    fn is_local(&self, address: &str) -> bool {
        let Some((_, domain)) = address.rsplit_once('@') else {
            // Postfix logs local mailboxes without a domain (`to=<root>`).
            return true;
        };
        let domain = domain.to_ascii_lowercase();
        self.local_domains.iter().any(|local| {
            domain == *local
                || domain
                    .strip_suffix(local.as_str())
                    .is_some_and(|sub| sub.ends_with('.'))
        })
    }

    /// Forgets messages not heard of for a week before `now`.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let cutoff = now - Duration::days(KEEP_FOR_DAYS);
        self.queued
            .retain(|_, q| q.last_seen.is_none_or(|seen| seen >= cutoff));
    }

    /// Messages still in the queue, for keeping until the next batch.
    pub fn state(&self) -> State {
        let mut queued: Vec<Queued> = self.queued.values().cloned().collect();
        queued.sort_by(|a, b| (&a.host, &a.queue_id).cmp(&(&b.host, &b.queue_id)));
        State { queued }
    }

    /// Takes back what [`Correlator::state`] gave.
    pub fn restore(&mut self, state: State) {
        for q in state.queued {
            self.queued.insert((q.host.clone(), q.queue_id.clone()), q);
        }
    }

    /// Event time of the latest line heard of, across all messages.
    pub fn latest(&self) -> Option<DateTime<Utc>> {
        self.queued.values().filter_map(|q| q.last_seen).max()
    }

    /// Messages still waiting for their delivery lines.
    pub fn pending(&self) -> usize {
        self.queued.len()
    }
}

/// Postfix queue ids: short (uppercase hex, `3F2A81C0B12`) or long
/// (`4Xc9Tq1Kz4z9vB`: digits and consonants only, so that words such as
/// `warning` or `statistics` never pass for one).
fn is_queue_id(s: &str) -> bool {
    let short = (5..=16).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b));
    let long = (10..=24).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() && !b"aeiouAEIOU".contains(&b));
    short || long
}

/// `name=value` pairs separated by `, ` or spaces; a value runs to the
/// next separator, except `status=` which takes the rest of the line.
struct Fields<'a> {
    text: &'a str,
}

impl<'a> Fields<'a> {
    fn new(text: &'a str) -> Self {
        Self { text }
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        let mut search = self.text;
        loop {
            let at = search.find(name)?;
            let before_ok = at == 0
                || search
                    .as_bytes()
                    .get(at - 1)
                    .is_some_and(|b| *b == b' ' || *b == b',');
            let after = search.get(at + name.len()..)?;
            if before_ok && let Some(value) = after.strip_prefix('=') {
                if name == "status" {
                    return Some(value.trim_end());
                }
                let end = if value.starts_with('<') {
                    value.find('>').map_or(value.len(), |i| i + 1)
                } else {
                    value.find([',', ' ']).unwrap_or(value.len())
                };
                return value.get(..end);
            }
            search = after;
        }
    }
}

/// `<user@example.jp>` → `Some("user@example.jp")`; `<>` → `None`.
fn address(value: &str) -> Option<String> {
    let inner = value.trim().trim_start_matches('<').trim_end_matches('>');
    (!inner.is_empty()).then(|| inner.to_owned())
}

/// `mail.example.jp[198.51.100.7]` (optionally `:port`) → host and ip;
/// `unknown` hosts are `None`.
fn host_and_ip(value: &str) -> (Option<String>, Option<String>) {
    let Some((host, rest)) = value.split_once('[') else {
        return (Some(value.to_owned()).filter(|h| !h.is_empty()), None);
    };
    let ip = rest.split_once(']').map_or(rest, |(ip, _)| ip);
    let ip = ip.strip_prefix("IPv6:").unwrap_or(ip);
    (
        Some(host)
            .filter(|h| !h.is_empty() && *h != "unknown")
            .map(str::to_owned),
        Some(ip).filter(|i| !i.is_empty()).map(str::to_owned),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::record;

    fn lines(c: &mut Correlator, lines: &[&str]) -> Vec<MailRecord> {
        lines.iter().filter_map(|l| c.observe(&record(l))).collect()
    }

    fn municipality() -> Correlator {
        Correlator::new(&["city.example.lg.jp".to_owned()])
    }

    const OUTBOUND: [&str; 6] = [
        "Nov 23 10:00:00 mail01 postfix/smtpd[2101]: 4Xc9Tq1Kz4: client=pc15.city.example.lg.jp[10.40.1.15], sasl_method=PLAIN, sasl_username=tanaka",
        "Nov 23 10:00:00 mail01 postfix/cleanup[2102]: 4Xc9Tq1Kz4: message-id=<20261123.1@city.example.lg.jp>",
        "Nov 23 10:00:01 mail01 postfix/qmgr[900]: 4Xc9Tq1Kz4: from=<tanaka@city.example.lg.jp>, size=2048, nrcpt=2 (queue active)",
        "Nov 23 10:00:02 mail01 postfix/smtp[2103]: 4Xc9Tq1Kz4: to=<sato@example.com>, relay=mx.example.com[93.184.216.34]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 12345)",
        "Nov 23 10:00:03 mail01 postfix/local[2104]: 4Xc9Tq1Kz4: to=<suzuki@city.example.lg.jp>, relay=local, delay=2.1, delays=0.1/0/0/2, dsn=2.0.0, status=sent (delivered to mailbox)",
        "Nov 23 10:00:03 mail01 postfix/qmgr[900]: 4Xc9Tq1Kz4: removed",
    ];

    #[test]
    fn one_row_per_recipient_with_the_message_details() {
        let mut c = municipality();
        let rows = lines(&mut c, &OUTBOUND);
        assert_eq!(rows.len(), 2);
        let out = &rows[0];
        assert_eq!(out.queue_id.as_deref(), Some("4Xc9Tq1Kz4"));
        assert_eq!(
            out.message_id.as_deref(),
            Some("20261123.1@city.example.lg.jp")
        );
        assert_eq!(out.sender.as_deref(), Some("tanaka@city.example.lg.jp"));
        assert_eq!(out.recipient.as_deref(), Some("sato@example.com"));
        assert_eq!(out.direction.as_deref(), Some("outbound"));
        assert_eq!(out.status, "sent");
        assert_eq!(
            out.status_detail.as_deref(),
            Some("250 2.0.0 Ok: queued as 12345")
        );
        assert_eq!(out.dsn.as_deref(), Some("2.0.0"));
        assert_eq!((out.size, out.nrcpt), (Some(2048), Some(2)));
        assert_eq!(
            out.relay.as_deref(),
            Some("mx.example.com[93.184.216.34]:25")
        );
        assert_eq!(out.client_ip.as_deref(), Some("10.40.1.15"));
        assert_eq!(out.client_host.as_deref(), Some("pc15.city.example.lg.jp"));
        assert_eq!(out.sasl_user.as_deref(), Some("tanaka"));
        assert_eq!(out.delay_s, Some(1.2));
        assert_eq!(out.host.as_deref(), Some("mail01"));
        assert_eq!(rows[1].direction.as_deref(), Some("internal"));
        assert_eq!(c.pending(), 0, "removed forgets the message");
    }

    #[test]
    fn state_carries_a_message_across_batches() {
        let mut first = municipality();
        assert!(lines(&mut first, &OUTBOUND[..3]).is_empty());
        let state = first.state();
        assert_eq!(state.queued.len(), 1);
        let json = serde_json::to_string(&state).unwrap();
        let mut second = municipality();
        second.restore(serde_json::from_str(&json).unwrap());
        let rows = lines(&mut second, &OUTBOUND[3..]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].sender.as_deref(), Some("tanaka@city.example.lg.jp"));
        assert_eq!(rows[0].size, Some(2048));
    }

    #[test]
    fn inbound_bounce_and_deferral() {
        let mut c = municipality();
        let rows = lines(
            &mut c,
            &[
                "Nov 23 11:00:00 mx01 postfix/smtpd[1]: 3F2A81C0B12: client=unknown[203.0.113.5]",
                "Nov 23 11:00:00 mx01 postfix/qmgr[2]: 3F2A81C0B12: from=<>, size=900, nrcpt=1 (queue active)",
                "Nov 23 11:00:01 mx01 postfix/local[3]: 3F2A81C0B12: to=<nobody@city.example.lg.jp>, orig_to=<nobody@city.example.lg.jp>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=5.1.1, status=bounced (unknown user: \"nobody\")",
                "Nov 23 11:00:02 mail01 postfix/smtp[4]: 5C6D7E8F90: to=<info@example.org>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.org[198.51.100.9]:25: Connection timed out)",
            ],
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].sender, None);
        assert_eq!(rows[0].client_host, None, "unknown host");
        assert_eq!(rows[0].client_ip.as_deref(), Some("203.0.113.5"));
        assert_eq!(rows[0].status, "bounced");
        assert_eq!(rows[0].direction.as_deref(), Some("inbound"));
        assert_eq!(
            rows[0].status_detail.as_deref(),
            Some("unknown user: \"nobody\"")
        );
        // A delivery line without its earlier partners still becomes a row.
        assert_eq!(rows[1].status, "deferred");
        assert_eq!(rows[1].sender, None);
        assert_eq!(rows[1].direction.as_deref(), Some("external"));
        assert_eq!(c.pending(), 2);
    }

    #[test]
    fn noqueue_and_milter_rejections() {
        let mut c = municipality();
        let rows = lines(
            &mut c,
            &[
                "Nov 23 12:00:00 mx01 postfix/smtpd[5]: NOQUEUE: reject: RCPT from unknown[203.0.113.77]: 554 5.7.1 <x@example.net>: Relay access denied; from=<spam@example.biz> to=<x@example.net> proto=ESMTP helo=<bulk>",
                "Nov 23 12:00:01 mx01 postfix/smtpd[5]: 7A1B2C3D4E: client=relay.example.com[198.51.100.20]",
                "Nov 23 12:00:02 mx01 postfix/cleanup[6]: 7A1B2C3D4E: milter-reject: END-OF-MESSAGE from relay.example.com[198.51.100.20]: 5.7.1 Spam message rejected; from=<news@example.com> to=<kikaku@city.example.lg.jp> proto=ESMTP helo=<relay.example.com>",
            ],
        );
        assert_eq!(rows.len(), 2);
        let r = &rows[0];
        assert_eq!(r.queue_id, None);
        assert_eq!(r.status, "rejected");
        assert_eq!(r.client_ip.as_deref(), Some("203.0.113.77"));
        assert_eq!(r.sender.as_deref(), Some("spam@example.biz"));
        assert_eq!(r.recipient.as_deref(), Some("x@example.net"));
        assert_eq!(r.dsn.as_deref(), Some("5.7.1"));
        assert_eq!(r.direction.as_deref(), Some("external"));
        assert!(
            r.status_detail
                .as_deref()
                .unwrap()
                .contains("Relay access denied")
        );
        let m = &rows[1];
        assert_eq!(m.queue_id.as_deref(), Some("7A1B2C3D4E"));
        assert_eq!(m.status, "rejected");
        assert_eq!(m.direction.as_deref(), Some("inbound"));
        assert_eq!(m.client_host.as_deref(), Some("relay.example.com"));
    }

    #[test]
    fn subdomains_and_unconfigured_domains() {
        let c = municipality();
        assert!(c.is_local("a@mail.city.example.lg.jp"));
        assert!(!c.is_local("a@evilcity.example.lg.jp"));
        let mut none = Correlator::new(&[]);
        let rows = lines(&mut none, &OUTBOUND);
        assert!(rows.iter().all(|r| r.direction.is_none()));
    }

    #[test]
    fn other_programs_and_noise_are_ignored() {
        let mut c = municipality();
        let rows = lines(
            &mut c,
            &[
                "Nov 23 10:00:00 mail01 sshd[1]: 4Xc9Tq1Kz4: status=sent",
                "Nov 23 10:00:00 mail01 postfix/smtpd[1]: connect from unknown[203.0.113.5]",
                "Nov 23 10:00:00 mail01 postfix/smtpd[1]: warning: hostname x does not resolve",
                "Nov 23 10:00:00 mail01 postfix/smtpd[1]: NOQUEUE: lost connection after EHLO",
                "Nov 23 10:00:00 mail01 postfix/anvil[1]: statistics: max connection rate 1/60s",
                "Nov 23 10:00:00 mail01 postfix/smtp[1]: 4Xc9: status=",
            ],
        );
        assert!(rows.is_empty(), "{rows:?}");
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn stale_messages_are_pruned() {
        let mut c = municipality();
        lines(&mut c, &OUTBOUND[..3]);
        c.prune(record(OUTBOUND[0]).time + Duration::days(3));
        assert_eq!(c.pending(), 1);
        c.prune(record(OUTBOUND[0]).time + Duration::days(8));
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn field_lookup_respects_word_boundaries() {
        let f = Fields::new("orig_to=<a@x>, to=<b@y>, status=sent (250 ok, done)");
        assert_eq!(f.get("to"), Some("<b@y>"));
        assert_eq!(f.get("status"), Some("sent (250 ok, done)"));
        assert_eq!(f.get("relay"), None);
        assert_eq!(
            host_and_ip("mail[IPv6:2001:db8::5]:25"),
            (Some("mail".into()), Some("2001:db8::5".into()))
        );
    }
}
