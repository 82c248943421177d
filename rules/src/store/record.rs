//! Recording what a rule run found: merge into a known alert or open one.
//!
//! A found incident merges into a stored alert of the same rule, tenant and
//! group key when the stored alert's `[first_seen - suppress, last_seen +
//! suppress]` overlaps the incident's `[first_seen, last_seen]`. Merging
//! never changes the status (docs/alerts.md).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Transaction, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use super::row::{
    ALERT_COLUMNS, HistoryRow, alert_from_row, json_err, parse_time, query_all, severity_rank,
};
use super::{AlertStore, SYSTEM_ACTOR};
use crate::alert::MAX_SAMPLES;
use crate::{Alert, RulesError};

/// What storing an alert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    /// Merged into a known alert, which changed.
    Updated,
    /// Merged into a known alert that already said all of it.
    Unchanged,
}

/// The alert a found incident ended up in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The stored alert's id (a merged incident takes the known alert's id).
    pub id: String,
    pub stored: Stored,
}

/// An alert's seen range, parsed.
#[derive(Debug, Clone, Copy)]
struct Span {
    first: DateTime<Utc>,
    last: DateTime<Utc>,
}

impl Span {
    fn of(alert: &Alert) -> Result<Self, RulesError> {
        let time = |text: &str, column: &str| {
            parse_time(text).ok_or_else(|| RulesError::Rejected {
                id: alert.id.clone(),
                why: format!("{column} `{text}` is not an RFC 3339 time"),
            })
        };
        let span = Span {
            first: time(&alert.first_seen, "first_seen")?,
            last: time(&alert.last_seen, "last_seen")?,
        };
        if span.first > span.last {
            return Err(RulesError::Rejected {
                id: alert.id.clone(),
                why: "first_seen is after last_seen".into(),
            });
        }
        Ok(span)
    }

    /// Whether `other` touches this span widened by `suppress` on both sides.
    fn overlaps(&self, other: &Span, suppress: Duration) -> bool {
        let start = self
            .first
            .checked_sub_signed(suppress)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let end = self
            .last
            .checked_add_signed(suppress)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        start <= other.last && other.first <= end
    }
}

/// The merge of a newly found incident into a stored alert, and what changed.
fn merge(
    stored: &Alert,
    stored_span: Span,
    found: &Alert,
    found_span: Span,
) -> (Alert, Vec<String>) {
    let mut merged = stored.clone();
    let mut changes = Vec::new();
    if found_span.first < stored_span.first {
        changes.push(format!(
            "first_seen {} → {}",
            stored.first_seen, found.first_seen
        ));
        merged.first_seen.clone_from(&found.first_seen);
    }
    if found_span.last > stored_span.last {
        changes.push(format!(
            "last_seen {} → {}",
            stored.last_seen, found.last_seen
        ));
        merged.last_seen.clone_from(&found.last_seen);
    }
    // Two runs over overlapping windows see the same events: never add.
    if found.event_count > stored.event_count {
        changes.push(format!(
            "event_count {} → {}",
            stored.event_count, found.event_count
        ));
        merged.event_count = found.event_count;
    }
    if severity_rank(&found.severity) > severity_rank(&stored.severity) {
        changes.push(format!("severity {} → {}", stored.severity, found.severity));
        merged.severity.clone_from(&found.severity);
    }
    // Evidence comes from the view that reaches furthest: an older or
    // partial re-run does not replace it.
    let newest = found_span.last > stored_span.last
        || (found_span.last == stored_span.last && found.event_count >= stored.event_count);
    if newest {
        let samples = capped(&found.samples);
        if (&found.evidence, &found.evidence_sql, samples)
            != (
                &stored.evidence,
                &stored.evidence_sql,
                stored.samples.as_slice(),
            )
        {
            changes.push("evidence refreshed".into());
            merged.evidence.clone_from(&found.evidence);
            merged.evidence_sql.clone_from(&found.evidence_sql);
            merged.samples = samples.to_vec();
        }
    }
    if !changes.is_empty() {
        merged.updated_at.clone_from(&found.updated_at);
    }
    (merged, changes)
}

fn capped<T>(samples: &[T]) -> &[T] {
    samples.get(..MAX_SAMPLES).unwrap_or(samples)
}

