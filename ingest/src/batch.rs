//! Routing rows into per-table, per-partition Arrow batches.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, RecordBatch, StringBuilder,
    TimestampMicrosecondArray, UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use arrow::compute::interleave_record_batch;
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
    /// Shared by the rows of one source (a connection's, a file's).
    pub source: Arc<str>,
    pub segment: Option<Arc<str>>,
    pub raw: String,
}

/// What a row carries beyond the core, which also decides its table.
/// Boxed as the parsers' records are (a row is moved into its batch).
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Syslog(Box<SyslogRecord>),
    Auth {
        envelope: Box<SyslogRecord>,
        event: Box<AuthEvent>,
        privileged: bool,
    },
    Proxy(Box<ProxyRecord>),
    Firewall(Box<FirewallRecord>),
    Mail(Box<MailRecord>),
    CloudAudit(Box<CloudAuditRecord>),
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

/// Rows by partition, as Arrow batches in the table's file schema.
pub type PartitionRows = Vec<(PartitionKey, Vec<RecordBatch>)>;

/// Rows accepted and not yet in the lake's files (unsorted): what queries
/// add to the files — consistently, so that no row is seen twice or not
/// at all while commits go on.
#[derive(Debug, Clone, Default)]
pub struct Unflushed {
    pub rows: PartitionRows,
    /// The WAL LSN through which records are in the files the rows go
    /// with: a file committed with a higher LSN holds rows that `rows`
    /// has, and is left out. `None`: every committed file.
    pub committed: Option<u64>,
}

/// Whether a file committed through `wal_lsn` goes with unflushed rows
/// whose files are those committed through `committed` (files without an
/// LSN, imported ones, are never in the WAL).
pub fn file_goes_with(committed: Option<u64>, wal_lsn: Option<u64>) -> bool {
    match (committed, wal_lsn) {
        (Some(committed), Some(lsn)) => lsn <= committed,
        _ => true,
    }
}

/// Rows per Arrow chunk of a pending partition. Rows are held as Rust
/// values only until a chunk fills; then they become Arrow columns, which
/// take about a third of the memory (no per-string allocation).
const CHUNK_ROWS: usize = 4096;

/// Rows waiting to be written, grouped by partition.
#[derive(Debug, Default)]
pub struct Partitions {
    /// By table and date, then tenant (looked up without allocating).
    parts: BTreeMap<(Table, NaiveDate), BTreeMap<String, Pending>>,
    rows: usize,
}

/// One partition's pending rows: whole chunks as Arrow, the rest as rows.
#[derive(Debug, Default)]
struct Pending {
    chunks: Vec<RecordBatch>,
    tail: Vec<Row>,
}

impl Partitions {
    pub fn push(&mut self, tenant: &str, row: Row) -> Result<(), IngestError> {
        let table = row.table();
        let by_tenant = self
            .parts
            .entry((table, row.core.time.date_naive()))
            .or_default();
        // The common case, a partition already pending, allocates no key.
        let part = match by_tenant.get_mut(tenant) {
            Some(part) => part,
            None => by_tenant.entry(tenant.to_owned()).or_default(),
        };
        part.tail.push(row);
        if part.tail.len() >= CHUNK_ROWS {
            part.chunks.push(record_batch(table, &part.tail)?);
            part.tail.clear();
        }
        self.rows += 1;
        Ok(())
    }

