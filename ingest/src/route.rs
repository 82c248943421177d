//! Routing lines to the rows of the tables that fit them.

use bannin_parsers::postfix::Correlator;
use bannin_parsers::{ParseContext, ParseError, Record, cloud};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::batch::{Body, Core, Row};
use crate::decode::decode;
use crate::format::InputState;
use crate::lines::LineRef;
use crate::{Format, ImportOptions};

/// What became of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routed {
    /// Empty or whitespace only: no record.
    Empty,
    /// A header that describes later lines (W3C `#Fields:`): no record.
    Directive,
    /// One row (and maybe a correlated `mail` row) was pushed.
    Rows,
}

/// Turns lines into rows. Holds what must outlive one line: the current
/// input's format state and the mail correlation across inputs.
pub struct Router {
    options: ImportOptions,
    /// The options' segment, shared by every row.
    segment: Option<Arc<str>>,
    input: InputState,
    mail: Correlator,
}

impl Router {
    pub fn new(options: ImportOptions) -> Self {
        Self {
            mail: Correlator::new(&options.local_domains),
            segment: options.segment.as_deref().map(Arc::from),
            options,
            input: InputState::default(),
        }
    }

    pub fn options(&self) -> &ImportOptions {
        &self.options
    }

    /// Forgets the state of the previous input (its W3C header).
    pub fn start_input(&mut self) {
        self.input = InputState::default();
    }

    /// The current input's format state, to set aside while another input
    /// is read (`--follow` reads several in turn).
    pub fn input_state(&mut self) -> &mut InputState {
        &mut self.input
    }

    /// The mail correlation, to keep until the next import.
    pub fn mail(&mut self) -> &mut Correlator {
        &mut self.mail
    }

    /// Turns one line into the row of the table that fits it, pushed onto
    /// `out`. Never fails: what cannot be decoded or parsed becomes an
    /// `unparsed` row with the reason.
    pub fn route(
        &mut self,
        line: LineRef<'_>,
        ctx: &ParseContext,
        source: &Arc<str>,
        received_at: DateTime<Utc>,
        out: &mut Vec<Row>,
    ) -> Routed {
        self.route_as(self.options.format, line, ctx, source, received_at, out)
    }

    /// As [`Router::route`], in `format` instead of the options' format
    /// (a record that named its own, e.g. through the HTTP API).
    pub fn route_as(
        &mut self,
        format: Format,
        line: LineRef<'_>,
        ctx: &ParseContext,
        source: &Arc<str>,
        received_at: DateTime<Utc>,
        out: &mut Vec<Row>,
    ) -> Routed {
        let text = match decode(line.bytes, self.options.charset) {
            Ok(text) => text,
            Err(bad) => {
                out.push(self.unparsed(bad.reason, bad.lossy, source, received_at));
                return Routed::Rows;
            }
        };
        if let Some(full) = line.truncated_from {
            let error = format!(
                "line {} is {full} bytes, longer than the {}-byte limit; kept truncated",
                line.number, self.options.max_line_bytes
            );
            out.push(self.unparsed(error, text.into_owned(), source, received_at));
            return Routed::Rows;
        }
        if text.trim().is_empty() {
            return Routed::Empty;
        }
        if self.cloud_document(format, &text, source, received_at, out) {
            return Routed::Rows;
        }
        let parsed = match format.parse(&text, ctx, &mut self.input) {
            Ok(Some(record)) => Ok(record),
            Ok(None) => return Routed::Directive,
            Err(e) => Err(e),
        };
        self.push_parsed(parsed, text.into_owned(), source, received_at, out);
        Routed::Rows
    }

