//! `privileged_accounts` (特権ID台帳): privileged IDs, who holds them, the
//! systems they administer and the hosts they may be used from.
//!
//! The file's `allowed_hosts` cell mixes names and addresses; the table
//! splits it into `allowed_hosts` (names) and `allowed_cidrs` (networks),
//! so SQL compares each with the right function.

use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{Schema, SchemaRef};

use super::columns::{self, date_field, list_field, required_utf8_field, utf8_field};
use super::csv_file::{Column, CsvFile, Keys, NOTES, TENANT};
use super::{RegisterError, value};

/// One privileged ID.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivilegedAccount {
    /// `None`: every tenant.
    pub tenant: Option<String>,
    /// Lower-cased; compare with `lower("user")`.
    pub account: String,
    /// Person or team responsible (管理者 / 使用者).
    pub owner: Option<String>,
    /// What kind of privilege (e.g. `domain_admin`, `root`, `service`).
    pub role: Option<String>,
    pub systems: Vec<String>,
    /// Host names the ID may be used from (lower-cased); empty: any.
    pub allowed_hosts: Vec<String>,
    /// Networks the ID may be used from (canonical CIDR); empty: any.
    pub allowed_cidrs: Vec<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub notes: Option<String>,
}

pub(crate) const FILE: &str = "privileged_accounts.csv";

pub(crate) const COLUMNS: &[Column] = &[
    TENANT,
    Column::required("account", &["アカウント", "特権id", "id", "ユーザid"]),
    Column::optional("owner", &["管理者", "使用者", "責任者"]),
    Column::optional("role", &["権限", "種別", "役割"]),
    Column::optional("systems", &["system", "システム", "対象システム"]),
    Column::optional(
        "allowed_hosts",
        &["allowed_host", "許可端末", "利用端末", "接続元"],
    ),
    Column::optional("valid_from", &["利用開始日", "開始日", "発行日"]),
    Column::optional("valid_until", &["有効期限", "利用期限", "終了日"]),
    NOTES,
];

pub(crate) fn parse(file: &CsvFile) -> Result<Vec<PrivilegedAccount>, RegisterError> {
    let mut keys = Keys::new();
    let mut accounts = Vec::new();
    for row in file.rows() {
        let tenant = row.text("tenant").map(str::to_owned);
        let account = row.parsed_required("account", value::account)?;
        keys.check_for_tenant(
            &row,
            tenant.as_deref(),
            &account.to_string(),
            &format!("account {account}"),
        )?;
        let mut allowed_hosts = Vec::new();
        let mut allowed_cidrs = Vec::new();
        for entry in row.list("allowed_hosts", value::text)? {
            if value::looks_like_address(&entry) {
                let network = row
                    .parsed_cell("allowed_hosts", &entry, value::cidr)?
                    .to_string();
                allowed_cidrs.push(network);
            } else {
                allowed_hosts.push(row.parsed_cell("allowed_hosts", &entry, value::host)?);
            }
        }
        let (valid_from, valid_until) = row.period("valid_from", "valid_until")?;
        accounts.push(PrivilegedAccount {
            tenant,
            account,
            owner: row.text("owner").map(str::to_owned),
            role: row.text("role").map(str::to_owned),
            systems: row.list("systems", value::text)?,
            allowed_hosts,
            allowed_cidrs,
            valid_from,
            valid_until,
            notes: row.text("notes").map(str::to_owned),
        });
    }
    Ok(accounts)
}

pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8_field("tenant"),
        required_utf8_field("account"),
        utf8_field("owner"),
        utf8_field("role"),
        list_field("systems"),
        list_field("allowed_hosts"),
        list_field("allowed_cidrs"),
        date_field("valid_from"),
        date_field("valid_until"),
        utf8_field("notes"),
    ]))
}

pub(crate) fn batch(accounts: &[PrivilegedAccount]) -> Result<RecordBatch, RegisterError> {
    Ok(RecordBatch::try_new(
        schema(),
        vec![
            columns::utf8(accounts.iter().map(|a| a.tenant.as_deref())),
            columns::utf8(accounts.iter().map(|a| Some(a.account.as_str()))),
            columns::utf8(accounts.iter().map(|a| a.owner.as_deref())),
            columns::utf8(accounts.iter().map(|a| a.role.as_deref())),
            columns::lists(accounts.iter().map(|a| a.systems.as_slice())),
            columns::lists(accounts.iter().map(|a| a.allowed_hosts.as_slice())),
            columns::lists(accounts.iter().map(|a| a.allowed_cidrs.as_slice())),
            columns::dates(accounts.iter().map(|a| a.valid_from)),
            columns::dates(accounts.iter().map(|a| a.valid_until)),
            columns::utf8(accounts.iter().map(|a| a.notes.as_deref())),
        ],
    )?)
}
