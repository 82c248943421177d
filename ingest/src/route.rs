//! Routing one line to the table that fits it.

use bannin_parsers::{ParseContext, Record};
use chrono::{DateTime, Utc};

use crate::ImportOptions;
use crate::batch::{Body, Core, Row};
use crate::decode::decode;
use crate::lines::Line;

/// Turns one line into the row of the table that fits it; `None` for an
/// empty line. Never fails: what cannot be decoded or parsed becomes an
/// `unparsed` row with the reason.
pub fn route(
    line: &Line,
    ctx: &ParseContext,
    source: &str,
    received_at: DateTime<Utc>,
    options: &ImportOptions,
) -> Option<Row> {
    let unparsed = |error: String, raw: String| Row {
        core: Core {
            time: received_at,
            received_at,
            source: source.to_owned(),
            segment: options.segment.clone(),
            raw,
        },
        body: Body::Unparsed { error },
    };
    let text = match decode(&line.bytes) {
        Ok(text) => text,
        Err(bad) => return Some(unparsed(bad.reason, bad.lossy)),
    };
    if let Some(full) = line.truncated_from {
        let error = format!(
            "line {} is {full} bytes, longer than the {}-byte limit; kept truncated",
            line.number, options.max_line_bytes
        );
        return Some(unparsed(error, text.into_owned()));
    }
    if text.trim().is_empty() {
        return None;
    }
    let record = match options.format.parse(&text, ctx) {
        Ok(record) => record,
        Err(e) => return Some(unparsed(e.to_string(), text.into_owned())),
    };
    let core = |time| Core {
        time,
        received_at,
        source: source.to_owned(),
        segment: options.segment.clone(),
        raw: text.clone().into_owned(),
    };
    Some(match record {
        Record::Firewall(rec) => Row {
            core: core(rec.time),
            body: Body::Firewall(rec),
        },
        Record::Proxy(rec) => Row {
            core: core(rec.time),
            body: Body::Proxy(rec),
        },
        Record::Syslog(rec) => Row {
            core: core(rec.time),
            body: Body::Syslog(rec),
        },
        Record::Auth(envelope, event) => {
            // Privileged: a privileged ID logs in, or someone switches
            // to one (sudo/su). An account that does not exist is not a
            // privileged ID, whatever its name.
            let privileged = event.reason.as_deref() != Some("invalid_user")
                && [&event.user, &event.target_user]
                    .into_iter()
                    .flatten()
                    .any(|u| is_privileged(options, u));
            Row {
                core: core(envelope.time),
                body: Body::Auth {
                    envelope,
                    event,
                    privileged,
                },
            }
        }
    })
}

fn is_privileged(options: &ImportOptions, user: &str) -> bool {
    options
        .privileged_accounts
        .iter()
        .any(|p| p.eq_ignore_ascii_case(user))
}
