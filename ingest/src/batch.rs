//! Routing rows into per-table, per-partition Arrow batches.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
    UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use bannin_parsers::{
    AuthEvent, CloudAuditRecord, FirewallRecord, MailRecord, ProxyRecord, SyslogRecord,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::{IngestError, Table};

/// Columns every table shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Core {
    pub time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub source: String,
    pub segment: Option<String>,
    pub raw: String,
}

/// What a row carries beyond the core, which also decides its table.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Syslog(SyslogRecord),
    Auth {
        envelope: SyslogRecord,
        event: AuthEvent,
        privileged: bool,
    },
    Proxy(ProxyRecord),
    Firewall(FirewallRecord),
    Mail(MailRecord),
    CloudAudit(CloudAuditRecord),
    Unparsed {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub core: Core,
    pub body: Body,
}

impl Row {
    pub fn table(&self) -> Table {
        match self.body {
            Body::Syslog(_) => Table::Syslog,
            Body::Auth { .. } => Table::Auth,
            Body::Proxy(_) => Table::Proxy,
            Body::Firewall(_) => Table::Firewall,
            Body::Mail(_) => Table::Mail,
            Body::CloudAudit(_) => Table::CloudAudit,
            Body::Unparsed { .. } => Table::Unparsed,
        }
    }

    fn host(&self) -> Option<&str> {
        match &self.body {
            Body::Syslog(r) | Body::Auth { envelope: r, .. } => r.host.as_deref(),
            Body::Firewall(r) => r.host.as_deref(),
            Body::Mail(r) => r.host.as_deref(),
            Body::Proxy(_) | Body::CloudAudit(_) | Body::Unparsed { .. } => None,
        }
    }
}

/// Where a batch goes in the lake.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PartitionKey {
    pub table: Table,
    pub tenant: String,
    /// UTC date of the rows' `time`.
    pub date: NaiveDate,
}

/// Rows waiting to be written, grouped by partition.
#[derive(Debug, Default)]
pub struct Partitions {
    rows: BTreeMap<PartitionKey, Vec<Row>>,
}

impl Partitions {
    pub fn push(&mut self, tenant: &str, row: Row) {
        let key = PartitionKey {
            table: row.table(),
            tenant: tenant.to_owned(),
            date: row.core.time.date_naive(),
        };
        self.rows.entry(key).or_default().push(row);
    }

    pub fn row_count(&self) -> usize {
        self.rows.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// One batch per partition, rows sorted by `time`.
    pub fn into_batches(self) -> Result<Vec<(PartitionKey, RecordBatch)>, IngestError> {
        self.rows
            .into_iter()
            .map(|(key, mut rows)| {
                rows.sort_by_key(|r| r.core.time);
                let batch = record_batch(key.table, &rows)?;
                Ok((key, batch))
            })
            .collect()
    }
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(values))
}

fn times(values: impl Iterator<Item = DateTime<Utc>>) -> ArrayRef {
    let micros: Vec<i64> = values.map(|t| t.timestamp_micros()).collect();
    Arc::new(TimestampMicrosecondArray::from(micros).with_timezone("UTC"))
}

/// One column of a table's specific records.
fn text<'a, T>(recs: &[&'a T], f: impl Fn(&'a T) -> Option<&'a str>) -> ArrayRef {
    strings(recs.iter().map(|r| f(r)))
}

fn u16s<T>(recs: &[&T], f: impl Fn(&T) -> Option<u16>) -> ArrayRef {
    Arc::new(UInt16Array::from_iter(recs.iter().map(|r| f(r))))
}

fn u64s<T>(recs: &[&T], f: impl Fn(&T) -> Option<u64>) -> ArrayRef {
    Arc::new(UInt64Array::from_iter(recs.iter().map(|r| f(r))))
}

/// The bodies of one kind among `rows`.
fn pick<'a, T>(rows: &'a [Row], f: impl Fn(&'a Body) -> Option<T>) -> Vec<T> {
    rows.iter().filter_map(|r| f(&r.body)).collect()
}

/// Rows of one table as an Arrow batch in the table's file schema, in the
/// order given.
pub fn record_batch(table: Table, rows: &[Row]) -> Result<RecordBatch, IngestError> {
    let mut columns: Vec<ArrayRef> = vec![
        times(rows.iter().map(|r| r.core.time)),
        times(rows.iter().map(|r| r.core.received_at)),
        strings(rows.iter().map(|r| Some(r.core.source.as_str()))),
        strings(rows.iter().map(Row::host)),
        strings(rows.iter().map(|r| r.core.segment.as_deref())),
    ];
    match table {
        Table::Syslog => columns.extend(syslog_columns(&pick(rows, |b| match b {
            Body::Syslog(rec) => Some(rec),
            _ => None,
        }))),
        Table::Auth => columns.extend(auth_columns(&pick(rows, |b| match b {
            Body::Auth {
                envelope,
                event,
                privileged,
            } => Some((envelope, event, *privileged)),
            _ => None,
        }))),
        Table::Proxy => columns.extend(proxy_columns(&pick(rows, |b| match b {
            Body::Proxy(rec) => Some(rec),
            _ => None,
        }))),
        Table::Firewall => columns.extend(firewall_columns(&pick(rows, |b| match b {
            Body::Firewall(rec) => Some(rec),
            _ => None,
        }))),
        Table::Mail => columns.extend(mail_columns(&pick(rows, |b| match b {
            Body::Mail(rec) => Some(rec),
            _ => None,
        }))),
        Table::CloudAudit => columns.extend(cloud_audit_columns(&pick(rows, |b| match b {
            Body::CloudAudit(rec) => Some(rec),
            _ => None,
        }))),
        Table::Unparsed => columns.push(strings(rows.iter().map(|r| match &r.body {
            Body::Unparsed { error } => Some(error.as_str()),
            _ => None,
        }))),
    }
    columns.push(strings(rows.iter().map(|r| Some(r.core.raw.as_str()))));
    RecordBatch::try_new(table.file_schema(), columns).map_err(|source| IngestError::Arrow {
        table: table.name(),
        source,
    })
}

