//! Entra ID (Azure AD) sign-in and directory audit logs, in the shapes
//! Microsoft Graph and Azure Monitor diagnostic settings export them:
//!
//! - Graph `signIns`: `{"id","createdDateTime","userPrincipalName",
//!   "userId","appDisplayName","ipAddress","clientAppUsed","status":
//!   {"errorCode":0,"failureReason":…},"location":{…},"deviceDetail":{…},
//!   …}`.
//! - Azure Monitor sign-ins: `{"time","resourceId","operationName":
//!   "Sign-in activity","category":"SignInLogs","tenantId","resultType":
//!   "50126","resultDescription","callerIpAddress","identity","properties":
//!   {…the Graph fields…}}` (also the `NonInteractiveUserSignInLogs`,
//!   `ServicePrincipalSignInLogs` and `ManagedIdentitySignInLogs`
//!   categories).
//! - Graph `directoryAudits`: `{"id","activityDateTime",
//!   "activityDisplayName":"Add member to role","category":
//!   "RoleManagement","result":"success","resultReason","initiatedBy":
//!   {"user":{"userPrincipalName","ipAddress"}},"targetResources":[…],
//!   "additionalDetails":[{"key","value"}]}`, and the same inside
//!   `properties` of an Azure Monitor `AuditLogs` record.
//!
//! Sign-ins: `operation` is `operationName` (Azure Monitor) or `Sign-in
//! activity`; `service` is the Azure Monitor category (`SignInLogs` for
//! Graph); `target` is the application signed in to (`appDisplayName`,
//! else `resourceDisplayName`); `outcome` is success iff
//! `status.errorCode` (else `resultType`) is 0; `reason` is
//! `code: failureReason` (else `resultDescription`); `region` is
//! `location.countryOrRegion`; `privileged` is false (a sign-in does not
//! show a role).
//!
//! Directory audits: `operation` is `activityDisplayName`; `service` is the
//! audit `category` (`RoleManagement`, `UserManagement`, …); `actor` is the
//! initiating user's UPN, else the initiating app; `target` is the first
//! target resource of type `User` with a UPN, else the first UPN, else the
//! first display name; `outcome` from `result`; `reason` is
//! `resultReason` unless the result is success; `user_agent` from the
//! `User-Agent` additional detail. `privileged` is true for the
//! `RoleManagement` and `Policy` categories, an activity naming a role or
//! policy, or a target resource of type `Role`.
//!
//! Both: `cloud_tenant` ← `tenantId` (else `resourceTenantId` /
//! `homeTenantId`; Graph v1.0 records carry none); `event_id` ← `id`.

use serde_json::Value;

use super::{at, bad, contains_ci, int, ip, text, time};
use crate::{CloudAuditRecord, Outcome, ParseError};

/// Parses one Entra ID sign-in or directory audit record.
pub fn parse(value: &Value) -> Result<CloudAuditRecord, ParseError> {
    let envelope_category = text(value.get("category"));
    let (props, azure_monitor) = match value.get("properties") {
        Some(p) if p.is_object() && envelope_category.is_some() => (p, true),
        _ => (value, false),
    };
    if !props.is_object() {
        return Err(bad(value, "expected an Entra ID record object"));
    }
    let record = Entry {
        envelope: value,
        props,
        azure_monitor,
    };
    let audit = if azure_monitor {
        envelope_category.as_deref() == Some("AuditLogs")
    } else {
        props.get("activityDateTime").is_some() && props.get("createdDateTime").is_none()
    };
    if audit {
        record.audit()
    } else {
        record.sign_in(envelope_category)
    }
}

/// An Entra record: the Azure Monitor envelope and its `properties`, or a
/// Graph object as both.
struct Entry<'a> {
    envelope: &'a Value,
    props: &'a Value,
    azure_monitor: bool,
}

