//! What a notification says: one alert change, kept in the outbox as it
//! was when the change happened, and its text in Japanese then English.

use bannin_rules::AlertChange;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Runbook lines quoted in a notification.
const RUNBOOK_LINES: usize = 3;

/// One alert change to tell people about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// The change's sequence number in the alert history.
    pub seq: i64,
    /// `created`, `reopen`, … (the history's action).
    pub change: String,
    pub at: String,
    pub actor: String,
    pub alert_id: String,
    pub tenant: String,
    pub rule_id: String,
    pub severity: String,
    pub title_ja: String,
    pub title_en: String,
    pub status: String,
    pub first_seen: String,
    pub last_seen: String,
    pub event_count: i64,
    /// The runbook's first lines.
    pub runbook: Vec<String>,
    /// `{base_url}/api/v1/alerts/{id}`.
    pub link: String,
}

impl Notice {
    pub fn from_change(change: &AlertChange, base_url: &str) -> Self {
        let alert = &change.alert;
        Self {
            seq: change.seq,
            change: change.action.clone(),
            at: change.at.clone(),
            actor: change.actor.clone(),
            alert_id: alert.id.clone(),
            tenant: alert.tenant.clone(),
            rule_id: alert.rule_id.clone(),
            severity: alert.severity.clone(),
            title_ja: alert.title_ja.clone(),
            title_en: alert.title_en.clone(),
            status: alert.status.as_str().to_owned(),
            first_seen: alert.first_seen.clone(),
            last_seen: alert.last_seen.clone(),
            event_count: alert.event_count,
            runbook: alert
                .runbook_ja
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .take(RUNBOOK_LINES)
                .map(str::to_owned)
                .collect(),
            link: format!(
                "{}/api/v1/alerts/{}",
                base_url.trim_end_matches('/'),
                alert.id
            ),
        }
    }

    /// The English title, or the Japanese one when the rule has none.
    pub fn title_en_or_ja(&self) -> &str {
        if self.title_en.trim().is_empty() {
            &self.title_ja
        } else {
            &self.title_en
        }
    }

    /// `【bannin】重大度:高 大量メール送信の疑い (kawasaki)`; other changes
    /// than `created` are named after the marker.
    pub fn subject(&self) -> String {
        let change = match self.change.as_str() {
            "created" => String::new(),
            other => format!("[{}] ", change_ja(other)),
        };
        format!(
            "【bannin】{change}重大度:{} {} ({})",
            severity_ja(&self.severity),
            self.title_ja,
            self.tenant
        )
    }

    /// The headline in English.
    pub fn subject_en(&self) -> String {
        let change = match self.change.as_str() {
            "created" => String::new(),
            other => format!("[{}] ", change_en(other)),
        };
        format!(
            "[bannin] {change}Severity {}: {} ({})",
            self.severity,
            self.title_en_or_ja(),
            self.tenant
        )
    }

    /// (label, value) pairs in Japanese, for cards and mail.
    pub fn facts_ja(&self) -> Vec<(&'static str, String)> {
        vec![
            ("重大度", severity_ja(&self.severity).to_owned()),
            ("ルール", self.rule_id.clone()),
            ("テナント", self.tenant.clone()),
            ("状態", status_ja(&self.status).to_owned()),
            ("初回検知", jst(&self.first_seen)),
            ("最終検知", jst(&self.last_seen)),
            ("件数", self.event_count.to_string()),
        ]
    }

    /// The plain-text body: Japanese first, then English.
    pub fn text_body(&self) -> String {
        let mut out = String::new();
        let lead_ja = match self.change.as_str() {
            "created" => "bannin がアラートを検知しました。".to_owned(),
            other => format!(
                "アラートが更新されました: {} ({})",
                change_ja(other),
                self.actor
            ),
        };
        out.push_str(&lead_ja);
        out.push_str("\n\n");
        out.push_str(&format!("件名: {}\n", self.title_ja));
        for (label, value) in self.facts_ja() {
            out.push_str(&format!("{label}: {value}\n"));
        }
        if !self.runbook.is_empty() {
            out.push_str("対応手順 (抜粋):\n");
            for line in &self.runbook {
                out.push_str(&format!("  {line}\n"));
            }
        }
        out.push_str(&format!("詳細: {}\n", self.link));
        out.push_str("\n--- English ---\n");
        let lead_en = match self.change.as_str() {
            "created" => "bannin raised an alert.".to_owned(),
            other => format!("An alert changed: {} ({})", change_en(other), self.actor),
        };
        out.push_str(&lead_en);
        out.push_str("\n\n");
        for (label, value) in [
            ("Title", self.title_en_or_ja().to_owned()),
            ("Severity", self.severity.clone()),
            ("Rule", self.rule_id.clone()),
            ("Tenant", self.tenant.clone()),
            ("Status", self.status.clone()),
            ("First seen", self.first_seen.clone()),
            ("Last seen", self.last_seen.clone()),
            ("Events", self.event_count.to_string()),
            ("Details", self.link.clone()),
        ] {
            out.push_str(&format!("{label}: {value}\n"));
        }
        out
    }