    /// A line holding several cloud records (a one-line `{"Records":[…]}`,
    /// a JSON array): one row per record, each with its own text. False
    /// when the line is not such a document.
    fn cloud_document(
        &mut self,
        format: Format,
        line: &str,
        source: &Arc<str>,
        received_at: DateTime<Utc>,
        out: &mut Vec<Row>,
    ) -> bool {
        if !matches!(format, Format::Auto | Format::Cloud) {
            return false;
        }
        let trimmed = line.trim_start();
        let wrapper = trimmed.starts_with('{')
            && ["\"Records\"", "\"items\"", "\"value\""]
                .iter()
                .any(|key| line.contains(key));
        if !(trimmed.starts_with('[') || wrapper) {
            return false;
        }
        let Some(records) = cloud::split_document(line) else {
            return false;
        };
        if records.is_empty() {
            out.push(self.unparsed(
                "a JSON document without any records".to_owned(),
                line.to_owned(),
                source,
                received_at,
            ));
        }
        for record in records {
            let parsed = record.parsed.map(Record::from);
            self.push_parsed(parsed, record.raw.to_owned(), source, received_at, out);
        }
        true
    }

    /// Pushes the row of a parse result: the record's table, or `unparsed`
    /// with the reason.
    pub fn push_parsed(
        &mut self,
        parsed: Result<Record, ParseError>,
        raw: String,
        source: &Arc<str>,
        received_at: DateTime<Utc>,
        out: &mut Vec<Row>,
    ) {
        match parsed {
            Ok(record) => self.push_record(record, raw, source, received_at, out),
            Err(e) => out.push(self.unparsed(e.to_string(), raw, source, received_at)),
        }
    }

    /// An `unparsed` row: the reason and the record as received.
    fn unparsed(
        &self,
        error: String,
        raw: String,
        source: &Arc<str>,
        received_at: DateTime<Utc>,
    ) -> Row {
        Row {
            core: Core {
                time: received_at,
                received_at,
                source: Arc::clone(source),
                segment: self.segment.clone(),
                raw,
            },
            body: Body::Unparsed { error },
        }
    }

    /// Pushes the row of a parsed record, and the `mail` row a Postfix
    /// line completes.
    pub fn push_record(
        &mut self,
        record: Record,
        raw: String,
        source: &Arc<str>,
        received_at: DateTime<Utc>,
        out: &mut Vec<Row>,
    ) {
        let core = |time, raw| Core {
            time,
            received_at,
            source: Arc::clone(source),
            segment: self.segment.clone(),
            raw,
        };
        let mail = match &record {
            Record::Syslog(envelope) | Record::Auth(envelope, _)
                if Correlator::is_postfix(envelope) =>
            {
                self.mail.observe(envelope)
            }
            _ => None,
        };
        let mail_raw = mail.as_ref().map(|_| raw.clone());
        let (time, body) = match record {
            Record::Firewall(rec) => (rec.time, Body::Firewall(rec)),
            Record::Proxy(rec) => (rec.time, Body::Proxy(rec)),
            Record::Mail(rec) => (rec.time, Body::Mail(rec)),
            Record::CloudAudit(rec) => (rec.time, Body::CloudAudit(rec)),
            Record::Syslog(rec) => (rec.time, Body::Syslog(rec)),
            Record::Auth(envelope, event) => {
                // Privileged: the record shows administrator rights in use,
                // a privileged ID logs in, or someone switches to one
                // (sudo/su). An account that does not exist is not a
                // privileged ID, whatever its name.
                let privileged = event.elevated
                    || (event.reason.as_deref() != Some("invalid_user")
                        && [&event.user, &event.target_user]
                            .into_iter()
                            .flatten()
                            .any(|u| self.is_privileged(u)));
                let time = envelope.time;
                let body = Body::Auth {
                    envelope,
                    event,
                    privileged,
                };
                (time, body)
            }
        };
        out.push(Row {
            core: core(time, raw),
            body,
        });
        if let (Some(rec), Some(raw)) = (mail, mail_raw) {
            out.push(Row {
                core: core(rec.time, raw),
                body: Body::Mail(Box::new(rec)),
            });
        }
    }

    fn is_privileged(&self, user: &str) -> bool {
        self.options
            .privileged_accounts
            .iter()
            .any(|p| p.eq_ignore_ascii_case(user))
    }
}