fn syslog_columns(recs: &[&SyslogRecord]) -> Vec<ArrayRef> {
    vec![
        text(recs, |r| r.app_name.as_deref()),
        text(recs, |r| r.procid.as_deref()),
        text(recs, |r| r.msgid.as_deref()),
        Arc::new(UInt8Array::from_iter(recs.iter().map(|r| r.facility))),
        Arc::new(UInt8Array::from_iter(recs.iter().map(|r| r.severity))),
        text(recs, |r| r.structured_data.as_deref()),
        text(recs, |r| Some(r.message.as_str())),
    ]
}

fn auth_columns(recs: &[(&SyslogRecord, &AuthEvent, bool)]) -> Vec<ArrayRef> {
    let events: Vec<&AuthEvent> = recs.iter().map(|(_, e, _)| *e).collect();
    vec![
        text(&events, |e| Some(e.app.as_str())),
        text(&events, |e| e.user.as_deref()),
        text(&events, |e| e.src_ip.as_deref()),
        u16s(&events, |e| e.src_port),
        text(&events, |e| Some(e.outcome.as_str())),
        text(&events, |e| e.method.as_deref()),
        text(&events, |e| e.reason.as_deref()),
        Arc::new(BooleanArray::from_iter(recs.iter().map(|_| None::<bool>))),
        Arc::new(BooleanArray::from_iter(
            recs.iter().map(|(_, _, p)| Some(*p)),
        )),
        text(&events, |e| e.target_user.as_deref()),
        text(&events, |e| e.group.as_deref()),
        strings(recs.iter().map(|(r, _, _)| Some(r.message.as_str()))),
    ]
}

fn proxy_columns(recs: &[&ProxyRecord]) -> Vec<ArrayRef> {
    vec![
        text(recs, |r| r.src_ip.as_deref()),
        text(recs, |r| r.user.as_deref()),
        text(recs, |r| r.method.as_deref()),
        text(recs, |r| r.url.as_deref()),
        text(recs, |r| r.url_host.as_deref()),
        text(recs, |r| r.url_path.as_deref()),
        u16s(recs, |r| r.status),
        u64s(recs, |r| r.bytes_in),
        u64s(recs, |r| r.bytes_out),
        text(recs, |r| r.action.as_deref()),
        text(recs, |r| r.category.as_deref()),
        text(recs, |r| r.user_agent.as_deref()),
        u64s(recs, |r| r.duration_ms),
        text(recs, |r| r.content_type.as_deref()),
        text(recs, |r| r.upstream.as_deref()),
    ]
}

fn firewall_columns(recs: &[&FirewallRecord]) -> Vec<ArrayRef> {
    vec![
        text(recs, |r| r.log_type.as_deref()),
        text(recs, |r| r.subtype.as_deref()),
        text(recs, |r| r.action.as_deref()),
        text(recs, |r| r.src_ip.as_deref()),
        u16s(recs, |r| r.src_port),
        text(recs, |r| r.dst_ip.as_deref()),
        u16s(recs, |r| r.dst_port),
        text(recs, |r| r.proto.as_deref()),
        u64s(recs, |r| r.bytes_in),
        u64s(recs, |r| r.bytes_out),
        text(recs, |r| r.rule.as_deref()),
        text(recs, |r| r.src_zone.as_deref()),
        text(recs, |r| r.dst_zone.as_deref()),
        text(recs, |r| r.app.as_deref()),
        text(recs, |r| r.message.as_deref()),
    ]
}

fn mail_columns(recs: &[&MailRecord]) -> Vec<ArrayRef> {
    vec![
        text(recs, |r| r.queue_id.as_deref()),
        text(recs, |r| r.message_id.as_deref()),
        text(recs, |r| r.sender.as_deref()),
        text(recs, |r| r.recipient.as_deref()),
        text(recs, |r| r.direction.as_deref()),
        text(recs, |r| Some(r.status.as_str())),
        text(recs, |r| r.status_detail.as_deref()),
        text(recs, |r| r.dsn.as_deref()),
        u64s(recs, |r| r.size),
        Arc::new(UInt32Array::from_iter(recs.iter().map(|r| r.nrcpt))),
        text(recs, |r| r.relay.as_deref()),
        text(recs, |r| r.client_ip.as_deref()),
        text(recs, |r| r.client_host.as_deref()),
        text(recs, |r| r.sasl_user.as_deref()),
        Arc::new(Float64Array::from_iter(recs.iter().map(|r| r.delay_s))),
    ]
}

fn cloud_audit_columns(recs: &[&CloudAuditRecord]) -> Vec<ArrayRef> {
    vec![
        text(recs, |r| Some(r.provider.as_str())),
        text(recs, |r| r.cloud_tenant.as_deref()),
        text(recs, |r| r.service.as_deref()),
        text(recs, |r| r.actor.as_deref()),
        text(recs, |r| r.actor_ip.as_deref()),
        text(recs, |r| Some(r.operation.as_str())),
        text(recs, |r| r.target.as_deref()),
        text(recs, |r| r.outcome.map(|o| o.as_str())),
        text(recs, |r| r.reason.as_deref()),
        Arc::new(BooleanArray::from_iter(
            recs.iter().map(|r| Some(r.privileged)),
        )),
        text(recs, |r| r.region.as_deref()),
        text(recs, |r| r.user_agent.as_deref()),
        text(recs, |r| r.event_id.as_deref()),
    ]
}
