//! Retention: drops whole date partitions of a table once they are older
//! than the days configured for it. Nothing is dropped by default — the
//! lake is evidence — and every dropped file is recorded in the manifest
//! (`"action":"remove","reason":"retention"`, with the file's rows and
//! SHA-256), so the chain says what was deleted and when, and `bannin
//! verify` does not report those files missing.
//!
//! Age is by the partition's date, which is the UTC date of the rows'
//! `time`: with `days = 400`, partitions dated before today (UTC) minus 400
//! days go.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::batch::PartitionKey;
use crate::lake::partition_of;
use crate::manifest::{self, LiveFile};
use crate::{IngestError, Lake, Table};

/// Days to keep, per table; a table not in the map is kept forever.
pub type Policy = BTreeMap<Table, u32>;

/// One partition dropped, or (dry run) due to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub partition: PartitionKey,
    pub files: usize,
    pub rows: u64,
    pub bytes: u64,
}

/// The first date a table with `days` of retention keeps on `today`.
pub fn oldest_kept(today: NaiveDate, days: u32) -> NaiveDate {
    today
        .checked_sub_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

impl Lake {
    /// Drops the partitions `policy` says are too old on `today`. Each
    /// file is checked against its SHA-256 before it goes: an altered or
    /// missing file stops the run (the error names it) instead of being
    /// recorded as removed.
    pub fn apply_retention(
        &self,
        policy: &Policy,
        today: NaiveDate,
        dry_run: bool,
    ) -> Result<Vec<Expired>, IngestError> {
        if policy.is_empty() {
            return Ok(Vec::new());
        }
        let live = {
            let _locked = self.lock_manifest()?;
            manifest::live_set(self.root())?.live
        };
        let mut expired: BTreeMap<PartitionKey, Vec<LiveFile>> = BTreeMap::new();
        for file in live.into_values() {
            let Some(partition) = partition_of(&file.file) else {
                continue;
            };
            let due = policy
                .get(&partition.table)
                .is_some_and(|days| partition.date < oldest_kept(today, *days));
            if due {
                expired.entry(partition).or_default().push(file);
            }
        }
        let mut done = Vec::new();
        for (partition, files) in expired {
            if !dry_run {
                for file in &files {
                    let path = self.root().join(&file.file);
                    // A file already gone or altered is not retention's to
                    // record as removed: that would hide it from `verify`.
                    match manifest::sha256_file(&path) {
                        Ok(sum) if sum == file.sha256 => {}
                        Ok(_) => return Err(IngestError::Tampered { path }),
                        Err(source) => return Err(IngestError::Read { path, source }),
                    }
                }
                if !self.replace(&files, None, "retention")? {
                    tracing::info!(%partition, "partition changed during retention; left for the next run");
                    continue;
                }
            }
            done.push(Expired {
                partition,
                files: files.len(),
                rows: files.iter().map(|f| f.rows).sum(),
                bytes: files.iter().map(|f| f.bytes).sum(),
            });
        }
        Ok(done)
    }
}
