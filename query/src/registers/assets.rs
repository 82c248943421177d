//! `assets` (資産台帳 / ネットワーク台帳): address ranges and hosts → 三層
//! zone, department and role, so events can be placed without guessing.
//!
//! A row names a network (`cidr`), a host, or both (a server and its
//! address). `prefix_len` lets SQL prefer the most specific network when
//! ranges nest: `ORDER BY prefix_len DESC`.

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ipnet::IpNet;

use super::columns::{self, utf8_field};
use super::csv_file::{Column, CsvFile, Keys, NOTES, TENANT};
use super::{RegisterError, value};

/// One network or host.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// `None`: every tenant.
    pub tenant: Option<String>,
    pub cidr: Option<IpNet>,
    /// Lower-cased host name.
    pub host: Option<String>,
    /// `mynumber`, `lgwan` or `internet`.
    pub zone: Option<&'static str>,
    pub department: Option<String>,
    /// What it is (端末, ファイルサーバ, プロキシ …).
    pub role: Option<String>,
    pub administrator: Option<String>,
    pub notes: Option<String>,
}

pub(crate) const FILE: &str = "assets.csv";

pub(crate) const COLUMNS: &[Column] = &[
    TENANT,
    Column::optional(
        "cidr",
        &[
            "address",
            "ip",
            "ipアドレス",
            "アドレス",
            "ネットワーク",
            "セグメント",
        ],
    ),
    Column::optional("host", &["hostname", "ホスト名", "機器名", "端末名"]),
    Column::optional("zone", &["segment", "系", "ネットワーク系", "区分"]),
    Column::optional("department", &["部署", "所属", "設置部署"]),
    Column::optional("role", &["用途", "役割", "種別"]),
    Column::optional("administrator", &["管理者", "責任者"]),
    NOTES,
];

pub(crate) fn parse(file: &CsvFile) -> Result<Vec<Asset>, RegisterError> {
    let mut networks = Keys::new();
    let mut hosts = Keys::new();
    let mut assets = Vec::new();
    for row in file.rows() {
        let tenant = row.text("tenant").map(str::to_owned);
        let cidr = row.parsed("cidr", value::cidr)?;
        let host = row.parsed("host", value::host)?;
        if cidr.is_none() && host.is_none() {
            return Err(row.error("a row needs a cidr (address or network) or a host".into()));
        }
        if let Some(cidr) = cidr {
            let key = cidr.to_string();
            networks.check_for_tenant(&row, tenant.as_deref(), &key, &format!("network {key}"))?;
        }
        if let Some(host) = &host {
            hosts.check_for_tenant(&row, tenant.as_deref(), host, &format!("host {host}"))?;
        }
        assets.push(Asset {
            tenant,
            cidr,
            host,
            zone: row.parsed("zone", value::zone)?,
            department: row.text("department").map(str::to_owned),
            role: row.text("role").map(str::to_owned),
            administrator: row.text("administrator").map(str::to_owned),
            notes: row.text("notes").map(str::to_owned),
        });
    }
    Ok(assets)
}

pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8_field("tenant"),
        utf8_field("cidr"),
        Field::new("prefix_len", DataType::Int32, true),
        utf8_field("host"),
        utf8_field("zone"),
        utf8_field("department"),
        utf8_field("role"),
        utf8_field("administrator"),
        utf8_field("notes"),
    ]))
}

pub(crate) fn batch(assets: &[Asset]) -> Result<RecordBatch, RegisterError> {
    let cidrs: Vec<Option<String>> = assets
        .iter()
        .map(|a| a.cidr.map(|c| c.to_string()))
        .collect();
    Ok(RecordBatch::try_new(
        schema(),
        vec![
            columns::utf8(assets.iter().map(|a| a.tenant.as_deref())),
            columns::utf8(cidrs.iter().map(Option::as_deref)),
            columns::ints(
                assets
                    .iter()
                    .map(|a| a.cidr.map(|c| i32::from(c.prefix_len()))),
            ),
            columns::utf8(assets.iter().map(|a| a.host.as_deref())),
            columns::utf8(assets.iter().map(|a| a.zone)),
            columns::utf8(assets.iter().map(|a| a.department.as_deref())),
            columns::utf8(assets.iter().map(|a| a.role.as_deref())),
            columns::utf8(assets.iter().map(|a| a.administrator.as_deref())),
            columns::utf8(assets.iter().map(|a| a.notes.as_deref())),
        ],
    )?)
}
