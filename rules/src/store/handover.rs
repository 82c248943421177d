//! The shift handover (引き継ぎ): what happened to alerts in a period —
//! opened, acknowledged, resolved, marked false positive, reopened, by
//! whom — and what is still open for the next shift (docs/alerts.md).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde::Serialize;

use super::AlertStore;
use super::row::{SEVERITIES, format_time, parse_time, query_all, severity_rank};
use crate::{Alert, AlertFilter, AlertStatus, RulesError};

/// At most this many still-open alerts are listed (all are counted).
pub const OPEN_ALERTS_LIMIT: usize = 100;

/// The period `[since, until)` and the tenants to sum up (`None`: all; an
/// empty list matches nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverQuery {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub tenants: Option<Vec<String>>,
}

/// A number of alerts, and the same by severity (every severity present).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Tally {
    pub total: u64,
    pub by_severity: BTreeMap<String, u64>,
}

impl Tally {
    fn new() -> Self {
        Self {
            total: 0,
            by_severity: SEVERITIES
                .iter()
                .map(|s| (s.as_str().to_owned(), 0))
                .collect(),
        }
    }

    fn add(&mut self, severity: &str) {
        self.total += 1;
        *self.by_severity.entry(severity.to_owned()).or_default() += 1;
    }
}

/// What one person did in the period: actions by name (`acknowledge`,
/// `assign`, `comment`, `resolve`, `false_positive`, `reopen`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ActorActions {
    pub actor: String,
    pub total: u64,
    pub actions: BTreeMap<String, u64>,
}

/// An alert as the handover lists it (without evidence and samples).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AlertSummary {
    pub id: String,
    pub rule_id: String,
    pub severity: String,
    pub title_ja: String,
    pub title_en: String,
    pub tenant: String,
    pub status: AlertStatus,
    pub assignee: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    pub event_count: i64,
    pub created_at: String,
}

impl From<Alert> for AlertSummary {
    fn from(a: Alert) -> Self {
        Self {
            id: a.id,
            rule_id: a.rule_id,
            severity: a.severity,
            title_ja: a.title_ja,
            title_en: a.title_en,
            tenant: a.tenant,
            status: a.status,
            assignee: a.assignee,
            first_seen: a.first_seen,
            last_seen: a.last_seen,
            event_count: a.event_count,
            created_at: a.created_at,
        }
    }
}

/// A shift's summary. Each count is of distinct alerts (an alert resolved,
/// reopened and resolved again counts once as resolved), by the time of
/// the action in the history, and by each alert's severity as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Handover {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Alerts raised in the period.
    pub opened: Tally,
    pub acknowledged: Tally,
    pub resolved: Tally,
    pub false_positive: Tally,
    pub reopened: Tally,
    /// Alerts created before `until` whose status is `new` or
    /// `acknowledged` now, when the summary is made (for a period ending
    /// now: what the next shift inherits).
    pub still_open: Tally,
    /// The still-open alerts, most severe first, then oldest `first_seen`;
    /// at most [`OPEN_ALERTS_LIMIT`].
    pub open_alerts: Vec<AlertSummary>,
    /// Whether more alerts are still open than `open_alerts` lists.
    pub truncated: bool,
    /// Who acted in the period (not bannin's own `created` / `occurrence`),
    /// most active first.
    pub actors: Vec<ActorActions>,
}

/// A history row in or near the period.
struct Event {
    alert_id: String,
    at: String,
    actor: String,
    action: String,
    severity: String,
}

