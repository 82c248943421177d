//! Google Workspace audit activities, as the Admin SDK Reports API
//! (`activities.list`) returns them: `{"kind":"admin#reports#activity",
//! "id":{"time","uniqueQualifier","applicationName","customerId"},
//! "actor":{"email","profileId","callerType"},"ipAddress","events":[{"type",
//! "name","parameters":[{"name","value"|"boolValue"|"intValue"|
//! "multiValue"}]}]}`.
//!
//! One record per activity. An activity may hold several events; they are
//! facets of one action (Google groups events logged together, e.g. a
//! sharing change and its visibility change), so the first event names
//! the operation and supplies the parameters; the others are not
//! recorded. An activity without events is rejected: it says nothing was
//! done.
//!
//! Mapping: `time` ← `id.time`; `cloud_tenant` ← `id.customerId`;
//! `service` ← `id.applicationName` (`login`, `admin`, `token`, `drive`,
//! `saml`, …); `actor` ← `actor.email`, else `actor.key` (calls made with
//! an API key), else `actor.profileId`; `actor_ip` ← `ipAddress`;
//! `operation` ← the event `name`; `event_id` ← `id.uniqueQualifier`. The
//! Reports API gives no region or user agent.
//!
//! `target` by application (first parameter present):
//! - `admin`: `USER_EMAIL`, `GROUP_EMAIL`, `ROLE_NAME`, `DOMAIN_NAME`,
//!   `APPLICATION_NAME`, `SETTING_NAME`;
//! - `token`: `app_name`, `client_id`;
//! - `drive`: `doc_title`, `doc_id`;
//! - `saml`: `application_name`;
//! - others (`login`, …): `affected_email_address`, `doc_title`,
//!   `app_name`.
//!
//! `outcome`: an event name ending `_success` is success, `_failure` is
//! failure; otherwise unknown (e.g. `suspicious_login`, `authorize`).
//! `reason`: `login_failure_type` (login), `failure_type` (saml), else the
//! event name when it reports an alert (`suspicious_login*`,
//! `account_disabled_*`, `*_leaked_*`). `privileged`: every event of the
//! `admin` application (only administrators appear there).

use serde_json::Value;

use super::{at, bad, ip, text, time};
use crate::{CloudAuditRecord, Outcome, ParseError};

/// Parses one Admin SDK Reports activity (the first event names it).
pub fn parse(value: &Value) -> Result<CloudAuditRecord, ParseError> {
    if !value.is_object() {
        return Err(bad(value, "expected a Google Workspace activity object"));
    }
    let time = time(at(value, &["id", "time"]))
        .ok_or_else(|| bad(value, "expected id.time as RFC 3339"))?;
    let event = value
        .get("events")
        .and_then(Value::as_array)
        .and_then(|events| events.first())
        .ok_or_else(|| bad(value, "expected a non-empty events array"))?;
    let operation = text(event.get("name")).ok_or_else(|| bad(value, "expected events[0].name"))?;
    let application = text(at(value, &["id", "applicationName"]));
    let app = application.as_deref().unwrap_or_default();
    let param = |name: &str| parameter(event, name);
    Ok(CloudAuditRecord {
        time,
        provider: "google_workspace".to_owned(),
        cloud_tenant: text(at(value, &["id", "customerId"])),
        actor: text(at(value, &["actor", "email"]))
            .or_else(|| text(at(value, &["actor", "key"])))
            .or_else(|| text(at(value, &["actor", "profileId"]))),
        actor_ip: text(value.get("ipAddress")).and_then(|raw| ip(&raw)),
        target: target_keys(app).iter().find_map(|key| param(key)),
        outcome: outcome(&operation),
        reason: param("login_failure_type")
            .or_else(|| param("failure_type"))
            .or_else(|| alert(&operation).then(|| operation.clone())),
        privileged: app == "admin",
        region: None,
        user_agent: None,
        event_id: text(at(value, &["id", "uniqueQualifier"])),
        operation,
        service: application,
    })
}

