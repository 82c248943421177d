//! The registers a municipality maintains (台帳), loaded from CSV files in
//! one directory and registered as SQL tables. The file format is
//! documented in `docs/registers.md`.
//!
//! - [`approved_services`] 外部サービス台帳 — one table row per service domain
//! - [`saas_catalog`] known SaaS domains (built-in starter, extended locally)
//! - [`privileged_accounts`] 特権ID台帳
//! - [`assets`] networks and hosts → 三層 zone, department, role
//! - [`contractors`] contractor accounts and contract periods
//! - [`business_calendar`] the municipality's own closed / open days
//!
//! Shared parts: `csv_file` reads a file (encoding, headers, rows),
//! `value` checks cells, `columns` builds Arrow columns, [`error`].
//!
//! Every register but `saas_catalog` has a `tenant` column: blank means the
//! row applies to every tenant, so a tenant's view is
//! `tenant IS NULL OR tenant = '<t>'` ([`Registers::for_tenant`]).

pub mod approved_services;
pub mod assets;
pub mod business_calendar;
mod columns;
pub mod contractors;
mod csv_file;
pub mod error;
pub mod privileged_accounts;
pub mod saas_catalog;
mod value;

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

pub use approved_services::ApprovedService;
pub use assets::Asset;
pub use business_calendar::CalendarDay;
pub use contractors::Contractor;
pub use error::RegisterError;
pub use privileged_accounts::PrivilegedAccount;
pub use saas_catalog::SaasEntry;

use csv_file::{Column, CsvFile};

use crate::scope::TenantScope;

/// Table names, in the order [`register`] registers them.
pub const TABLES: [&str; 6] = [
    "approved_services",
    "saas_catalog",
    "privileged_accounts",
    "assets",
    "contractors",
    "business_calendar",
];

/// All registers, parsed and checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Registers {
    pub approved_services: Vec<ApprovedService>,
    pub saas_catalog: Vec<SaasEntry>,
    pub privileged_accounts: Vec<PrivilegedAccount>,
    pub assets: Vec<Asset>,
    pub contractors: Vec<Contractor>,
    pub business_calendar: Vec<CalendarDay>,
    /// Things worth telling the operator that do not stop loading: unknown
    /// columns (ignored), unknown `.csv` files in the directory.
    pub warnings: Vec<String>,
}

impl Registers {
    /// What a fresh install has: the built-in SaaS catalog, every other
    /// register empty.
    pub fn builtin() -> Result<Self, RegisterError> {
        Ok(Self {
            saas_catalog: saas_catalog::starter()?,
            ..Self::default()
        })
    }

    /// The rows one tenant sees: its own and those for every tenant.
    pub fn for_tenant(&self, tenant: &str) -> Self {
        self.keeping(|own| own == tenant)
    }

    /// The rows a session scoped to `scope` sees: those of its tenants and
    /// those that apply to every tenant.
    pub fn for_scope(&self, scope: &TenantScope) -> Self {
        self.keeping(|own| scope.allows(own))
    }

    /// Rows that apply to every tenant, and those whose tenant `keep`s.
    fn keeping(&self, keep: impl Fn(&str) -> bool) -> Self {
        fn rows<T: Clone>(
            rows: &[T],
            tenant_of: impl Fn(&T) -> Option<&str>,
            keep: &dyn Fn(&str) -> bool,
        ) -> Vec<T> {
            rows.iter()
                .filter(|row| tenant_of(row).is_none_or(keep))
                .cloned()
                .collect()
        }
        Self {
            approved_services: rows(&self.approved_services, |r| r.tenant.as_deref(), &keep),
            saas_catalog: self.saas_catalog.clone(),
            privileged_accounts: rows(&self.privileged_accounts, |r| r.tenant.as_deref(), &keep),
            assets: rows(&self.assets, |r| r.tenant.as_deref(), &keep),
            contractors: rows(&self.contractors, |r| r.tenant.as_deref(), &keep),
            business_calendar: rows(&self.business_calendar, |r| r.tenant.as_deref(), &keep),
            warnings: self.warnings.clone(),
        }
    }
}

/// Loads the registers in `dir` (`<table>.csv`; a missing file is an empty
/// register) over the built-in SaaS catalog. A file that is present but
/// wrong is an error naming the file, the line and what was expected.
pub fn load_dir(dir: &Path) -> Result<Registers, RegisterError> {
    let entries = std::fs::read_dir(dir).map_err(|source| RegisterError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut registers = Registers::builtin()?;
    let warnings = &mut registers.warnings;
    for entry in entries {
        let entry = entry.map_err(|source| RegisterError::Read {
            path: dir.to_owned(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let known = TABLES.iter().any(|t| name == format!("{t}.csv"));
        if !known && name.to_lowercase().ends_with(".csv") {
            warnings.push(format!(
                "{name}: not a register file (known: {}), ignored",
                TABLES.map(|t| format!("{t}.csv")).join(", ")
            ));
        }
    }
    if let Some(file) = read(
        dir,
        approved_services::FILE,
        approved_services::COLUMNS,
        warnings,
    )? {
        registers.approved_services = approved_services::parse(&file)?;
    }
    if let Some(file) = read(dir, saas_catalog::FILE, saas_catalog::COLUMNS, warnings)? {
        let local = saas_catalog::parse(&file)?;
        registers.saas_catalog =
            saas_catalog::merge(std::mem::take(&mut registers.saas_catalog), local);
    }
    if let Some(file) = read(
        dir,
        privileged_accounts::FILE,
        privileged_accounts::COLUMNS,
        warnings,
    )? {
        registers.privileged_accounts = privileged_accounts::parse(&file)?;
    }
    if let Some(file) = read(dir, assets::FILE, assets::COLUMNS, warnings)? {
        registers.assets = assets::parse(&file)?;
    }
    if let Some(file) = read(dir, contractors::FILE, contractors::COLUMNS, warnings)? {
        registers.contractors = contractors::parse(&file)?;
    }
    if let Some(file) = read(
        dir,
        business_calendar::FILE,
        business_calendar::COLUMNS,
        warnings,
    )? {
        registers.business_calendar = business_calendar::parse(&file)?;
    }
    Ok(registers)
}

/// Reads `dir/name` if it exists.
fn read(
    dir: &Path,
    name: &str,
    columns: &[Column],
    warnings: &mut Vec<String>,
) -> Result<Option<CsvFile>, RegisterError> {
    let path = dir.join(name);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(RegisterError::Read { path, source }),
    };
    let file = CsvFile::parse(name, &bytes, columns)?;
    warnings.extend(
        file.unknown_headers
            .iter()
            .map(|h| format!("{}: column \"{h}\" is not known, ignored", file.name())),
    );
    Ok(Some(file))
}

/// Registers every register as a table of `ctx` (replacing tables of the
/// same names).
pub fn register(ctx: &SessionContext, registers: &Registers) -> Result<(), RegisterError> {
    let batches = [
        approved_services::batch(&registers.approved_services)?,
        saas_catalog::batch(&registers.saas_catalog)?,
        privileged_accounts::batch(&registers.privileged_accounts)?,
        assets::batch(&registers.assets)?,
        contractors::batch(&registers.contractors)?,
        business_calendar::batch(&registers.business_calendar)?,
    ];
    for (name, batch) in TABLES.iter().zip(batches) {
        ctx.register_table(*name, mem_table(batch)?)?;
    }
    Ok(())
}

fn mem_table(batch: RecordBatch) -> Result<Arc<MemTable>, RegisterError> {
    Ok(Arc::new(MemTable::try_new(
        batch.schema(),
        vec![vec![batch]],
    )?))
}