impl AlertStore {
    /// Stores what a rule run found (`alert`, with `created_at` and
    /// `updated_at` set to the run's time): merged into a known alert of the
    /// same rule, tenant and key within `suppress`, or inserted with its own
    /// id. Recording the same incident again changes nothing.
    pub fn record(&mut self, alert: &Alert, suppress: Duration) -> Result<Recorded, RulesError> {
        let span = Span::of(alert)?;
        let key = serde_json::to_string(&alert.key).map_err(json_err)?;
        let err = self.err_fn();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let candidates = query_all(
            &tx,
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts
                 WHERE rule_id = ?1 AND tenant = ?2 AND key_json = ?3"
            ),
            params![alert.rule_id, alert.tenant, key],
            alert_from_row,
        )
        .map_err(&err)?;
        let mut best: Option<(Alert, Span)> = None;
        for candidate in candidates {
            // A stored alert with unreadable times cannot be merged into;
            // it must not stop new incidents of its group from being stored.
            let Ok(candidate_span) = Span::of(&candidate) else {
                tracing::warn!(alert = %candidate.id, "stored alert has unreadable times; not merging into it");
                continue;
            };
            if candidate_span.overlaps(&span, suppress)
                && best
                    .as_ref()
                    .is_none_or(|(_, b)| candidate_span.last > b.last)
            {
                best = Some((candidate, candidate_span));
            }
        }
        let recorded = match best {
            None => insert(&tx, alert, &key).map_err(&err)?,
            Some((stored, stored_span)) => {
                let (merged, changes) = merge(&stored, stored_span, alert, span);
                if changes.is_empty() {
                    Recorded {
                        id: stored.id,
                        stored: Stored::Unchanged,
                    }
                } else {
                    update(&tx, &merged, &changes.join("; ")).map_err(&err)?;
                    Recorded {
                        id: stored.id,
                        stored: Stored::Updated,
                    }
                }
            }
        };
        tx.commit().map_err(&err)?;
        Ok(recorded)
    }
}

/// An id not yet in the table: the alert's own, or (when an earlier
/// incident of the same group or another tenant holds it) one derived from
/// it, the tenant and the incident's start.
fn free_id(tx: &Transaction<'_>, alert: &Alert) -> rusqlite::Result<String> {
    let taken = |id: &str| -> rusqlite::Result<bool> {
        tx.query_row("SELECT count(*) FROM alerts WHERE id = ?1", [id], |row| {
            row.get::<_, i64>(0)
        })
        .map(|n| n > 0)
    };
    let mut id = alert.id.clone();
    let mut attempt = 0u32;
    while taken(&id)? {
        let mut hasher = Sha256::new();
        for part in [alert.id.as_str(), &alert.tenant, &alert.first_seen] {
            hasher.update(part.as_bytes());
            hasher.update([0x1f]);
        }
        hasher.update(attempt.to_be_bytes());
        id = hasher
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        attempt += 1;
    }
    Ok(id)
}

fn insert(tx: &Transaction<'_>, alert: &Alert, key: &str) -> rusqlite::Result<Recorded> {
    let id = free_id(tx, alert)?;
    let evidence = serde_json::to_string(&alert.evidence)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let samples = serde_json::to_string(capped(&alert.samples))
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let last_seen_us = parse_time(&alert.last_seen).map_or(0, |t| t.timestamp_micros());
    tx.execute(
        "INSERT INTO alerts (id, rule_id, severity, title_ja, title_en, tenant, status, assignee,
            first_seen, last_seen, last_seen_us, event_count, key_json, evidence_json,
            evidence_sql, samples_json, runbook_ja, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19)",
        params![
            id,
            alert.rule_id,
            alert.severity,
            alert.title_ja,
            alert.title_en,
            alert.tenant,
            alert.status.as_str(),
            alert.assignee,
            alert.first_seen,
            alert.last_seen,
            last_seen_us,
            alert.event_count,
            key,
            evidence,
            alert.evidence_sql,
            samples,
            alert.runbook_ja,
            alert.created_at,
            alert.updated_at,
        ],
    )?;
    HistoryRow {
        alert_id: &id,
        at: &alert.created_at,
        actor: SYSTEM_ACTOR,
        action: "created",
        from: None,
        to: Some(alert.status),
        detail: None,
    }
    .insert(tx)?;
    Ok(Recorded {
        id,
        stored: Stored::New,
    })
}