impl AlertStore {
    /// The handover summary of `query`'s period (see [`Handover`]).
    pub fn handover(&self, query: &HandoverQuery) -> Result<Handover, RulesError> {
        if query.since >= query.until {
            return Err(RulesError::BadQuery(format!(
                "the handover period is empty: since {} is not before until {}",
                format_time(query.since),
                format_time(query.until)
            )));
        }
        let mut handover = Handover {
            since: query.since,
            until: query.until,
            opened: Tally::new(),
            acknowledged: Tally::new(),
            resolved: Tally::new(),
            false_positive: Tally::new(),
            reopened: Tally::new(),
            still_open: Tally::new(),
            open_alerts: Vec::new(),
            truncated: false,
            actors: Vec::new(),
        };
        let mut counted: HashSet<(String, String)> = HashSet::new();
        let mut actors: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for event in self.events(query)? {
            if !matches!(event.action.as_str(), "created" | "occurrence") {
                *actors
                    .entry(event.actor)
                    .or_default()
                    .entry(event.action.clone())
                    .or_default() += 1;
            }
            let tally = match event.action.as_str() {
                "created" => &mut handover.opened,
                "acknowledge" => &mut handover.acknowledged,
                "resolve" => &mut handover.resolved,
                "false_positive" => &mut handover.false_positive,
                "reopen" => &mut handover.reopened,
                _ => continue,
            };
            if counted.insert((event.action, event.alert_id)) {
                tally.add(&event.severity);
            }
        }
        handover.actors = actors
            .into_iter()
            .map(|(actor, actions)| ActorActions {
                total: actions.values().sum(),
                actor,
                actions,
            })
            .collect();
        handover
            .actors
            .sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.actor.cmp(&b.actor)));
        let mut open = self.still_open(query)?;
        for alert in &open {
            handover.still_open.add(&alert.severity);
        }
        handover.truncated = open.len() > OPEN_ALERTS_LIMIT;
        open.truncate(OPEN_ALERTS_LIMIT);
        handover.open_alerts = open.into_iter().map(AlertSummary::from).collect();
        Ok(handover)
    }

    /// Alerts of the query's tenants created before `until` and `new` or
    /// `acknowledged` now: most severe first, then oldest `first_seen`.
    fn still_open(&self, query: &HandoverQuery) -> Result<Vec<Alert>, RulesError> {
        let filter = AlertFilter {
            statuses: Some(vec![AlertStatus::New, AlertStatus::Acknowledged]),
            tenants: query.tenants.clone(),
            ..AlertFilter::default()
        };
        let mut open: Vec<(Alert, Option<DateTime<Utc>>)> = self
            .list(&filter)?
            .into_iter()
            .filter(|a| parse_time(&a.created_at).is_some_and(|t| t < query.until))
            .map(|a| {
                let first = parse_time(&a.first_seen);
                (a, first)
            })
            .collect();
        // An unreadable first_seen sorts after the readable ones.
        open.sort_by(|(a, a_first), (b, b_first)| {
            severity_rank(&b.severity)
                .cmp(&severity_rank(&a.severity))
                .then_with(|| (a_first.is_none(), a_first).cmp(&(b_first.is_none(), b_first)))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(open.into_iter().map(|(a, _)| a).collect())
    }

    /// History rows with `at` in `[since, until)` of the query's tenants.
    fn events(&self, query: &HandoverQuery) -> Result<Vec<Event>, RulesError> {
        // `at` is RFC 3339 text whose fractional digits vary, so it does
        // not sort as text: SQLite's julianday (millisecond precision)
        // narrows the rows with a second to spare, chrono decides exactly.
        let mut values = vec![
            SqlValue::Text(format_time(query.since)),
            SqlValue::Text(format_time(query.until)),
        ];
        let tenants = match &query.tenants {
            None => String::new(),
            Some(list) if list.is_empty() => return Ok(Vec::new()),
            Some(list) => {
                values.extend(list.iter().cloned().map(SqlValue::Text));
                format!(" AND a.tenant IN ({})", vec!["?"; list.len()].join(", "))
            }
        };
        let sql = format!(
            "SELECT h.alert_id, h.at, h.actor, h.action, a.severity
             FROM alert_history h JOIN alerts a ON a.id = h.alert_id
             WHERE julianday(h.at) >= julianday(?1) - 1.0 / 86400
               AND julianday(h.at) < julianday(?2) + 1.0 / 86400{tenants}
             ORDER BY h.seq"
        );
        let rows = query_all(&self.conn, &sql, params_from_iter(values), |row| {
            Ok(Event {
                alert_id: row.get(0)?,
                at: row.get(1)?,
                actor: row.get(2)?,
                action: row.get(3)?,
                severity: row.get(4)?,
            })
        })
        .map_err(self.err_fn())?;
        Ok(rows
            .into_iter()
            .filter(|e| parse_time(&e.at).is_some_and(|t| query.since <= t && t < query.until))
            .collect())
    }
}
