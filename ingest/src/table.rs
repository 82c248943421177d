//! The lake's tables and their Arrow schemas.
//!
//! Every table shares the core columns (`time`, `received_at`, `source`,
//! `host`, `segment`, `raw`); `tenant` and `date` are not stored in the
//! files but are the Hive partition columns of their paths
//! (`<table>/tenant=<t>/date=YYYY-MM-DD/`).

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// A table of the lake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Syslog,
    Auth,
    Proxy,
    Firewall,
    Mail,
    CloudAudit,
    Unparsed,
}

/// Partition columns, in path order.
pub const PARTITION_COLUMNS: [&str; 2] = ["tenant", "date"];

impl Table {
    pub const ALL: [Table; 7] = [
        Table::Syslog,
        Table::Auth,
        Table::Proxy,
        Table::Firewall,
        Table::Mail,
        Table::CloudAudit,
        Table::Unparsed,
    ];

    /// Position in [`Table::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Table::Syslog => "syslog",
            Table::Auth => "auth",
            Table::Proxy => "proxy",
            Table::Firewall => "firewall",
            Table::Mail => "mail",
            Table::CloudAudit => "cloud_audit",
            Table::Unparsed => "unparsed",
        }
    }

    /// The table called `name` (its directory in the lake).
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The schema of the Parquet files (without partition columns).
    pub fn file_schema(self) -> SchemaRef {
        static SYSLOG: LazyLock<SchemaRef> = LazyLock::new(|| {
            with_core(vec![
                utf8("app_name"),
                utf8("procid"),
                utf8("msgid"),
                Field::new("facility", DataType::UInt8, true),
                Field::new("severity", DataType::UInt8, true),
                utf8("structured_data"),
                Field::new("message", DataType::Utf8, false),
            ])
        });
        static AUTH: LazyLock<SchemaRef> = LazyLock::new(|| {
            with_core(vec![
                Field::new("app", DataType::Utf8, false),
                utf8("user"),
                utf8("src_ip"),
                Field::new("src_port", DataType::UInt16, true),
                Field::new("outcome", DataType::Utf8, false),
                utf8("method"),
                utf8("reason"),
                Field::new("mfa", DataType::Boolean, true),
                Field::new("privileged", DataType::Boolean, false),
                utf8("target_user"),
                utf8("group_name"),
                utf8("message"),
            ])
        });
        static PROXY: LazyLock<SchemaRef> = LazyLock::new(|| {
            with_core(vec![
                utf8("src_ip"),
                utf8("user"),
                utf8("method"),
                utf8("url"),
                utf8("url_host"),
                utf8("url_path"),
                Field::new("status", DataType::UInt16, true),
                Field::new("bytes_in", DataType::UInt64, true),
                Field::new("bytes_out", DataType::UInt64, true),
                utf8("action"),
                utf8("category"),
                utf8("user_agent"),
                Field::new("duration_ms", DataType::UInt64, true),
                utf8("content_type"),
                utf8("upstream"),
            ])
        });
        static FIREWALL: LazyLock<SchemaRef> = LazyLock::new(|| {
            with_core(vec![
                utf8("log_type"),
                utf8("subtype"),
                utf8("action"),
                utf8("src_ip"),
                Field::new("src_port", DataType::UInt16, true),
                utf8("dst_ip"),
                Field::new("dst_port", DataType::UInt16, true),
                utf8("proto"),
                Field::new("bytes_in", DataType::UInt64, true),
                Field::new("bytes_out", DataType::UInt64, true),
                utf8("rule"),
                utf8("src_zone"),
                utf8("dst_zone"),
                utf8("app"),
                utf8("message"),
            ])
        });
        static MAIL: LazyLock<SchemaRef> = LazyLock::new(|| {
            with_core(vec![
                utf8("queue_id"),
                utf8("message_id"),
                utf8("sender"),
                utf8("recipient"),
                utf8("direction"),
                Field::new("status", DataType::Utf8, false),
                utf8("status_detail"),
                utf8("dsn"),
                Field::new("size", DataType::UInt64, true),
                Field::new("nrcpt", DataType::UInt32, true),
                utf8("relay"),
                utf8("client_ip"),
                utf8("client_host"),
                utf8("sasl_user"),
                Field::new("delay_s", DataType::Float64, true),
            ])
        });
        static CLOUD_AUDIT: LazyLock<SchemaRef> = LazyLock::new(|| {
            with_core(vec![
                Field::new("provider", DataType::Utf8, false),
                utf8("cloud_tenant"),
                utf8("service"),
                utf8("actor"),
                utf8("actor_ip"),
                Field::new("operation", DataType::Utf8, false),
                utf8("target"),
                utf8("outcome"),
                utf8("reason"),
                Field::new("privileged", DataType::Boolean, false),
                utf8("region"),
                utf8("user_agent"),
                utf8("event_id"),
            ])
        });
        static UNPARSED: LazyLock<SchemaRef> =
            LazyLock::new(|| with_core(vec![Field::new("error", DataType::Utf8, false)]));
        match self {
            Table::Syslog => SYSLOG.clone(),
            Table::Auth => AUTH.clone(),
            Table::Proxy => PROXY.clone(),
            Table::Firewall => FIREWALL.clone(),
            Table::Mail => MAIL.clone(),
            Table::CloudAudit => CLOUD_AUDIT.clone(),
            Table::Unparsed => UNPARSED.clone(),
        }
    }
}

fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

/// Event and receive times: UTC, microseconds.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn with_core(specific: Vec<Field>) -> SchemaRef {
    let mut fields = vec![
        Field::new("time", timestamp_type(), false),
        Field::new("received_at", timestamp_type(), false),
        Field::new("source", DataType::Utf8, false),
        utf8("host"),
        utf8("segment"),
    ];
    fields.extend(specific);
    fields.push(Field::new("raw", DataType::Utf8, false));
    Arc::new(Schema::new(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_the_core_columns() {
        for table in Table::ALL {
            let schema = table.file_schema();
            for core in ["time", "received_at", "source", "host", "segment", "raw"] {
                assert!(
                    schema.field_with_name(core).is_ok(),
                    "{} lacks {core}",
                    table.name()
                );
            }
            for part in PARTITION_COLUMNS {
                assert!(schema.field_with_name(part).is_err());
            }
        }
    }
}