fn update(tx: &Transaction<'_>, merged: &Alert, detail: &str) -> rusqlite::Result<()> {
    let evidence = serde_json::to_string(&merged.evidence)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let samples = serde_json::to_string(&merged.samples)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let last_seen_us = parse_time(&merged.last_seen).map_or(0, |t| t.timestamp_micros());
    tx.execute(
        "UPDATE alerts SET severity = ?2, first_seen = ?3, last_seen = ?4, last_seen_us = ?5,
            event_count = ?6, evidence_json = ?7, evidence_sql = ?8, samples_json = ?9,
            updated_at = ?10
         WHERE id = ?1",
        params![
            merged.id,
            merged.severity,
            merged.first_seen,
            merged.last_seen,
            last_seen_us,
            merged.event_count,
            evidence,
            merged.evidence_sql,
            samples,
            merged.updated_at,
        ],
    )?;
    HistoryRow {
        alert_id: &merged.id,
        at: &merged.updated_at,
        actor: SYSTEM_ACTOR,
        action: "occurrence",
        from: Some(merged.status),
        to: Some(merged.status),
        detail: Some(detail),
    }
    .insert(tx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AlertStatus;
    use serde_json::{Map, json};

    fn found(first: &str, last: &str, count: i64) -> Alert {
        Alert {
            id: "a1".into(),
            rule_id: "mail.outbound_burst".into(),
            severity: "high".into(),
            title_ja: "内部からの大量メール送信".into(),
            title_en: "Mass mail sent from inside".into(),
            tenant: "sakuragaoka".into(),
            status: AlertStatus::New,
            assignee: None,
            first_seen: first.into(),
            last_seen: last.into(),
            event_count: count,
            key: Map::new(),
            evidence: json!({"event_count": count}).as_object().cloned().unwrap(),
            evidence_sql: "SELECT 1".into(),
            samples: Vec::new(),
            runbook_ja: "手順".into(),
            created_at: "2026-11-20T02:00:00Z".into(),
            updated_at: "2026-11-20T02:00:00Z".into(),
        }
    }

    fn span(alert: &Alert) -> Span {
        Span::of(alert).unwrap()
    }

    #[test]
    fn overlap_is_widened_by_suppress_on_both_sides() {
        let stored = span(&found("2026-11-20T01:00:00Z", "2026-11-20T01:10:00Z", 3));
        let later = span(&found("2026-11-20T01:50:00Z", "2026-11-20T01:55:00Z", 3));
        let earlier = span(&found("2026-11-20T00:05:00Z", "2026-11-20T00:20:00Z", 3));
        assert!(!stored.overlaps(&later, Duration::zero()));
        assert!(stored.overlaps(&later, Duration::minutes(40)));
        assert!(!stored.overlaps(&later, Duration::minutes(39)));
        assert!(stored.overlaps(&earlier, Duration::minutes(40)));
        assert!(!stored.overlaps(&earlier, Duration::minutes(39)));
        // Absurd durations saturate instead of overflowing.
        assert!(stored.overlaps(&later, Duration::MAX));
    }

    #[test]
    fn merge_takes_the_union_of_times_and_the_larger_count() {
        let stored = found("2026-11-20T01:00:00Z", "2026-11-20T01:10:00Z", 5);
        let next = found("2026-11-20T01:05:00Z", "2026-11-20T01:20:00.5Z", 4);
        let (merged, changes) = merge(&stored, span(&stored), &next, span(&next));
        assert_eq!(merged.first_seen, "2026-11-20T01:00:00Z");
        assert_eq!(merged.last_seen, "2026-11-20T01:20:00.5Z");
        assert_eq!(merged.event_count, 5);
        // It reaches further, so its evidence replaces the old one.
        assert_eq!(merged.evidence["event_count"], 4);
        assert_eq!(changes.len(), 2, "{changes:?}");
    }

    #[test]
    fn an_older_partial_view_changes_nothing() {
        let stored = found("2026-11-20T01:00:00Z", "2026-11-20T01:10:00Z", 5);
        let partial = found("2026-11-20T01:02:00Z", "2026-11-20T01:08:00Z", 2);
        let (merged, changes) = merge(&stored, span(&stored), &partial, span(&partial));
        assert!(changes.is_empty(), "{changes:?}");
        assert_eq!(merged, stored);
    }

    #[test]
    fn samples_are_capped() {
        let rows: Vec<u32> = (0..30).collect();
        assert_eq!(capped(&rows).len(), MAX_SAMPLES);
        assert_eq!(capped(&rows[..3]).len(), 3);
    }

    #[test]
    fn reversed_times_are_rejected() {
        let bad = found("2026-11-20T02:00:00Z", "2026-11-20T01:00:00Z", 1);
        assert!(matches!(Span::of(&bad), Err(RulesError::Rejected { .. })));
    }
}