impl Entry<'_> {
    fn prop(&self, path: &[&str]) -> Option<String> {
        text(at(self.props, path))
    }

    fn env(&self, key: &str) -> Option<String> {
        text(self.envelope.get(key))
    }

    fn tenant(&self) -> Option<String> {
        self.env("tenantId")
            .or_else(|| self.prop(&["tenantId"]))
            .or_else(|| self.prop(&["resourceTenantId"]))
            .or_else(|| self.prop(&["homeTenantId"]))
    }

    fn time(&self, graph_key: &str) -> Result<chrono::DateTime<chrono::Utc>, ParseError> {
        time(self.envelope.get("time"))
            .or_else(|| time(self.props.get(graph_key)))
            .ok_or_else(|| bad(self.envelope, &format!("expected time or {graph_key}")))
    }

    fn sign_in(&self, category: Option<String>) -> Result<CloudAuditRecord, ParseError> {
        let time = self.time("createdDateTime")?;
        let code = int(at(self.props, &["status", "errorCode"]))
            .or_else(|| int(self.envelope.get("resultType")));
        let outcome = code.map(|c| {
            if c == 0 {
                Outcome::Success
            } else {
                Outcome::Failure
            }
        });
        let reason = code.filter(|c| *c != 0).map(|c| {
            match self
                .prop(&["status", "failureReason"])
                .or_else(|| self.env("resultDescription"))
            {
                Some(why) => format!("{c}: {why}"),
                None => c.to_string(),
            }
        });
        Ok(CloudAuditRecord {
            time,
            provider: "entra".to_owned(),
            cloud_tenant: self.tenant(),
            service: Some(category.unwrap_or_else(|| "SignInLogs".to_owned())),
            actor: self
                .prop(&["userPrincipalName"])
                .or_else(|| self.prop(&["servicePrincipalName"]))
                .or_else(|| self.env("identity"))
                .or_else(|| self.prop(&["userId"])),
            actor_ip: self
                .prop(&["ipAddress"])
                .or_else(|| self.env("callerIpAddress"))
                .and_then(|raw| ip(&raw)),
            operation: self
                .env("operationName")
                .filter(|_| self.azure_monitor)
                .unwrap_or_else(|| "Sign-in activity".to_owned()),
            target: self
                .prop(&["appDisplayName"])
                .or_else(|| self.prop(&["resourceDisplayName"])),
            outcome,
            reason,
            privileged: false,
            region: self.prop(&["location", "countryOrRegion"]),
            user_agent: self.prop(&["userAgent"]),
            event_id: self.prop(&["id"]),
        })
    }

    fn audit(&self) -> Result<CloudAuditRecord, ParseError> {
        let time = self.time("activityDateTime")?;
        let operation = self
            .prop(&["activityDisplayName"])
            .or_else(|| self.env("operationName"))
            .ok_or_else(|| bad(self.envelope, "expected activityDisplayName"))?;
        let category = self.prop(&["category"]);
        let outcome = match self.prop(&["result"]).map(|r| r.to_ascii_lowercase()) {
            Some(r) if r == "success" => Some(Outcome::Success),
            Some(r) if r == "failure" => Some(Outcome::Failure),
            _ => None,
        };
        let targets = self
            .props
            .get("targetResources")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let privileged = category
            .as_deref()
            .is_some_and(|c| c == "RoleManagement" || c == "Policy")
            || contains_ci(&operation, "role")
            || contains_ci(&operation, "policy")
            || targets
                .iter()
                .any(|t| t.get("type").and_then(Value::as_str) == Some("Role"));
        Ok(CloudAuditRecord {
            time,
            provider: "entra".to_owned(),
            cloud_tenant: self.tenant(),
            service: category,
            actor: self
                .prop(&["initiatedBy", "user", "userPrincipalName"])
                .or_else(|| self.prop(&["initiatedBy", "app", "displayName"]))
                .or_else(|| self.prop(&["initiatedBy", "app", "servicePrincipalName"]))
                .or_else(|| self.env("identity")),
            actor_ip: self
                .prop(&["initiatedBy", "user", "ipAddress"])
                .or_else(|| self.env("callerIpAddress"))
                .and_then(|raw| ip(&raw)),
            operation,
            target: audit_target(targets),
            reason: self
                .prop(&["resultReason"])
                .filter(|_| outcome != Some(Outcome::Success)),
            outcome,
            privileged,
            region: None,
            user_agent: additional_detail(self.props, "User-Agent"),
            event_id: self.prop(&["id"]),
        })
    }
}

/// The user acted on, else whatever the first target resource is called.
fn audit_target(targets: &[Value]) -> Option<String> {
    let upn = |t: &Value| text(t.get("userPrincipalName"));
    targets
        .iter()
        .filter(|t| t.get("type").and_then(Value::as_str) == Some("User"))
        .find_map(upn)
        .or_else(|| targets.iter().find_map(upn))
        .or_else(|| targets.iter().find_map(|t| text(t.get("displayName"))))
}