/// The parameters that name what an application's events act on.
fn target_keys(application: &str) -> &'static [&'static str] {
    match application {
        "admin" => &[
            "USER_EMAIL",
            "GROUP_EMAIL",
            "ROLE_NAME",
            "DOMAIN_NAME",
            "APPLICATION_NAME",
            "SETTING_NAME",
        ],
        "token" => &["app_name", "client_id"],
        "drive" => &["doc_title", "doc_id"],
        "saml" => &["application_name"],
        _ => &["affected_email_address", "doc_title", "app_name"],
    }
}

fn outcome(name: &str) -> Option<Outcome> {
    if name.ends_with("_success") {
        Some(Outcome::Success)
    } else if name.ends_with("_failure") {
        Some(Outcome::Failure)
    } else {
        None
    }
}

/// Event names that are themselves a warning.
fn alert(name: &str) -> bool {
    name.starts_with("suspicious_login")
        || name.starts_with("account_disabled_")
        || name.contains("_leaked_")
}

/// A parameter's value as text: `value`, `intValue` (a string in the API),
/// `boolValue`, or `multiValue` joined with `,`.
fn parameter(event: &Value, name: &str) -> Option<String> {
    let p = event
        .get("parameters")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))?;
    text(p.get("value"))
        .or_else(|| text(p.get("intValue")))
        .or_else(|| p.get("boolValue")?.as_bool().map(|b| b.to_string()))
        .or_else(|| {
            let values: Vec<String> = p
                .get("multiValue")?
                .as_array()?
                .iter()
                .filter_map(|v| text(Some(v)))
                .collect();
            (!values.is_empty()).then(|| values.join(","))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_str(s: &str) -> CloudAuditRecord {
        let value: Value = serde_json::from_str(s).unwrap();
        parse(&value).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn login_failure() {
        let r = parse_str(
            r#"{"kind":"admin#reports#activity","id":{"time":"2026-11-22T00:20:31.456Z","uniqueQualifier":"-4839201746352817364","applicationName":"login","customerId":"C02sakura9"},"etag":"\"abc\"","actor":{"email":"tanaka@city.sakuragaoka.lg.jp","profileId":"104857392018374650192","callerType":"USER"},"ipAddress":"203.0.113.88","events":[{"type":"login","name":"login_failure","parameters":[{"name":"login_type","value":"google_password"},{"name":"login_challenge_method","multiValue":["password"]},{"name":"login_failure_type","value":"login_failure_invalid_password"},{"name":"is_suspicious","boolValue":false}]}]}"#,
        );
        assert_eq!(r.time.to_rfc3339(), "2026-11-22T00:20:31.456+00:00");
        assert_eq!(r.provider, "google_workspace");
        assert_eq!(r.cloud_tenant.as_deref(), Some("C02sakura9"));
        assert_eq!(r.service.as_deref(), Some("login"));
        assert_eq!(r.actor.as_deref(), Some("tanaka@city.sakuragaoka.lg.jp"));
        assert_eq!(r.actor_ip.as_deref(), Some("203.0.113.88"));
        assert_eq!(r.operation, "login_failure");
        assert_eq!(r.target, None);
        assert_eq!(r.outcome, Some(Outcome::Failure));
        assert_eq!(r.reason.as_deref(), Some("login_failure_invalid_password"));
        assert!(!r.privileged);
        assert_eq!((r.region, r.user_agent), (None, None));
        assert_eq!(r.event_id.as_deref(), Some("-4839201746352817364"));
    }

    #[test]
    fn login_success_and_suspicious_login() {
        let ok = parse(
            &json!({"id":{"time":"2026-11-22T00:21:00Z","applicationName":"login"},
            "actor":{"email":"sato@city.sakuragaoka.lg.jp"},"ipAddress":"2001:db8:40::3",
            "events":[{"type":"login","name":"login_success"}]}),
        )
        .unwrap();
        assert_eq!((ok.outcome, ok.reason), (Some(Outcome::Success), None));
        assert_eq!(ok.actor_ip.as_deref(), Some("2001:db8:40::3"));
        let sus = parse(&json!({"id":{"time":"2026-11-22T00:22:00Z","applicationName":"login"},
            "actor":{"email":"sato@city.sakuragaoka.lg.jp"},
            "events":[{"type":"login","name":"suspicious_login","parameters":[{"name":"login_type","value":"google_password"}]}]}))
        .unwrap();
        assert_eq!(sus.outcome, None);
        assert_eq!(sus.reason.as_deref(), Some("suspicious_login"));
    }

    #[test]
    fn admin_assign_role_is_privileged() {
        let r = parse_str(
            r#"{"kind":"admin#reports#activity","id":{"time":"2026-11-22T01:30:00.000Z","uniqueQualifier":"771203948571","applicationName":"admin","customerId":"C02sakura9"},"actor":{"callerType":"USER","email":"johokanri@city.sakuragaoka.lg.jp","profileId":"1"},"ipAddress":"198.51.100.12","events":[{"type":"DELEGATED_ADMIN_SETTINGS","name":"ASSIGN_ROLE","parameters":[{"name":"ROLE_NAME","value":"_SEED_ADMIN_ROLE"},{"name":"USER_EMAIL","value":"kobayashi@city.sakuragaoka.lg.jp"}]}]}"#,
        );
        assert_eq!(r.operation, "ASSIGN_ROLE");
        assert_eq!(
            r.target.as_deref(),
            Some("kobayashi@city.sakuragaoka.lg.jp")
        );
        assert_eq!(r.outcome, None);
        assert!(r.privileged);

        for (name, params, target) in [
            (
                "CREATE_USER",
                json!([{"name":"USER_EMAIL","value":"new1@city.sakuragaoka.lg.jp"}]),
                Some("new1@city.sakuragaoka.lg.jp"),
            ),
            (
                "CHANGE_PASSWORD",
                json!([{"name":"USER_EMAIL","value":"ito@city.sakuragaoka.lg.jp"}]),
                Some("ito@city.sakuragaoka.lg.jp"),
            ),
            (
                "CREATE_ROLE",
                json!([{"name":"ROLE_NAME","value":"窓口端末管理"}]),
                Some("窓口端末管理"),
            ),
            ("CHANGE_APPLICATION_SETTING", json!(null), None),
        ] {
            let r = parse(
                &json!({"id":{"time":"2026-11-22T01:31:00Z","applicationName":"admin"},
                "events":[{"type":"USER_SETTINGS","name":name,"parameters":params}]}),
            )
            .unwrap();
            assert!(r.privileged, "{name}");
            assert_eq!(r.target.as_deref(), target, "{name}");
        }
    }

    #[test]
    fn token_drive_and_saml_targets() {
        let token = parse(&json!({"id":{"time":"2026-11-22T02:00:00Z","applicationName":"token","customerId":"C02sakura9"},
            "actor":{"email":"ito@city.sakuragaoka.lg.jp"},
            "events":[{"type":"auth","name":"authorize","parameters":[
                {"name":"client_id","value":"123456.apps.googleusercontent.com"},
                {"name":"app_name","value":"防災メール配信"},
                {"name":"scope","multiValue":["https://www.googleapis.com/auth/gmail.readonly"]}]}]}))
        .unwrap();
        assert_eq!(
            (token.operation.as_str(), token.target.as_deref()),
            ("authorize", Some("防災メール配信"))
        );
        assert_eq!(token.outcome, None);

        let drive = parse_str(
            r#"{"id":{"time":"2026-11-22T02:05:00Z","uniqueQualifier":"9","applicationName":"drive"},"actor":{"email":"ito@city.sakuragaoka.lg.jp"},"events":[{"type":"access","name":"download","parameters":[{"name":"doc_id","value":"1AbC"},{"name":"doc_title","value":"住民票請求一覧.xlsx"},{"name":"visibility","value":"private"}]},{"type":"access","name":"view"}]}"#,
        );
        assert_eq!(drive.operation, "download");
        assert_eq!(drive.target.as_deref(), Some("住民票請求一覧.xlsx"));
        let untitled = parse(&json!({"id":{"time":"2026-11-22T02:06:00Z","applicationName":"drive"},
            "events":[{"type":"acl_change","name":"change_user_access","parameters":[{"name":"doc_id","value":"1XyZ"}]}]}))
        .unwrap();
        assert_eq!(untitled.target.as_deref(), Some("1XyZ"));
        assert_eq!(untitled.actor, None);

        let saml = parse(
            &json!({"id":{"time":"2026-11-22T02:10:00Z","applicationName":"saml"},
            "actor":{"email":"sato@city.sakuragaoka.lg.jp"},"ipAddress":"203.0.113.90",
            "events":[{"type":"login","name":"login_failure","parameters":[
                {"name":"application_name","value":"電子申請システム"},
                {"name":"failure_type","value":"failure_app_not_configured_for_user"}]}]}),
        )
        .unwrap();
        assert_eq!(saml.target.as_deref(), Some("電子申請システム"));
        assert_eq!(saml.outcome, Some(Outcome::Failure));
        assert_eq!(
            saml.reason.as_deref(),
            Some("failure_app_not_configured_for_user")
        );
    }

    #[test]
    fn parameter_value_kinds() {
        let event = json!({"parameters":[
            {"name":"n","intValue":"42"},{"name":"m","intValue":7},{"name":"b","boolValue":true},
            {"name":"mv","multiValue":["a","b"]},{"name":"empty","multiValue":[]},{"name":"s","value":"x"}]});
        assert_eq!(parameter(&event, "n").as_deref(), Some("42"));
        assert_eq!(parameter(&event, "m").as_deref(), Some("7"));
        assert_eq!(parameter(&event, "b").as_deref(), Some("true"));
        assert_eq!(parameter(&event, "mv").as_deref(), Some("a,b"));
        assert_eq!(parameter(&event, "empty"), None);
        assert_eq!(parameter(&event, "missing"), None);
        assert_eq!(parameter(&json!({"parameters":"x"}), "s"), None);
    }

    #[test]
    fn api_key_actor_and_unknown_application() {
        let r = parse(
            &json!({"id":{"time":"2026-11-22T03:00:00Z","applicationName":"calendar"},
            "actor":{"callerType":"KEY","key":"SYSTEM"},"ipAddress":null,
            "events":[{"name":"change_event_title"}]}),
        )
        .unwrap();
        assert_eq!(r.actor.as_deref(), Some("SYSTEM"));
        assert_eq!((r.actor_ip, r.target), (None, None));
        assert!(!r.privileged);
    }

    #[test]
    fn rejects_with_reasons() {
        for (value, expected) in [
            (
                json!({"id":{"time":"2026-11-22T03:00:00Z","applicationName":"login"},"events":[]}),
                "events",
            ),
            (
                json!({"id":{"time":"2026-11-22T03:00:00Z","applicationName":"login"},"events":"login_success"}),
                "events",
            ),
            (
                json!({"id":{"time":"2026-11-22T03:00:00Z","applicationName":"login"}}),
                "events",
            ),
            (
                json!({"id":{"time":"2026-11-22T03:00:00Z"},"events":[{"type":"login"}]}),
                "events[0].name",
            ),
            (
                json!({"id":{"applicationName":"login"},"events":[{"name":"x"}]}),
                "id.time",
            ),
            (json!({"id":"x","events":[{"name":"x"}]}), "id.time"),
            (json!(null), "object"),
        ] {
            let err = parse(&value).unwrap_err().to_string();
            assert!(err.starts_with("malformed cloud audit record"), "{err}");
            assert!(err.contains(expected), "{value}: {err}");
        }
    }
}
