//! `approved_services` (外部サービス台帳): external services the
//! municipality approved, with their domains, the highest confidentiality
//! they may hold, the departments allowed and the approval's period.
//!
//! Table: one row per (service, domain), so that detection SQL joins proxy
//! hosts on `domain` directly.

use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::columns::{self, date_field, list_field, required_utf8_field, utf8_field};
use super::csv_file::{Column, CsvFile, Keys, NOTES, TENANT};
use super::{RegisterError, saas_catalog, value};

/// One approved service (one row of the file).
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovedService {
    /// Municipality the approval belongs to; `None`: every tenant.
    pub tenant: Option<String>,
    pub service: String,
    /// Domains the service is reached at (each covers its subdomains).
    pub domains: Vec<String>,
    /// Category, from the `saas_catalog` vocabulary.
    pub category: Option<String>,
    /// Highest 機密性 level the service may hold (1–3).
    pub max_confidentiality: Option<u8>,
    /// Used under click-through terms (約款による外部サービス).
    pub clickthrough: bool,
    /// Departments allowed to use it; empty: every department.
    pub departments: Vec<String>,
    /// 管理者 named in the approval.
    pub administrator: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub notes: Option<String>,
}

pub(crate) const FILE: &str = "approved_services.csv";

pub(crate) const COLUMNS: &[Column] = &[
    TENANT,
    Column::required("service", &["サービス名", "サービス", "名称"]),
    Column::required("domains", &["domain", "ドメイン", "url"]),
    Column::optional("category", &["分類", "カテゴリ", "種別"]),
    Column::optional(
        "max_confidentiality",
        &["機密性", "最大機密性", "取扱可能な機密性"],
    ),
    Column::optional("clickthrough", &["約款", "約款利用", "約款による利用"]),
    Column::optional("departments", &["department", "部署", "利用部署", "所属"]),
    Column::optional("administrator", &["管理者", "責任者"]),
    Column::optional("valid_from", &["利用開始日", "開始日", "承認日"]),
    Column::optional("valid_until", &["有効期限", "利用期限", "終了日"]),
    NOTES,
];

/// Words that mean "every department" in the departments column.
const ALL_DEPARTMENTS: &[&str] = &["*", "all", "全庁", "全部署", "全課"];

pub(crate) fn parse(file: &CsvFile) -> Result<Vec<ApprovedService>, RegisterError> {
    let mut keys = Keys::new();
    let mut services = Vec::new();
    for row in file.rows() {
        let tenant = row.text("tenant").map(str::to_owned);
        let service = row.required("service")?.to_owned();
        keys.check_for_tenant(
            &row,
            tenant.as_deref(),
            &service,
            &format!("service \"{service}\""),
        )?;
        let mut domains = row.list("domains", value::domain)?;
        let mut seen = std::collections::HashSet::new();
        domains.retain(|d| seen.insert(d.clone()));
        if domains.is_empty() {
            return Err(row.error(format!("service \"{service}\" has no domains")));
        }
        let departments: Vec<String> = row.list("departments", value::text)?;
        let departments = if departments
            .iter()
            .any(|d| ALL_DEPARTMENTS.contains(&d.to_lowercase().as_str()))
        {
            Vec::new()
        } else {
            departments
        };
        let (valid_from, valid_until) = row.period("valid_from", "valid_until")?;
        services.push(ApprovedService {
            tenant,
            service,
            domains,
            category: row.parsed("category", saas_catalog::category)?,
            max_confidentiality: row.parsed("max_confidentiality", value::confidentiality)?,
            clickthrough: row.parsed("clickthrough", value::flag)?.unwrap_or(false),
            departments,
            administrator: row.text("administrator").map(str::to_owned),
            valid_from,
            valid_until,
            notes: row.text("notes").map(str::to_owned),
        });
    }
    Ok(services)
}

pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8_field("tenant"),
        required_utf8_field("service"),
        required_utf8_field("domain"),
        utf8_field("category"),
        Field::new("max_confidentiality", DataType::UInt8, true),
        Field::new("clickthrough", DataType::Boolean, false),
        list_field("departments"),
        utf8_field("administrator"),
        date_field("valid_from"),
        date_field("valid_until"),
        utf8_field("notes"),
    ]))
}

pub(crate) fn batch(services: &[ApprovedService]) -> Result<RecordBatch, RegisterError> {
    // One row per domain.
    let rows: Vec<(&ApprovedService, &str)> = services
        .iter()
        .flat_map(|s| s.domains.iter().map(move |d| (s, d.as_str())))
        .collect();
    let batch = RecordBatch::try_new(
        schema(),
        vec![
            columns::utf8(rows.iter().map(|(s, _)| s.tenant.as_deref())),
            columns::utf8(rows.iter().map(|(s, _)| Some(s.service.as_str()))),
            columns::utf8(rows.iter().map(|(_, d)| Some(*d))),
            columns::utf8(rows.iter().map(|(s, _)| s.category.as_deref())),
            columns::small_ints(rows.iter().map(|(s, _)| s.max_confidentiality)),
            columns::flags(rows.iter().map(|(s, _)| s.clickthrough)),
            columns::lists(rows.iter().map(|(s, _)| s.departments.as_slice())),
            columns::utf8(rows.iter().map(|(s, _)| s.administrator.as_deref())),
            columns::dates(rows.iter().map(|(s, _)| s.valid_from)),
            columns::dates(rows.iter().map(|(s, _)| s.valid_until)),
            columns::utf8(rows.iter().map(|(s, _)| s.notes.as_deref())),
        ],
    )?;
    Ok(batch)
}
