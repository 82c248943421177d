//! A synthetic multi-tenant lake of proxy, firewall and auth rows at a
//! chosen size, written through the lake's own commit path
//! ([`Lake::commit`]: sorted zstd Parquet under
//! `<lake>/<table>/tenant=<t>/date=<d>/`, listed in the manifest), for the
//! query benchmark (`benches/query.sh`).
//!
//! Cardinalities follow a mid-sized prefecture's shared SOC: four
//! municipalities of different sizes, about 1,000 staff terminals and 800
//! accounts each, tens of thousands of web hosts, a few thousand internet
//! addresses probing the firewalls, and bursts of failed logins from a
//! small set of attackers. One staff terminal, [`PROBE_IP`], sits in every
//! table, for "everything about this address" queries.

mod pools;
mod rows;

use bannin_ingest::lake::CommittedFile;
use bannin_ingest::{IngestError, Lake, Partitions};
use chrono::{DateTime, Days, NaiveDate, Utc};
use rand::SeedableRng;
use rand::rngs::SmallRng;

pub use pools::PROBE_IP;
use pools::Pools;

/// The municipalities, with their share of the rows (larger cities log more).
pub const TENANTS: [(&str, u32); 4] = [
    ("sakuragaoka", 40),
    ("kitahama", 30),
    ("minamiyama", 20),
    ("higashino", 10),
];

/// What to generate.
#[derive(Debug, Clone)]
pub struct LakeSpec {
    /// Rows over all tables, tenants and days.
    pub rows: u64,
    /// Days of logs, ending with `last_day` (UTC dates).
    pub days: u32,
    pub last_day: NaiveDate,
    /// Rows per commit at most (one file per table and partition each).
    pub commit_rows: usize,
    pub seed: u64,
}

impl Default for LakeSpec {
    fn default() -> Self {
        Self {
            rows: 10_000_000,
            days: 7,
            last_day: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default(),
            commit_rows: 500_000,
            seed: 1,
        }
    }
}

/// What was written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LakeSummary {
    pub rows: u64,
    pub files: usize,
    pub bytes: u64,
}

/// The rows of one tenant's day: its share of the total, rounded down,
/// the remainder going to the first partition so the total is exact.
fn partition_rows(spec: &LakeSpec) -> Vec<(usize, NaiveDate, u64)> {
    let weight_sum: u64 = TENANTS.iter().map(|(_, w)| u64::from(*w)).sum();
    let days = u64::from(spec.days.max(1));
    let mut plan = Vec::new();
    for day in 0..days {
        let date = spec
            .last_day
            .checked_sub_days(Days::new(days - 1 - day))
            .unwrap_or(spec.last_day);
        for (tenant, (_, weight)) in TENANTS.iter().enumerate() {
            plan.push((
                tenant,
                date,
                spec.rows * u64::from(*weight) / weight_sum / days,
            ));
        }
    }
    let planned: u64 = plan.iter().map(|(_, _, n)| n).sum();
    if let Some(first) = plan.first_mut() {
        first.2 += spec.rows - planned;
    }
    plan
}

/// Writes the lake; `progress` hears of every commit.
pub fn write_lake(
    lake: &Lake,
    spec: &LakeSpec,
    mut progress: impl FnMut(&LakeSummary),
) -> Result<LakeSummary, IngestError> {
    let pools = Pools::new(spec.seed);
    let mut rng = SmallRng::seed_from_u64(spec.seed.wrapping_add(1));
    let mut summary = LakeSummary::default();
    let chunk = spec.commit_rows.max(1) as u64;
    for (tenant, date, rows) in partition_rows(spec) {
        let start = date
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let mut first = 0;
        while first < rows {
            let last = (first + chunk).min(rows);
            let mut parts = Partitions::default();
            for i in first..last {
                // Evenly over the day, so each commit covers a slice of it.
                let micros = (i as u128 * 86_400_000_000 / rows as u128) as i64;
                let time = start + chrono::Duration::microseconds(micros);
                let row = rows::row(&pools, tenant, time, &mut rng);
                parts.push(TENANTS[tenant].0, row)?;
            }
            let files = lake.commit(parts)?;
            summary.rows += last - first;
            summary.files += files.len();
            summary.bytes += files.iter().map(|f: &CommittedFile| f.bytes).sum::<u64>();
            progress(&summary);
            first = last;
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests;
