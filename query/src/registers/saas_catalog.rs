//! `saas_catalog`: known SaaS domains → service, category, vendor. A
//! starter catalog is built in (`saas_catalog.csv` beside this file); the
//! municipality's `saas_catalog.csv` extends it, and its row for a domain
//! the starter also lists replaces the starter's row.
//!
//! The catalog describes the world, not a municipality's policy, so it has
//! no `tenant` column: policy lives in `approved_services`.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{Schema, SchemaRef};

use super::columns::{self, required_utf8_field, utf8_field};
use super::csv_file::{Column, CsvFile, Keys, NOTES};
use super::{RegisterError, value};

/// One known domain.
#[derive(Debug, Clone, PartialEq)]
pub struct SaasEntry {
    /// A registrable domain (covering its subdomains) or a specific host.
    pub domain: String,
    pub service: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    pub vendor: Option<String>,
    pub notes: Option<String>,
}

pub(crate) const FILE: &str = "saas_catalog.csv";

/// The starter catalog compiled into the binary.
pub const STARTER_CSV: &str = include_str!("saas_catalog.csv");

/// The categories rules key on. A closed list, so a typo in a file is an
/// error instead of a service that silently escapes detection.
pub const CATEGORIES: &[&str] = &[
    "file_sharing",
    "storage",
    "web_mail",
    "chat",
    "conferencing",
    "generative_ai",
    "translation",
    "remote_access",
    "paste",
    "code_hosting",
    "social",
    "office_suite",
    "note_taking",
    "forms",
    "other",
];

pub(crate) const COLUMNS: &[Column] = &[
    Column::required("domain", &["ドメイン", "host", "ホスト"]),
    Column::required("service", &["サービス名", "サービス"]),
    Column::required("category", &["分類", "カテゴリ", "種別"]),
    Column::optional("vendor", &["提供者", "事業者", "ベンダー"]),
    NOTES,
];

/// Checks a category against [`CATEGORIES`].
pub fn category(value: &str) -> Result<String, String> {
    let lower = value.to_lowercase();
    if CATEGORIES.contains(&lower.as_str()) {
        Ok(lower)
    } else {
        Err(format!(
            "is not a category (one of {})",
            CATEGORIES.join(", ")
        ))
    }
}

pub(crate) fn parse(file: &CsvFile) -> Result<Vec<SaasEntry>, RegisterError> {
    let mut keys = Keys::new();
    let mut entries = Vec::new();
    for row in file.rows() {
        let domain = row.parsed_required("domain", value::domain)?;
        keys.check(&row, domain.clone(), &format!("domain {domain}"))?;
        entries.push(SaasEntry {
            service: row.required("service")?.to_owned(),
            category: row.parsed_required("category", category)?,
            vendor: row.text("vendor").map(str::to_owned),
            notes: row.text("notes").map(str::to_owned),
            domain,
        });
    }
    Ok(entries)
}

/// The built-in starter catalog.
pub(crate) fn starter() -> Result<Vec<SaasEntry>, RegisterError> {
    let file = CsvFile::parse(
        "saas_catalog.csv (built in)",
        STARTER_CSV.as_bytes(),
        COLUMNS,
    )?;
    parse(&file)
}

/// The starter extended by `local`: a local row for a domain the starter
/// lists takes the starter row's place; other local rows follow.
pub(crate) fn merge(starter: Vec<SaasEntry>, local: Vec<SaasEntry>) -> Vec<SaasEntry> {
    let mut local_by_domain: HashMap<String, SaasEntry> = HashMap::new();
    let mut order = Vec::new();
    for entry in local {
        order.push(entry.domain.clone());
        local_by_domain.insert(entry.domain.clone(), entry);
    }
    let mut merged: Vec<SaasEntry> = starter
        .into_iter()
        .map(|entry| local_by_domain.remove(&entry.domain).unwrap_or(entry))
        .collect();
    merged.extend(order.iter().filter_map(|d| local_by_domain.remove(d)));
    merged
}

pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        required_utf8_field("domain"),
        required_utf8_field("service"),
        required_utf8_field("category"),
        utf8_field("vendor"),
        utf8_field("notes"),
    ]))
}

pub(crate) fn batch(entries: &[SaasEntry]) -> Result<RecordBatch, RegisterError> {
    Ok(RecordBatch::try_new(
        schema(),
        vec![
            columns::utf8(entries.iter().map(|e| Some(e.domain.as_str()))),
            columns::utf8(entries.iter().map(|e| Some(e.service.as_str()))),
            columns::utf8(entries.iter().map(|e| Some(e.category.as_str()))),
            columns::utf8(entries.iter().map(|e| e.vendor.as_deref())),
            columns::utf8(entries.iter().map(|e| e.notes.as_deref())),
        ],
    )?)
}
