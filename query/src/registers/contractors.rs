//! `contractors` (委託事業者アカウント): accounts used by contractors and
//! the contract period they may be used in, so use outside the period
//! (or after the contract ended, 003:587-632) can be found.

use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::columns::{self, list_field, required_utf8_field, utf8_field};
use super::csv_file::{Column, CsvFile, Keys, NOTES, TENANT};
use super::{RegisterError, value};

/// One contractor account for one contract period.
#[derive(Debug, Clone, PartialEq)]
pub struct Contractor {
    /// `None`: every tenant.
    pub tenant: Option<String>,
    /// Lower-cased; compare with `lower("user")`.
    pub account: String,
    /// 委託事業者.
    pub company: String,
    /// 契約件名.
    pub contract: Option<String>,
    pub systems: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub notes: Option<String>,
}

pub(crate) const FILE: &str = "contractors.csv";

pub(crate) const COLUMNS: &[Column] = &[
    TENANT,
    Column::required("account", &["アカウント", "id", "ユーザid"]),
    Column::required("company", &["事業者", "委託事業者", "事業者名", "会社名"]),
    Column::optional("contract", &["契約", "契約名", "件名", "業務名"]),
    Column::optional("systems", &["system", "システム", "対象システム"]),
    Column::required("valid_from", &["契約開始日", "開始日", "利用開始日"]),
    Column::required("valid_until", &["契約終了日", "終了日", "有効期限"]),
    NOTES,
];

pub(crate) fn parse(file: &CsvFile) -> Result<Vec<Contractor>, RegisterError> {
    let mut keys = Keys::new();
    let mut contractors = Vec::new();
    for row in file.rows() {
        let tenant = row.text("tenant").map(str::to_owned);
        let account = row.parsed_required("account", value::account)?;
        let valid_from = row.parsed_required("valid_from", value::date)?;
        let valid_until = row.parsed_required("valid_until", value::date)?;
        row.period("valid_from", "valid_until")?;
        keys.check_for_tenant(
            &row,
            tenant.as_deref(),
            &format!("{account}\u{0}{valid_from}"),
            &format!("account {account} from {valid_from}"),
        )?;
        contractors.push(Contractor {
            tenant,
            account,
            company: row.required("company")?.to_owned(),
            contract: row.text("contract").map(str::to_owned),
            systems: row.list("systems", value::text)?,
            valid_from,
            valid_until,
            notes: row.text("notes").map(str::to_owned),
        });
    }
    Ok(contractors)
}

pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8_field("tenant"),
        required_utf8_field("account"),
        required_utf8_field("company"),
        utf8_field("contract"),
        list_field("systems"),
        Field::new("valid_from", DataType::Date32, false),
        Field::new("valid_until", DataType::Date32, false),
        utf8_field("notes"),
    ]))
}

pub(crate) fn batch(contractors: &[Contractor]) -> Result<RecordBatch, RegisterError> {
    Ok(RecordBatch::try_new(
        schema(),
        vec![
            columns::utf8(contractors.iter().map(|c| c.tenant.as_deref())),
            columns::utf8(contractors.iter().map(|c| Some(c.account.as_str()))),
            columns::utf8(contractors.iter().map(|c| Some(c.company.as_str()))),
            columns::utf8(contractors.iter().map(|c| c.contract.as_deref())),
            columns::lists(contractors.iter().map(|c| c.systems.as_slice())),
            columns::dates(contractors.iter().map(|c| Some(c.valid_from))),
            columns::dates(contractors.iter().map(|c| Some(c.valid_until))),
            columns::utf8(contractors.iter().map(|c| c.notes.as_deref())),
        ],
    )?)
}