    /// A made-up notice for `bannin notify test`.
    pub fn test(base_url: &str) -> Self {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Self {
            seq: 0,
            change: "created".to_owned(),
            at: now.clone(),
            actor: "bannin".to_owned(),
            alert_id: "test".to_owned(),
            tenant: "test".to_owned(),
            rule_id: "notify.test".to_owned(),
            severity: "low".to_owned(),
            title_ja: "通知の試験".to_owned(),
            title_en: "Notification test".to_owned(),
            status: "new".to_owned(),
            first_seen: now.clone(),
            last_seen: now,
            event_count: 0,
            runbook: vec!["1. この通知が届いたことを確認する。".to_owned()],
            link: format!("{}/api/v1/alerts/test", base_url.trim_end_matches('/')),
        }
    }
}

pub fn severity_ja(severity: &str) -> &str {
    match severity {
        "low" => "低",
        "medium" => "中",
        "high" => "高",
        "critical" => "緊急",
        other => other,
    }
}

pub fn status_ja(status: &str) -> &str {
    match status {
        "new" => "未対応",
        "acknowledged" => "対応中",
        "resolved" => "解決済み",
        "false_positive" => "誤検知",
        other => other,
    }
}

fn change_ja(change: &str) -> &str {
    match change {
        "created" => "新規",
        "occurrence" => "再発生",
        "acknowledge" => "確認",
        "assign" => "担当者変更",
        "comment" => "コメント",
        "resolve" => "解決",
        "false_positive" => "誤検知",
        "reopen" => "再オープン",
        other => other,
    }
}

fn change_en(change: &str) -> &str {
    match change {
        "occurrence" => "new events",
        "acknowledge" => "acknowledged",
        "assign" => "assigned",
        "resolve" => "resolved",
        "false_positive" => "false positive",
        "reopen" => "reopened",
        other => other,
    }
}

/// An RFC 3339 time shown in JST; left as is when it does not parse.
fn jst(time: &str) -> String {
    let Some(zone) = FixedOffset::east_opt(9 * 3600) else {
        return time.to_owned();
    };
    match DateTime::parse_from_rfc3339(time) {
        Ok(t) => t
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M:%S JST")
            .to_string(),
        Err(_) => time.to_owned(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A notice as the mass-mail rule raises one.
    pub fn mass_mail() -> Notice {
        Notice {
            seq: 42,
            change: "created".into(),
            at: "2026-11-20T01:35:02Z".into(),
            actor: "bannin".into(),
            alert_id: "9f2c1e0a7b3d4c5e6f708192a3b4c5d6".into(),
            tenant: "kawasaki".into(),
            rule_id: "mail.mass_sending".into(),
            severity: "high".into(),
            title_ja: "大量メール送信の疑い".into(),
            title_en: "Possible mass mail sending".into(),
            status: "new".into(),
            first_seen: "2026-11-20T01:20:00Z".into(),
            last_seen: "2026-11-20T01:34:10Z".into(),
            event_count: 412,
            runbook: vec![
                "1. 送信元端末と利用者を特定する。".into(),
                "2. 送信先と件名の傾向を確認する。".into(),
            ],
            link:
                "https://bannin.city.example.lg.jp/api/v1/alerts/9f2c1e0a7b3d4c5e6f708192a3b4c5d6"
                    .into(),
        }
    }

    #[test]
    fn subject_and_body_are_japanese_first() {
        let notice = mass_mail();
        assert_eq!(
            notice.subject(),
            "【bannin】重大度:高 大量メール送信の疑い (kawasaki)"
        );
        let body = notice.text_body();
        let ja = body.find("bannin がアラートを検知しました。").unwrap();
        let en = body.find("bannin raised an alert.").unwrap();
        assert!(ja < en, "{body}");
        assert!(body.contains("初回検知: 2026-11-20 10:20:00 JST"), "{body}");
        assert!(body.contains("件数: 412"), "{body}");
        assert!(
            body.contains("  1. 送信元端末と利用者を特定する。"),
            "{body}"
        );
        assert!(body.contains(&format!("詳細: {}", notice.link)), "{body}");
        let reopened = Notice {
            change: "reopen".into(),
            actor: "sato".into(),
            ..notice
        };
        assert_eq!(
            reopened.subject(),
            "【bannin】[再オープン] 重大度:高 大量メール送信の疑い (kawasaki)"
        );
        assert!(
            reopened
                .text_body()
                .starts_with("アラートが更新されました: 再オープン (sato)")
        );
    }
}