    pub fn row_count(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The batches of each partition, rows sorted by `time` across them
    /// (equal times keep their arrival order).
    pub fn into_batches(self) -> Result<Vec<(PartitionKey, Vec<RecordBatch>)>, IngestError> {
        self.parts
            .into_iter()
            .flat_map(|((table, date), tenants)| {
                tenants.into_iter().map(move |(tenant, part)| {
                    let batches = part.sorted(table)?;
                    Ok((
                        PartitionKey {
                            table,
                            tenant,
                            date,
                        },
                        batches,
                    ))
                })
            })
            .collect()
    }

    /// Turns the rows not yet in a chunk into one, so that a snapshot and
    /// the sort at commit need not convert them again.
    pub fn seal(&mut self) -> Result<(), IngestError> {
        for ((table, _), tenants) in &mut self.parts {
            for part in tenants.values_mut().filter(|p| !p.tail.is_empty()) {
                part.chunks.push(record_batch(*table, &part.tail)?);
                part.tail = Vec::new();
            }
        }
        Ok(())
    }

    /// The pending rows of every partition as they are, unsorted (for
    /// queries over rows not yet committed).
    pub fn snapshot(&self) -> Result<PartitionRows, IngestError> {
        self.parts
            .iter()
            .flat_map(|((table, date), tenants)| {
                tenants.iter().map(move |(tenant, part)| {
                    let mut batches = part.chunks.clone();
                    if !part.tail.is_empty() {
                        batches.push(record_batch(*table, &part.tail)?);
                    }
                    let key = PartitionKey {
                        table: *table,
                        tenant: tenant.clone(),
                        date: *date,
                    };
                    Ok((key, batches))
                })
            })
            .collect()
    }
}

impl Pending {
    /// The rows sorted by time with a stable sort: the chunks as they are
    /// when they already are (records mostly arrive in order), else one
    /// batch in order.
    fn sorted(mut self, table: Table) -> Result<Vec<RecordBatch>, IngestError> {
        if !self.tail.is_empty() {
            self.chunks.push(record_batch(table, &self.tail)?);
            self.tail = Vec::new();
        }
        let arrow_err = |source| IngestError::Arrow {
            table: table.name(),
            source,
        };
        let mut order: Vec<(i64, usize, usize)> = Vec::new();
        for (c, chunk) in self.chunks.iter().enumerate() {
            let times = chunk
                .column(0)
                .as_any()
                .downcast_ref::<TimestampMicrosecondArray>()
                .ok_or_else(|| {
                    arrow_err(arrow::error::ArrowError::SchemaError(
                        "the first column is not the time".into(),
                    ))
                })?;
            order.extend(times.values().iter().enumerate().map(|(i, t)| (*t, c, i)));
        }
        if order.is_sorted_by_key(|(t, _, _)| *t) {
            return Ok(self.chunks);
        }
        order.sort_by_key(|(t, _, _)| *t);
        let indices: Vec<(usize, usize)> = order.into_iter().map(|(_, c, i)| (c, i)).collect();
        let chunks: Vec<&RecordBatch> = self.chunks.iter().collect();
        Ok(vec![
            interleave_record_batch(&chunks, &indices).map_err(arrow_err)?,
        ])
    }
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>> + Clone) -> ArrayRef {
    let (count, bytes) = values
        .clone()
        .fold((0, 0), |(n, b), v| (n + 1, b + v.map_or(0, str::len)));
    let mut builder = StringBuilder::with_capacity(count, bytes);
    for value in values {
        builder.append_option(value);
    }
    Arc::new(builder.finish())
}

fn times(values: impl Iterator<Item = DateTime<Utc>>) -> ArrayRef {
    let micros: Vec<i64> = values.map(|t| t.timestamp_micros()).collect();
    Arc::new(TimestampMicrosecondArray::from(micros).with_timezone("UTC"))
}

/// One column of a table's specific records.
fn text<'a, T>(recs: &[&'a T], f: impl Fn(&'a T) -> Option<&'a str> + Copy) -> ArrayRef {
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
        strings(rows.iter().map(|r| Some(&*r.core.source))),
        strings(rows.iter().map(Row::host)),
        strings(rows.iter().map(|r| r.core.segment.as_deref())),
    ];
    match table {
        Table::Syslog => columns.extend(syslog_columns(&pick(rows, |b| match b {
            Body::Syslog(rec) => Some(&**rec),
            _ => None,
        }))),
        Table::Auth => columns.extend(auth_columns(&pick(rows, |b| match b {
            Body::Auth {
                envelope,
                event,
                privileged,
            } => Some((&**envelope, &**event, *privileged)),
            _ => None,
        }))),
        Table::Proxy => columns.extend(proxy_columns(&pick(rows, |b| match b {
            Body::Proxy(rec) => Some(&**rec),
            _ => None,
        }))),
        Table::Firewall => columns.extend(firewall_columns(&pick(rows, |b| match b {
            Body::Firewall(rec) => Some(&**rec),
            _ => None,
        }))),
        Table::Mail => columns.extend(mail_columns(&pick(rows, |b| match b {
            Body::Mail(rec) => Some(&**rec),
            _ => None,
        }))),
        Table::CloudAudit => columns.extend(cloud_audit_columns(&pick(rows, |b| match b {
            Body::CloudAudit(rec) => Some(&**rec),
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

#[cfg(test)]
mod tests {
    use arrow::array::StringArray;
    use chrono::TimeZone;

    use super::*;

    fn row(second: i64, message: &str) -> Row {
        let time = Utc.timestamp_opt(1_790_000_000 + second, 0).unwrap();
        Row {
            core: Core {
                time,
                received_at: time,
                source: "fw".into(),
                segment: None,
                raw: message.into(),
            },
            body: Body::Syslog(Box::new(SyslogRecord {
                time,
                facility: Some(1),
                severity: Some(6),
                host: Some("fw01".into()),
                app_name: None,
                procid: None,
                msgid: None,
                structured_data: None,
                message: message.into(),
            })),
        }
    }

    /// (time, raw) of every row, in file order.
    fn rows_of(batches: &[RecordBatch]) -> Vec<(i64, String)> {
        let mut out = Vec::new();
        for b in batches {
            let times = b
                .column(0)
                .as_any()
                .downcast_ref::<TimestampMicrosecondArray>();
            let raw = b
                .columns()
                .last()
                .and_then(|c| c.as_any().downcast_ref::<StringArray>());
            let (times, raw) = (times.unwrap(), raw.unwrap());
            out.extend((0..b.num_rows()).map(|i| (times.value(i), raw.value(i).to_owned())));
        }
        out
    }

    #[test]
    fn rows_out_of_order_across_chunks_are_sorted_stably() {
        let mut parts = Partitions::default();
        let n = 3 * CHUNK_ROWS as i64 + 17;
        // Newest first, every time twice: the sort must keep "a" before "b".
        for i in (0..n).rev() {
            parts.push("city", row(i, &format!("a{i}"))).unwrap();
            parts.push("city", row(i, &format!("b{i}"))).unwrap();
        }
        assert_eq!(parts.row_count(), 2 * n as usize);
        let batches = parts.into_batches().unwrap();
        assert_eq!(batches.len(), 1, "one partition");
        let (key, batches) = &batches[0];
        assert_eq!((key.table, key.tenant.as_str()), (Table::Syslog, "city"));
        let rows = rows_of(batches);
        assert_eq!(rows.len(), 2 * n as usize);
        for (i, pair) in rows.chunks(2).enumerate() {
            assert_eq!(pair[0].1, format!("a{i}"));
            assert_eq!(pair[1].1, format!("b{i}"));
        }
        assert!(rows.is_sorted_by_key(|(t, _)| *t));
    }

    #[test]
    fn rows_in_order_keep_their_chunks_and_partitions_split_by_tenant_and_day() {
        let mut parts = Partitions::default();
        let n = 2 * CHUNK_ROWS as i64 + 5;
        for i in 0..n {
            parts.push("city", row(i, "in order")).unwrap();
        }
        parts.push("town", row(0, "other tenant")).unwrap();
        parts
            .push("city", row(86_400 * 3, "three days later"))
            .unwrap();
        let snapshot = parts.snapshot().unwrap();
        let pending: usize = snapshot
            .iter()
            .flat_map(|(_, b)| b.iter().map(RecordBatch::num_rows))
            .sum();
        assert_eq!(pending, n as usize + 2, "the snapshot holds every row");
        let batches = parts.into_batches().unwrap();
        let keys: Vec<(String, NaiveDate, usize)> = batches
            .iter()
            .map(|(k, b)| (k.tenant.clone(), k.date, rows_of(b).len()))
            .collect();
        assert_eq!(keys.len(), 3, "{keys:?}");
        let city_first = batches
            .iter()
            .find(|(k, b)| k.tenant == "city" && rows_of(b).len() == n as usize)
            .unwrap();
        assert_eq!(
            city_first.1.len(),
            3,
            "two whole chunks and the tail, not re-copied"
        );
        assert!(rows_of(&city_first.1).is_sorted_by_key(|(t, _)| *t));
    }
}