/// The value of the `additionalDetails` entry with the given key.
fn additional_detail(props: &Value, key: &str) -> Option<String> {
    props
        .get("additionalDetails")?
        .as_array()?
        .iter()
        .find(|d| d.get("key").and_then(Value::as_str) == Some(key))
        .and_then(|d| text(d.get("value")))
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
    fn graph_failed_sign_in() {
        let r = parse_str(
            r#"{"id":"66ea54eb-6301-4ee5-be62-ff5a759b8100","createdDateTime":"2026-11-22T00:05:00Z","userDisplayName":"田中 太郎","userPrincipalName":"tanaka@city.sakuragaoka.lg.jp","userId":"d7a1c3e5-0000-4000-8000-000000000001","appId":"00000002-0000-0ff1-ce00-000000000000","appDisplayName":"Office 365 Exchange Online","ipAddress":"203.0.113.77","clientAppUsed":"Browser","conditionalAccessStatus":"notApplied","isInteractive":true,"authenticationRequirement":"singleFactorAuthentication","status":{"errorCode":50126,"failureReason":"Error validating credentials due to invalid username or password.","additionalDetails":null},"deviceDetail":{"deviceId":"","operatingSystem":"Windows10","browser":"Edge 131.0"},"location":{"city":"Sakuragaoka","state":"Tokyo","countryOrRegion":"JP","geoCoordinates":{}}}"#,
        );
        assert_eq!(r.time.to_rfc3339(), "2026-11-22T00:05:00+00:00");
        assert_eq!(r.provider, "entra");
        assert_eq!(r.cloud_tenant, None);
        assert_eq!(r.service.as_deref(), Some("SignInLogs"));
        assert_eq!(r.actor.as_deref(), Some("tanaka@city.sakuragaoka.lg.jp"));
        assert_eq!(r.actor_ip.as_deref(), Some("203.0.113.77"));
        assert_eq!(r.operation, "Sign-in activity");
        assert_eq!(r.target.as_deref(), Some("Office 365 Exchange Online"));
        assert_eq!(r.outcome, Some(Outcome::Failure));
        assert_eq!(
            r.reason.as_deref(),
            Some("50126: Error validating credentials due to invalid username or password.")
        );
        assert!(!r.privileged);
        assert_eq!(r.region.as_deref(), Some("JP"));
        assert_eq!(
            r.event_id.as_deref(),
            Some("66ea54eb-6301-4ee5-be62-ff5a759b8100")
        );
    }

    #[test]
    fn graph_successful_sign_in_has_no_reason() {
        let r = parse(&json!({"id":"s2","createdDateTime":"2026-11-22T00:07:00Z",
            "userPrincipalName":"sato@city.sakuragaoka.lg.jp","ipAddress":"2001:db8:30::9",
            "status":{"errorCode":0,"failureReason":"Other."},"location":null}))
        .unwrap();
        assert_eq!(r.outcome, Some(Outcome::Success));
        assert_eq!((r.reason, r.region), (None, None));
        assert_eq!(r.actor_ip.as_deref(), Some("2001:db8:30::9"));
    }

    #[test]
    fn azure_monitor_sign_in_with_string_result_type() {
        let r = parse_str(
            r#"{"time":"2026-11-22T00:10:00.1234567Z","resourceId":"/tenants/5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77/providers/Microsoft.aadiam","operationName":"Sign-in activity","operationVersion":"1.0","category":"NonInteractiveUserSignInLogs","tenantId":"5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77","resultType":"50053","resultDescription":"Account is locked because user tried to sign in too many times with an incorrect user ID or password.","durationMs":0,"callerIpAddress":"198.51.100.66","correlationId":"c1","identity":"鈴木 一郎","Level":4,"location":"JP","properties":{"id":"a9b8c7d6-0000-4000-8000-00000000aa01","createdDateTime":"2026-11-22T00:10:00.1234567+00:00","userPrincipalName":"suzuki@city.sakuragaoka.lg.jp","appDisplayName":"Microsoft Teams","userAgent":"Mozilla/5.0 Teams/1.6","location":{"countryOrRegion":"JP"}}}"#,
        );
        assert_eq!(r.time.to_rfc3339(), "2026-11-22T00:10:00.123456700+00:00");
        assert_eq!(
            r.cloud_tenant.as_deref(),
            Some("5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77")
        );
        assert_eq!(r.service.as_deref(), Some("NonInteractiveUserSignInLogs"));
        assert_eq!(r.actor.as_deref(), Some("suzuki@city.sakuragaoka.lg.jp"));
        assert_eq!(r.actor_ip.as_deref(), Some("198.51.100.66"));
        assert_eq!(r.operation, "Sign-in activity");
        assert_eq!(r.target.as_deref(), Some("Microsoft Teams"));
        assert_eq!(r.outcome, Some(Outcome::Failure));
        assert_eq!(
            r.reason.as_deref(),
            Some(
                "50053: Account is locked because user tried to sign in too many times with an incorrect user ID or password."
            )
        );
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 Teams/1.6"));
        assert_eq!(
            r.event_id.as_deref(),
            Some("a9b8c7d6-0000-4000-8000-00000000aa01")
        );
    }

    #[test]
    fn azure_monitor_sign_in_success_and_missing_status() {
        let ok = parse(
            &json!({"time":"2026-11-22T00:11:00Z","category":"SignInLogs",
            "resultType":"0","identity":"伊藤 花子","properties":{}}),
        )
        .unwrap();
        assert_eq!(ok.outcome, Some(Outcome::Success));
        assert_eq!(ok.actor.as_deref(), Some("伊藤 花子"));
        let unknown = parse(
            &json!({"time":"2026-11-22T00:11:00Z","category":"SignInLogs",
            "properties":{"status":{"errorCode":null}}}),
        )
        .unwrap();
        assert_eq!((unknown.outcome, unknown.reason), (None, None));
    }

    #[test]
    fn graph_directory_audit_add_member_to_role() {
        let r = parse_str(
            r#"{"id":"Directory_0A1B2C3D_ABCDE_12345678","category":"RoleManagement","correlationId":"c2","result":"success","resultReason":"","activityDisplayName":"Add member to role","activityDateTime":"2026-11-22T01:15:41.5Z","loggedByService":"Core Directory","operationType":"Assign","initiatedBy":{"app":null,"user":{"id":"u1","displayName":null,"userPrincipalName":"suzuki-admin@city.sakuragaoka.lg.jp","ipAddress":"203.0.113.10"}},"targetResources":[{"id":"u2","displayName":null,"type":"User","userPrincipalName":"yamada@city.sakuragaoka.lg.jp","modifiedProperties":[{"displayName":"Role.DisplayName","oldValue":null,"newValue":"\"Global Administrator\""}]},{"id":"r1","displayName":"Global Administrator","type":"Role"}],"additionalDetails":[{"key":"User-Agent","value":"Mozilla/5.0 (Windows NT 10.0)"}]}"#,
        );
        assert_eq!(r.time.to_rfc3339(), "2026-11-22T01:15:41.500+00:00");
        assert_eq!(r.service.as_deref(), Some("RoleManagement"));
        assert_eq!(
            r.actor.as_deref(),
            Some("suzuki-admin@city.sakuragaoka.lg.jp")
        );
        assert_eq!(r.actor_ip.as_deref(), Some("203.0.113.10"));
        assert_eq!(r.operation, "Add member to role");
        assert_eq!(r.target.as_deref(), Some("yamada@city.sakuragaoka.lg.jp"));
        assert_eq!((r.outcome, r.reason), (Some(Outcome::Success), None));
        assert!(r.privileged);
        assert_eq!(
            r.user_agent.as_deref(),
            Some("Mozilla/5.0 (Windows NT 10.0)")
        );
        assert_eq!(
            r.event_id.as_deref(),
            Some("Directory_0A1B2C3D_ABCDE_12345678")
        );
    }

    #[test]
    fn azure_monitor_audit_failure_by_app() {
        let r = parse_str(
            r#"{"time":"2026-11-22T02:00:00Z","operationName":"Update user","category":"AuditLogs","tenantId":"5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77","resultSignature":"None","properties":{"id":"Directory_X","category":"UserManagement","result":"failure","resultReason":"Insufficient privileges","activityDisplayName":"Update user","activityDateTime":"2026-11-22T02:00:00Z","initiatedBy":{"app":{"displayName":"人事連携アプリ","servicePrincipalId":"sp1"}},"targetResources":[{"displayName":"kimura","type":"Other"}]}}"#,
        );
        assert_eq!(r.service.as_deref(), Some("UserManagement"));
        assert_eq!(r.actor.as_deref(), Some("人事連携アプリ"));
        assert_eq!(r.actor_ip, None);
        assert_eq!(r.target.as_deref(), Some("kimura"));
        assert_eq!(r.outcome, Some(Outcome::Failure));
        assert_eq!(r.reason.as_deref(), Some("Insufficient privileges"));
        assert!(!r.privileged);
        assert_eq!(
            r.cloud_tenant.as_deref(),
            Some("5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77")
        );
    }

    #[test]
    fn policy_audit_is_privileged() {
        let r = parse(&json!({"activityDateTime":"2026-11-22T03:00:00Z",
            "activityDisplayName":"Update conditional access policy","category":"Policy",
            "result":"success","targetResources":"oops"}))
        .unwrap();
        assert!(r.privileged);
        assert_eq!(r.target, None);
    }

    #[test]
    fn rejects_with_reasons() {
        for (value, expected) in [
            (
                json!({"createdDateTime":"yesterday","status":{}}),
                "createdDateTime",
            ),
            (
                json!({"activityDateTime":"2026-11-22T03:00:00Z"}),
                "activityDisplayName",
            ),
            (json!({"category":"SignInLogs","properties":{}}), "time"),
            (json!("SignInLogs"), "object"),
        ] {
            let err = parse(&value).unwrap_err().to_string();
            assert!(err.starts_with("malformed cloud audit record"), "{err}");
            assert!(err.contains(expected), "{err}");
        }
    }
}
