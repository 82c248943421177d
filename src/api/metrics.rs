//! `GET /metrics`: Prometheus text exposition (version 0.0.4), gathered
//! when scraped from the counters bannin already keeps — listeners,
//! sources, tables, alerts, rule runs, streams and authentication. A
//! tenant-scoped token sees its tenant's series only. The format is a few
//! lines of text; no metrics registry is needed for values read at scrape
//! time.

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use bannin_ingest::Table;
use bannin_ingest::listen::CountersSnapshot;
use bannin_rules::AlertFilter;
use bannin_rules::runs::RunLog;
use chrono::Utc;

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, blocking};

/// A label value with `\`, `"` and newlines escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Exposition text: each family's HELP and TYPE once, then its samples.
#[derive(Default)]
struct Text(String);

impl Text {
    fn family(&mut self, name: &str, kind: &str, help: &str) -> &mut Self {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
        self
    }

    /// A family of one sample without labels.
    fn single(&mut self, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
        self.family(name, kind, help).sample(name, &[], value);
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        let labels: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", label(v)))
            .collect();
        let labels = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", labels.join(","))
        };
        let _ = writeln!(self.0, "{name}{labels} {value}");
    }
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    summary = "Prometheus metrics (text exposition format)",
    responses(
        (status = 200, description = "Metrics", body = String, content_type = "text/plain"),
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
pub async fn metrics(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<impl IntoResponse, ApiError> {
    let mut text = Text::default();
    let all_tenants = caller.scope.tenant().is_none();
    if all_tenants {
        let listeners: Vec<_> = state
            .endpoints
            .iter()
            .map(|e| {
                (
                    e.listener.name(),
                    e.address.to_string(),
                    e.counters.snapshot(),
                )
            })
            .collect();
        type Count = fn(&CountersSnapshot) -> u64;
        let families: [(&str, &str, Count); 2] = [
            (
                "bannin_listener_records_total",
                "Records accepted by each syslog listener since start.",
                |c| c.accepted,
            ),
            (
                "bannin_listener_dropped_total",
                "Records a listener received but could not accept (kernel drops on UDP included).",
                |c| c.dropped + c.kernel_dropped,
            ),
        ];
        for (name, help, count) in families {
            text.family(name, "counter", help);
            for (listener, address, c) in &listeners {
                text.sample(
                    name,
                    &[("listener", listener), ("address", address)],
                    count(c),
                );
            }
        }
        if let Some(pipeline) = &state.pipeline {
            text.family(
                "bannin_table_rows_total",
                "counter",
                "Rows routed to each lake table since start.",
            );
            for (table, rows) in Table::ALL.iter().zip(pipeline.rows()) {
                text.sample("bannin_table_rows_total", &[("table", table.name())], rows);
            }
        }
    }
    let now = Utc::now();
    let sources: Vec<_> = state
        .query
        .source_health()
        .into_iter()
        .filter(|s| caller.scope.sees(&s.tenant))
        .collect();
    text.family(
        "bannin_source_records_total",
        "counter",
        "Records of each source by outcome.",
    );
    for s in &sources {
        for (outcome, n) in [
            ("parsed", s.parsed),
            ("unparsed", s.unparsed),
            ("dropped", s.dropped),
        ] {
            let l = [
                ("tenant", s.tenant.as_str()),
                ("source", s.source.as_str()),
                ("outcome", outcome),
            ];
            text.sample("bannin_source_records_total", &l, n);
        }
    }
    text.family(
        "bannin_source_silent",
        "gauge",
        "1 when a source sent nothing for longer than its expected interval (ログ収集途絶).",
    );
    for s in &sources {
        let Some(expected) = s.expected_interval_s else {
            continue;
        };
        let silent = s
            .last_seen
            .is_none_or(|t| (now - t).num_seconds() > expected);
        let l = [("tenant", s.tenant.as_str()), ("source", s.source.as_str())];
        text.sample("bannin_source_silent", &l, u8::from(silent));
    }
    let filter = AlertFilter {
        tenants: caller.scope.tenants(),
        ..AlertFilter::default()
    };
    let path = state.data.alerts();
    let data = state.data.clone();
    let (counts, runs, notified) = blocking(move || {
        let notified = crate::notify::counts(&data)?;
        if !path.exists() {
            return Ok((None, Vec::new(), notified));
        }
        let store = bannin_rules::AlertStore::open(&path)?;
        let runs = RunLog::open(&path)?.all()?;
        Ok((Some(store.counts(&filter)?), runs, notified))
    })
    .await?;
    if let Some(counts) = counts {
        text.family("bannin_alerts", "gauge", "Alerts stored, by status.");
        for (status, n) in &counts.by_status {
            text.sample("bannin_alerts", &[("status", status)], n);
        }
    }
    if all_tenants {
        text.family(
            "bannin_rule_runs_total",
            "counter",
            "Runs of each detection rule.",
        );
        for r in &runs {
            text.sample("bannin_rule_runs_total", &[("rule", &r.rule_id)], r.runs);
        }
        text.family(
            "bannin_rule_failures_total",
            "counter",
            "Failed runs of each detection rule.",
        );
        for r in &runs {
            text.sample(
                "bannin_rule_failures_total",
                &[("rule", &r.rule_id)],
                r.failures,
            );
        }
        text.family(
            "bannin_rule_last_duration_seconds",
            "gauge",
            "How long each rule's last run took.",
        );
        for r in &runs {
            let seconds = r.last_duration_ms as f64 / 1000.0;
            text.sample(
                "bannin_rule_last_duration_seconds",
                &[("rule", &r.rule_id)],
                seconds,
            );
        }
        let singles = [
            (
                "bannin_notifications_sent_total",
                "counter",
                "Notifications delivered (webhook, Slack, Teams, mail).",
                notified.sent,
            ),
            (
                "bannin_notification_failed_attempts_total",
                "counter",
                "Delivery attempts that failed (each retry counts).",
                notified.failed_attempts,
            ),
            (
                "bannin_notification_dead_letters",
                "gauge",
                "Deliveries given up, waiting for an operator.",
                notified.dead_letters,
            ),
            (
                "bannin_notifications_pending",
                "gauge",
                "Deliveries not yet made, retries included.",
                notified.pending,
            ),
            (
                "bannin_alert_streams",
                "gauge",
                "Open alert streams (server-sent events).",
                state.streams.load(Ordering::Relaxed) as u64,
            ),
            (
                "bannin_auth_failures_total",
                "counter",
                "Requests and logins refused for a missing, unknown or revoked token.",
                state.auth.failures.load(Ordering::Relaxed),
            ),
            (
                "bannin_auth_throttled_clients",
                "gauge",
                "Addresses refused now after repeated authentication failures.",
                state.auth.throttle.refused_clients(Instant::now()) as u64,
            ),
        ];
        for (name, kind, help, value) in singles {
            text.single(name, kind, help, value);
        }
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text.0,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        let mut text = Text::default();
        text.family("x", "gauge", "help");
        text.sample("x", &[("source", "fw \"a\"\\b\nc")], 1);
        assert_eq!(
            text.0,
            "# HELP x help\n# TYPE x gauge\nx{source=\"fw \\\"a\\\"\\\\b\\nc\"} 1\n"
        );
    }
}
