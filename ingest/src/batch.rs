//! Routing rows into per-table, per-partition Arrow batches.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, RecordBatch, StringArray, TimestampMicrosecondArray, UInt8Array,
    UInt16Array, UInt64Array,
};
use bannin_parsers::{AuthEvent, FirewallRecord, ProxyRecord, SyslogRecord};
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Syslog(SyslogRecord),
    Auth {
        envelope: SyslogRecord,
        event: AuthEvent,
        privileged: bool,
    },
    Proxy(ProxyRecord),
    Firewall(FirewallRecord),
    Unparsed {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
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
            Body::Unparsed { .. } => Table::Unparsed,
        }
    }

    fn host(&self) -> Option<&str> {
        match &self.body {
            Body::Syslog(r) | Body::Auth { envelope: r, .. } => r.host.as_deref(),
            Body::Firewall(r) => r.host.as_deref(),
            Body::Proxy(_) | Body::Unparsed { .. } => None,
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
        Table::Syslog => {
            let recs: Vec<&SyslogRecord> = rows
                .iter()
                .filter_map(|r| match &r.body {
                    Body::Syslog(rec) => Some(rec),
                    _ => None,
                })
                .collect();
            columns.extend([
                strings(recs.iter().map(|r| r.app_name.as_deref())),
                strings(recs.iter().map(|r| r.procid.as_deref())),
                strings(recs.iter().map(|r| r.msgid.as_deref())),
                Arc::new(UInt8Array::from_iter(recs.iter().map(|r| r.facility))) as ArrayRef,
                Arc::new(UInt8Array::from_iter(recs.iter().map(|r| r.severity))),
                strings(recs.iter().map(|r| r.structured_data.as_deref())),
                strings(recs.iter().map(|r| Some(r.message.as_str()))),
            ]);
        }
        Table::Auth => {
            let recs: Vec<(&SyslogRecord, &AuthEvent, bool)> = rows
                .iter()
                .filter_map(|r| match &r.body {
                    Body::Auth {
                        envelope,
                        event,
                        privileged,
                    } => Some((envelope, event, *privileged)),
                    _ => None,
                })
                .collect();
            columns.extend([
                strings(recs.iter().map(|(_, e, _)| Some(e.app.as_str()))),
                strings(recs.iter().map(|(_, e, _)| e.user.as_deref())),
                strings(recs.iter().map(|(_, e, _)| e.src_ip.as_deref())),
                Arc::new(UInt16Array::from_iter(
                    recs.iter().map(|(_, e, _)| e.src_port),
                )) as ArrayRef,
                strings(recs.iter().map(|(_, e, _)| Some(e.outcome.as_str()))),
                strings(recs.iter().map(|(_, e, _)| e.method.as_deref())),
                strings(recs.iter().map(|(_, e, _)| e.reason.as_deref())),
                Arc::new(BooleanArray::from_iter(recs.iter().map(|_| None::<bool>))),
                Arc::new(BooleanArray::from_iter(
                    recs.iter().map(|(_, _, p)| Some(*p)),
                )),
                strings(recs.iter().map(|(_, e, _)| e.target_user.as_deref())),
                strings(recs.iter().map(|(r, _, _)| Some(r.message.as_str()))),
            ]);
        }
        Table::Proxy => {
            let recs: Vec<&ProxyRecord> = rows
                .iter()
                .filter_map(|r| match &r.body {
                    Body::Proxy(rec) => Some(rec),
                    _ => None,
                })
                .collect();
            let u64s = |f: fn(&ProxyRecord) -> Option<u64>| -> ArrayRef {
                Arc::new(UInt64Array::from_iter(recs.iter().map(|r| f(r))))
            };
            columns.extend([
                strings(recs.iter().map(|r| r.src_ip.as_deref())),
                strings(recs.iter().map(|r| r.user.as_deref())),
                strings(recs.iter().map(|r| r.method.as_deref())),
                strings(recs.iter().map(|r| r.url.as_deref())),
                strings(recs.iter().map(|r| r.url_host.as_deref())),
                strings(recs.iter().map(|r| r.url_path.as_deref())),
                Arc::new(UInt16Array::from_iter(recs.iter().map(|r| r.status))) as ArrayRef,
                u64s(|r| r.bytes_in),
                u64s(|r| r.bytes_out),
                strings(recs.iter().map(|r| r.action.as_deref())),
                strings(recs.iter().map(|r| r.category.as_deref())),
                strings(recs.iter().map(|r| r.user_agent.as_deref())),
                u64s(|r| r.duration_ms),
                strings(recs.iter().map(|r| r.content_type.as_deref())),
                strings(recs.iter().map(|r| r.upstream.as_deref())),
            ]);
        }
        Table::Firewall => {
            let recs: Vec<&FirewallRecord> = rows
                .iter()
                .filter_map(|r| match &r.body {
                    Body::Firewall(rec) => Some(rec),
                    _ => None,
                })
                .collect();
            let u64s = |f: fn(&FirewallRecord) -> Option<u64>| -> ArrayRef {
                Arc::new(UInt64Array::from_iter(recs.iter().map(|r| f(r))))
            };
            let u16s = |f: fn(&FirewallRecord) -> Option<u16>| -> ArrayRef {
                Arc::new(UInt16Array::from_iter(recs.iter().map(|r| f(r))))
            };
            columns.extend([
                strings(recs.iter().map(|r| r.log_type.as_deref())),
                strings(recs.iter().map(|r| r.subtype.as_deref())),
                strings(recs.iter().map(|r| r.action.as_deref())),
                strings(recs.iter().map(|r| r.src_ip.as_deref())),
                u16s(|r| r.src_port),
                strings(recs.iter().map(|r| r.dst_ip.as_deref())),
                u16s(|r| r.dst_port),
                strings(recs.iter().map(|r| r.proto.as_deref())),
                u64s(|r| r.bytes_in),
                u64s(|r| r.bytes_out),
                strings(recs.iter().map(|r| r.rule.as_deref())),
                strings(recs.iter().map(|r| r.src_zone.as_deref())),
                strings(recs.iter().map(|r| r.dst_zone.as_deref())),
                strings(recs.iter().map(|r| r.app.as_deref())),
                strings(recs.iter().map(|r| r.message.as_deref())),
            ]);
        }
        Table::Unparsed => {
            columns.push(strings(rows.iter().map(|r| match &r.body {
                Body::Unparsed { error } => Some(error.as_str()),
                _ => None,
            })));
        }
    }
    columns.push(strings(rows.iter().map(|r| Some(r.core.raw.as_str()))));
    RecordBatch::try_new(table.file_schema(), columns).map_err(|source| IngestError::Arrow {
        table: table.name(),
        source,
    })
}
