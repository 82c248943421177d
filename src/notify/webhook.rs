//! Webhook payloads: generic JSON, Slack incoming webhooks (`text` and
//! Block Kit blocks) and Microsoft Teams workflows (an Adaptive Card in a
//! `message` envelope — the format Teams' "When a Teams webhook request
//! is received" workflow posts to a channel; the older Office 365
//! connector MessageCards are being retired by Microsoft).

use serde_json::{Value, json};

use super::notice::{Notice, severity_ja, status_ja};

/// The generic JSON document.
pub fn generic(notice: &Notice) -> Value {
    json!({
        "source": "bannin",
        "change": notice.change,
        "change_seq": notice.seq,
        "changed_at": notice.at,
        "actor": notice.actor,
        "alert": {
            "id": notice.alert_id,
            "tenant": notice.tenant,
            "rule_id": notice.rule_id,
            "severity": notice.severity,
            "title": { "ja": notice.title_ja, "en": notice.title_en },
            "status": notice.status,
            "first_seen": notice.first_seen,
            "last_seen": notice.last_seen,
            "event_count": notice.event_count,
            "link": notice.link,
        },
        "subject": notice.subject(),
    })
}

/// Slack: `text` (the notification and fallback line) and blocks.
pub fn slack(notice: &Notice) -> Value {
    let fields: Vec<Value> = [
        (
            "重大度 Severity",
            format!("{} {}", severity_ja(&notice.severity), notice.severity),
        ),
        ("ルール Rule", notice.rule_id.clone()),
        ("テナント Tenant", notice.tenant.clone()),
        (
            "状態 Status",
            format!("{} {}", status_ja(&notice.status), notice.status),
        ),
        ("最終検知 Last seen", notice.last_seen.clone()),
        ("件数 Events", notice.event_count.to_string()),
    ]
    .into_iter()
    .map(|(label, value)| {
        json!({ "type": "mrkdwn", "text": format!("*{label}*\n{}", slack_escape(&value)) })
    })
    .collect();
    let mut blocks = vec![
        json!({
            "type": "header",
            "text": { "type": "plain_text", "text": cut(&notice.subject(), 150) },
        }),
        json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": slack_escape(&notice.subject_en()) },
            "fields": fields,
        }),
    ];
    if !notice.runbook.is_empty() {
        blocks.push(json!({
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": format!("*対応手順 Runbook*\n{}", slack_escape(&notice.runbook.join("\n"))),
            },
        }));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [{
            "type": "mrkdwn",
            "text": format!("<{}|アラートを開く Open the alert>", notice.link),
        }],
    }));
    json!({ "text": notice.subject(), "blocks": blocks })
}

/// Teams: an Adaptive Card 1.4 as a message attachment.
pub fn teams(notice: &Notice) -> Value {
    let facts: Vec<Value> = notice
        .facts_ja()
        .into_iter()
        .map(|(label, value)| json!({ "title": label, "value": value }))
        .collect();
    let color = match notice.severity.as_str() {
        "high" | "critical" => "Attention",
        "medium" => "Warning",
        _ => "Default",
    };
    let mut body = vec![
        json!({ "type": "TextBlock", "text": notice.subject(), "weight": "Bolder",
                "size": "Medium", "color": color, "wrap": true }),
        json!({ "type": "TextBlock", "text": notice.subject_en(), "isSubtle": true,
                "spacing": "None", "wrap": true }),
        json!({ "type": "FactSet", "facts": facts }),
    ];
    if !notice.runbook.is_empty() {
        body.push(
            json!({ "type": "TextBlock", "text": "対応手順 Runbook", "weight": "Bolder",
                          "wrap": true }),
        );
        body.push(
            json!({ "type": "TextBlock", "text": notice.runbook.join("\n\n"), "wrap": true }),
        );
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
                "actions": [{
                    "type": "Action.OpenUrl",
                    "title": "アラートを開く Open the alert",
                    "url": notice.link,
                }],
            },
        }],
    })
}

/// Slack's mrkdwn reserves `&`, `<` and `>`.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// At most `max` characters.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::notice::tests::mass_mail;

    #[test]
    fn generic_carries_the_alert() {
        let doc = generic(&mass_mail());
        let alert = &doc["alert"];
        assert_eq!(doc["change"], "created");
        assert_eq!(alert["id"], "9f2c1e0a7b3d4c5e6f708192a3b4c5d6");
        assert_eq!(alert["tenant"], "kawasaki");
        assert_eq!(alert["rule_id"], "mail.mass_sending");
        assert_eq!(alert["severity"], "high");
        assert_eq!(alert["title"]["ja"], "大量メール送信の疑い");
        assert_eq!(alert["title"]["en"], "Possible mass mail sending");
        assert_eq!(alert["status"], "new");
        assert_eq!(alert["first_seen"], "2026-11-20T01:20:00Z");
        assert_eq!(alert["event_count"], 412);
        assert!(
            alert["link"]
                .as_str()
                .unwrap()
                .ends_with("/api/v1/alerts/9f2c1e0a7b3d4c5e6f708192a3b4c5d6")
        );
    }

    #[test]
    fn slack_has_text_blocks_and_escapes() {
        let notice = Notice {
            title_en: "Mail to <everyone> & more".into(),
            ..mass_mail()
        };
        let doc = slack(&notice);
        assert_eq!(
            doc["text"],
            "【bannin】重大度:高 大量メール送信の疑い (kawasaki)"
        );
        let blocks = doc["blocks"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "header");
        let section = blocks[1]["text"]["text"].as_str().unwrap();
        assert!(
            section.contains("Mail to &lt;everyone&gt; &amp; more"),
            "{section}"
        );
        let text = doc.to_string();
        assert!(text.contains("*重大度 Severity*\\n高 high"), "{text}");
        assert!(text.contains("1. 送信元端末と利用者を特定する。"), "{text}");
        assert!(text.contains(&format!("<{}|", notice.link)), "{text}");
        let long = Notice {
            title_ja: "長".repeat(300),
            ..mass_mail()
        };
        let header = slack(&long)["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(header.chars().count(), 150);
    }

    #[test]
    fn teams_is_an_adaptive_card_message() {
        let doc = teams(&mass_mail());
        assert_eq!(doc["type"], "message");
        let attachment = &doc["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let card = &attachment["content"];
        assert_eq!(
            (card["type"].as_str(), card["version"].as_str()),
            (Some("AdaptiveCard"), Some("1.4"))
        );
        assert_eq!(
            card["body"][0]["text"],
            "【bannin】重大度:高 大量メール送信の疑い (kawasaki)"
        );
        assert_eq!(card["body"][0]["color"], "Attention");
        let facts = card["body"][2]["facts"].as_array().unwrap();
        assert!(facts.contains(&json!({ "title": "テナント", "value": "kawasaki" })));
        assert_eq!(card["actions"][0]["url"], mass_mail().link);
    }
}
