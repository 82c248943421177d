//! Microsoft 365 unified audit log records, as the Office 365 Management
//! Activity API returns them (`{"CreationTime":"2026-11-22T00:05:00",
//! "Id":…,"Operation":…,"OrganizationId":…,"RecordType":15,"UserType":0,
//! "Workload":…,"UserId":…,"ClientIP":…,"ObjectId":…,"ResultStatus":…}`),
//! plus the workload-specific fields this parser reads:
//!
//! - Entra sign-ins (`AzureActiveDirectoryStsLogon`, RecordType 15:
//!   `UserLoggedIn`, `UserLoginFailed`): `LogonError` and `ErrorNumber`
//!   become the reason (`50126: InvalidUserNameOrPassword`);
//!   `ExtendedProperties` (`[{"Name","Value"}]`) supply `UserAgent` and,
//!   for failures without `LogonError`, `ResultStatusDetail`.
//! - Entra directory changes (`AzureActiveDirectory`, RecordType 8: `Add
//!   member to role.`, `Add user.`, `Reset user password.`, `Update
//!   user.`): the target is the `Target` entry of Type 5 (UPN), else
//!   `ObjectId`; a `Role.DisplayName` in `ModifiedProperties` marks a role
//!   change.
//! - Exchange admin cmdlets (`ExchangeAdmin`, RecordType 1:
//!   `New-InboxRule`, `Set-Mailbox`, …) and SharePoint / OneDrive
//!   (`FileDownloaded`, `FileUploaded`, `AnonymousLinkCreated`,
//!   `SharingSet`): the target is `ObjectId` (mailbox, rule, file URL).
//!
//! Field mapping: `time` ← `CreationTime` (no zone: UTC); `cloud_tenant` ←
//! `OrganizationId`; `service` ← `Workload`; `actor` ← `UserId`, else the
//! `Actor` entry of Type 5, else `UserKey`; `actor_ip` ← `ClientIP`, else
//! `ActorIpAddress` / `ClientIPAddress`, as a bare IP (`1.2.3.4:port`,
//! `[v6]:port` and plain IPv6 all work); `user_agent` ← `UserAgent`, else
//! `ExtendedProperties` `UserAgent`, else `ClientInfoString`; `event_id` ←
//! `Id`. `RecordType` and `UserType` may be numbers, numeric strings or
//! enum names.
//!
//! `outcome` ← `ResultStatus`: `Succeeded`, `Success`, `True` and
//! `PartiallySucceeded` (the change took effect at least in part) are
//! success; `Failed`, `Failure`, `False` (any `fail…`) are failure; other
//! values fall back to the operation (`UserLoggedIn` success,
//! `UserLoginFailed` failure) or stay unknown.
//!
//! `privileged` is true when the record itself shows an administrator:
//! - `UserType` 2 (Admin) or 3 (DcAdmin), as number or name;
//! - a role change: `Role.DisplayName` in `ModifiedProperties`, or an
//!   operation naming a role or policy (`Add member to role.`, `Update
//!   policy.`, `New-ManagementRoleAssignment`, …);
//! - directory operations only administrators can do: `Add user.`,
//!   `Delete user.`, `Hard Delete user.`, `Reset user password.`, `Set
//!   force change user password.`, `Add service principal credentials.`,
//!   `Set company information.`;
//! - an Exchange admin cmdlet (RecordType 1), except those a mailbox owner
//!   runs on their own mailbox from Outlook (`*-InboxRule`,
//!   `Set-Mailbox…Configuration`).

use serde_json::Value;

use super::{bad, contains_ci, int, ip, text, time};
use crate::{CloudAuditRecord, Outcome, ParseError};

/// `RecordType` 1: Exchange admin cmdlets.
const EXCHANGE_ADMIN: i64 = 1;
/// `RecordType` 8: Entra ID directory changes.
const AZURE_AD: i64 = 8;
/// `Target` / `Actor` identifier Type 5: a UPN.
const UPN: i64 = 5;

/// Directory operations only an administrator can perform.
const ADMIN_OPERATIONS: [&str; 7] = [
    "Add user.",
    "Delete user.",
    "Hard Delete user.",
    "Reset user password.",
    "Set force change user password.",
    "Add service principal credentials.",
    "Set company information.",
];

/// Parses one unified audit log record.
pub fn parse(value: &Value) -> Result<CloudAuditRecord, ParseError> {
    if !value.is_object() {
        return Err(bad(value, "expected an M365 audit record object"));
    }
    let field = |key: &str| text(value.get(key));
    let time = time(value.get("CreationTime"))
        .ok_or_else(|| bad(value, "expected CreationTime as ISO 8601"))?;
    let operation = field("Operation").ok_or_else(|| bad(value, "expected Operation"))?;
    let record_type = record_type(value.get("RecordType"));
    let outcome = outcome(field("ResultStatus").as_deref(), &operation);
    Ok(CloudAuditRecord {
        time,
        provider: "m365".to_owned(),
        cloud_tenant: field("OrganizationId"),
        service: field("Workload"),
        actor: field("UserId")
            .or_else(|| identity(value.get("Actor"), UPN))
            .or_else(|| field("UserKey")),
        actor_ip: ["ClientIP", "ActorIpAddress", "ClientIPAddress"]
            .iter()
            .find_map(|key| field(key).and_then(|raw| ip(&raw))),
        target: target(value, record_type),
        reason: reason(value, outcome),
        privileged: privileged(value, &operation, record_type),
        outcome,
        region: None,
        user_agent: field("UserAgent")
            .or_else(|| name_value(value.get("ExtendedProperties"), "UserAgent"))
            .or_else(|| field("ClientInfoString")),
        event_id: field("Id"),
        operation,
    })
}

/// `RecordType` as a number, numeric string, or the names used here.
fn record_type(value: Option<&Value>) -> Option<i64> {
    int(value).or_else(|| match value?.as_str()? {
        "ExchangeAdmin" => Some(EXCHANGE_ADMIN),
        "AzureActiveDirectory" => Some(AZURE_AD),
        "SharePointFileOperation" => Some(6),
        "SharePointSharingOperation" => Some(14),
        "AzureActiveDirectoryStsLogon" => Some(15),
        _ => None,
    })
}

fn outcome(status: Option<&str>, operation: &str) -> Option<Outcome> {
    let status = status.map(str::to_ascii_lowercase).unwrap_or_default();
    match status.as_str() {
        "succeeded" | "success" | "true" | "partiallysucceeded" => Some(Outcome::Success),
        s if s.starts_with("fail") || s == "false" => Some(Outcome::Failure),
        _ => match operation {
            "UserLoggedIn" => Some(Outcome::Success),
            "UserLoginFailed" => Some(Outcome::Failure),
            _ => None,
        },
    }
}

/// The `ID` of the first `[{"ID","Type"}]` entry of the given type.
fn identity(list: Option<&Value>, kind: i64) -> Option<String> {
    list?
        .as_array()?
        .iter()
        .find(|entry| int(entry.get("Type")) == Some(kind))
        .and_then(|entry| text(entry.get("ID")))
}

/// The `Value` of the `[{"Name","Value"}]` entry called `name`.
fn name_value(list: Option<&Value>, name: &str) -> Option<String> {
    list?
        .as_array()?
        .iter()
        .find(|entry| entry.get("Name").and_then(Value::as_str) == Some(name))
        .and_then(|entry| text(entry.get("Value")))
}

/// The `NewValue` of the `ModifiedProperties` entry called `name`, without
/// the quotes some exports wrap it in.
fn new_value(value: &Value, name: &str) -> Option<String> {
    value
        .get("ModifiedProperties")?
        .as_array()?
        .iter()
        .find(|entry| entry.get("Name").and_then(Value::as_str) == Some(name))
        .and_then(|entry| text(entry.get("NewValue")))
        .map(|v| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// Directory changes name their target user by UPN in `Target`; other
/// workloads put the mailbox, rule or file in `ObjectId`.
fn target(value: &Value, record_type: Option<i64>) -> Option<String> {
    let upn = || identity(value.get("Target"), UPN);
    let object = || text(value.get("ObjectId"));
    if record_type == Some(AZURE_AD) {
        upn().or_else(object)
    } else {
        object().or_else(upn)
    }
}

/// `ErrorNumber: LogonError` for sign-ins; `ResultStatusDetail` for other
/// failures.
fn reason(value: &Value, outcome: Option<Outcome>) -> Option<String> {
    let error = text(value.get("LogonError"));
    let number = text(value.get("ErrorNumber")).filter(|n| n != "0");
    match (number, error) {
        (Some(n), Some(e)) => Some(format!("{n}: {e}")),
        (n, e) if n.is_some() || e.is_some() => n.or(e),
        _ if outcome == Some(Outcome::Failure) => {
            name_value(value.get("ExtendedProperties"), "ResultStatusDetail")
        }
        _ => None,
    }
}

/// See the module docs.
fn privileged(value: &Value, operation: &str, record_type: Option<i64>) -> bool {
    let admin_user = match value.get("UserType") {
        Some(Value::String(s)) if s == "Admin" || s == "DcAdmin" => true,
        other => matches!(int(other), Some(2 | 3)),
    };
    let role_change = new_value(value, "Role.DisplayName").is_some()
        || contains_ci(operation, "role")
        || contains_ci(operation, "policy");
    let owner_cmdlet = operation.ends_with("-InboxRule")
        || (operation.starts_with("Set-Mailbox") && operation.ends_with("Configuration"));
    admin_user
        || role_change
        || ADMIN_OPERATIONS.contains(&operation)
        || (record_type == Some(EXCHANGE_ADMIN) && !owner_cmdlet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_str(s: &str) -> CloudAuditRecord {
        let value: Value = serde_json::from_str(s).unwrap();
        parse(&value).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    const TENANT: &str = "5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77";

    #[test]
    fn failed_sign_in_with_logon_error() {
        let r = parse_str(
            r#"{"CreationTime":"2026-11-22T00:05:12","Id":"8c1f3a2e-0d4b-4f7a-9e61-2b5c7d9e0f13","Operation":"UserLoginFailed","OrganizationId":"5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77","RecordType":15,"ResultStatus":"Failed","UserKey":"10032001A1B2C3D4","UserType":0,"Version":1,"Workload":"AzureActiveDirectory","ClientIP":"2001:DB8:10::25","ObjectId":"00000002-0000-0ff1-ce00-000000000000","UserId":"tanaka@city.sakuragaoka.lg.jp","AzureActiveDirectoryEventType":1,"ExtendedProperties":[{"Name":"ResultStatusDetail","Value":"Success"},{"Name":"UserAgent","Value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},{"Name":"RequestType","Value":"Login:login"}],"ModifiedProperties":[],"Actor":[{"ID":"4a7b…","Type":0},{"ID":"tanaka@city.sakuragaoka.lg.jp","Type":5}],"LogonError":"InvalidUserNameOrPassword","ErrorNumber":"50126"}"#,
        );
        assert_eq!(r.time.to_rfc3339(), "2026-11-22T00:05:12+00:00");
        assert_eq!(r.provider, "m365");
        assert_eq!(r.cloud_tenant.as_deref(), Some(TENANT));
        assert_eq!(r.service.as_deref(), Some("AzureActiveDirectory"));
        assert_eq!(r.actor.as_deref(), Some("tanaka@city.sakuragaoka.lg.jp"));
        assert_eq!(r.actor_ip.as_deref(), Some("2001:db8:10::25"));
        assert_eq!(r.operation, "UserLoginFailed");
        assert_eq!(
            r.target.as_deref(),
            Some("00000002-0000-0ff1-ce00-000000000000")
        );
        assert_eq!(r.outcome, Some(Outcome::Failure));
        assert_eq!(
            r.reason.as_deref(),
            Some("50126: InvalidUserNameOrPassword")
        );
        assert!(!r.privileged);
        assert_eq!(r.region, None);
        assert_eq!(
            r.user_agent.as_deref(),
            Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
        );
        assert_eq!(
            r.event_id.as_deref(),
            Some("8c1f3a2e-0d4b-4f7a-9e61-2b5c7d9e0f13")
        );
    }

    #[test]
    fn sign_in_outcome_from_operation_when_status_missing() {
        let r = parse_str(
            r#"{"CreationTime":"2026-11-22T00:06:00.5","Operation":"UserLoggedIn","RecordType":"AzureActiveDirectoryStsLogon","ClientIP":"198.51.100.20:40123","UserId":"sato@city.sakuragaoka.lg.jp","ResultStatus":null}"#,
        );
        assert_eq!(r.outcome, Some(Outcome::Success));
        assert_eq!(r.actor_ip.as_deref(), Some("198.51.100.20"));
        assert_eq!(r.reason, None);
        let r = parse_str(
            r#"{"CreationTime":"2026-11-22T00:06:00","Operation":"UserLoginFailed","ExtendedProperties":[{"Name":"ResultStatusDetail","Value":"UserStrongAuthClientAuthNRequired"}]}"#,
        );
        assert_eq!(r.outcome, Some(Outcome::Failure));
        assert_eq!(
            r.reason.as_deref(),
            Some("UserStrongAuthClientAuthNRequired")
        );
    }

    #[test]
    fn add_member_to_role_targets_the_user() {
        let r = parse_str(
            r#"{"CreationTime":"2026-11-22T01:15:40","Id":"d2e0b7c4-1111-4c2a-8f00-6a1b2c3d4e5f","Operation":"Add member to role.","OrganizationId":"5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77","RecordType":"8","ResultStatus":"Success","UserKey":"10032001ABCDEF01@city.sakuragaoka.lg.jp","UserType":0,"Workload":"AzureActiveDirectory","ObjectId":"yamada@city.sakuragaoka.lg.jp","UserId":"suzuki-admin@city.sakuragaoka.lg.jp","ModifiedProperties":[{"Name":"Role.ObjectID","NewValue":"62e90394-69f5-4237-9190-012177145e10","OldValue":""},{"Name":"Role.DisplayName","NewValue":"Global Administrator","OldValue":""}],"Actor":[{"ID":"suzuki-admin@city.sakuragaoka.lg.jp","Type":5}],"Target":[{"ID":"User_0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0","Type":2},{"ID":"User","Type":2},{"ID":"yamada@city.sakuragaoka.lg.jp","Type":5}]}"#,
        );
        assert_eq!(r.operation, "Add member to role.");
        assert_eq!(r.target.as_deref(), Some("yamada@city.sakuragaoka.lg.jp"));
        assert_eq!(
            r.actor.as_deref(),
            Some("suzuki-admin@city.sakuragaoka.lg.jp")
        );
        assert_eq!(r.actor_ip, None);
        assert_eq!(r.outcome, Some(Outcome::Success));
        assert!(r.privileged);
    }

    #[test]
    fn role_display_name_alone_marks_privileged() {
        let value = json!({"CreationTime":"2026-11-22T01:15:40","Operation":"Update group.","RecordType":8,
            "ModifiedProperties":[{"Name":"Role.DisplayName","NewValue":"\"Exchange Administrator\""}]});
        assert_eq!(
            new_value(&value, "Role.DisplayName").as_deref(),
            Some("Exchange Administrator")
        );
        assert!(parse(&value).unwrap().privileged);
    }

    #[test]
    fn directory_user_operations() {
        let base = |op: &str, user_type: Value| {
            parse(&json!({"CreationTime":"2026-11-22T02:00:00","Operation":op,"RecordType":8,
                "UserType":user_type,"UserId":"suzuki-admin@city.sakuragaoka.lg.jp",
                "Target":[{"ID":"kimura@city.sakuragaoka.lg.jp","Type":5}],"ResultStatus":"Success"}))
            .unwrap()
        };
        let reset = base("Reset user password.", json!(0));
        assert!(reset.privileged);
        assert_eq!(
            reset.target.as_deref(),
            Some("kimura@city.sakuragaoka.lg.jp")
        );
        assert!(base("Add user.", json!(0)).privileged);
        assert!(!base("Update user.", json!(0)).privileged);
        assert!(base("Update user.", json!(2)).privileged);
        assert!(base("Update user.", json!("3")).privileged);
        assert!(base("Update user.", json!("Admin")).privileged);
        assert!(!base("Update user.", json!("Regular")).privileged);
    }

    #[test]
    fn exchange_cmdlets() {
        let rule = parse_str(
            r#"{"CreationTime":"2026-11-22T03:00:00","Id":"e1","Operation":"New-InboxRule","OrganizationId":"5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77","RecordType":1,"ResultStatus":"True","UserKey":"S-1-5-21-1","UserType":0,"Workload":"Exchange","ClientIP":"[2001:db8:20::7]:52311","ObjectId":"NAMPR06A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/sakuragaoka.onmicrosoft.com/tanaka/外部転送","UserId":"tanaka@city.sakuragaoka.lg.jp","Parameters":[{"Name":"ForwardTo","Value":"x@example.com"},{"Name":"Name","Value":"外部転送"}]}"#,
        );
        assert_eq!(rule.actor_ip.as_deref(), Some("2001:db8:20::7"));
        assert_eq!(rule.outcome, Some(Outcome::Success));
        assert!(
            rule.target
                .as_deref()
                .is_some_and(|t| t.ends_with("/tanaka/外部転送"))
        );
        assert!(!rule.privileged);

        let mailbox = parse_str(
            r#"{"CreationTime":"2026-11-22T03:05:00","Operation":"Set-Mailbox","RecordType":1,"ResultStatus":"False","UserType":0,"Workload":"Exchange","ClientIP":"203.0.113.44:52311","ObjectId":"tanaka","UserId":"suzuki-admin@city.sakuragaoka.lg.jp"}"#,
        );
        assert_eq!(mailbox.actor_ip.as_deref(), Some("203.0.113.44"));
        assert_eq!(mailbox.outcome, Some(Outcome::Failure));
        assert_eq!(mailbox.target.as_deref(), Some("tanaka"));
        assert!(mailbox.privileged);
    }

    #[test]
    fn sharepoint_file_and_sharing_operations() {
        let download = parse_str(
            r#"{"CreationTime":"2026-11-22T04:10:00","Id":"f1","Operation":"FileDownloaded","OrganizationId":"5f0e2a31-7c1d-4b6e-9a3f-0c8d2e4b1a77","RecordType":6,"UserType":0,"Workload":"SharePoint","ClientIP":"198.51.100.31","ObjectId":"https://sakuragaoka.sharepoint.com/sites/zeimu/Shared Documents/課税台帳.xlsx","UserId":"ito@city.sakuragaoka.lg.jp","UserAgent":"Microsoft Office Excel 2014","SourceFileName":"課税台帳.xlsx","SiteUrl":"https://sakuragaoka.sharepoint.com/sites/zeimu/"}"#,
        );
        assert_eq!(download.service.as_deref(), Some("SharePoint"));
        assert_eq!(
            download.target.as_deref(),
            Some("https://sakuragaoka.sharepoint.com/sites/zeimu/Shared Documents/課税台帳.xlsx")
        );
        assert_eq!(
            download.user_agent.as_deref(),
            Some("Microsoft Office Excel 2014")
        );
        assert_eq!(download.outcome, None);
        assert!(!download.privileged);

        for op in ["FileUploaded", "AnonymousLinkCreated", "SharingSet"] {
            let r = parse(&json!({"CreationTime":"2026-11-22T04:11:00","Operation":op,"RecordType":14,
                "Workload":"OneDrive","ObjectId":"https://sakuragaoka-my.sharepoint.com/personal/ito/Documents/a.docx"}))
            .unwrap();
            assert_eq!(r.operation, op);
            assert_eq!(
                r.target.as_deref(),
                Some("https://sakuragaoka-my.sharepoint.com/personal/ito/Documents/a.docx")
            );
        }
    }

    #[test]
    fn unknown_record_type_and_odd_values() {
        let r = parse_str(
            r#"{"CreationTime":"2026-11-22T05:00:00Z","Operation":"SomethingNew","RecordType":9999,"ResultStatus":"PartiallySucceeded","UserId":null,"UserKey":"i:0h.f|membership|100320","ClientIP":"","ObjectId":"   ","ExtendedProperties":"not a list","Target":{"ID":"x"},"UserType":null}"#,
        );
        assert_eq!(r.outcome, Some(Outcome::Success));
        assert_eq!(r.actor.as_deref(), Some("i:0h.f|membership|100320"));
        assert_eq!((r.actor_ip, r.target, r.user_agent), (None, None, None));
        assert!(!r.privileged);
    }

    #[test]
    fn rejects_with_reasons() {
        for (value, expected) in [
            (json!({"Operation":"UserLoggedIn"}), "CreationTime"),
            (
                json!({"CreationTime":1763769600,"Operation":"x"}),
                "CreationTime",
            ),
            (json!({"CreationTime":"2026-11-22T05:00:00"}), "Operation"),
            (
                json!({"CreationTime":"2026-11-22T05:00:00","Operation":{"a":1}}),
                "Operation",
            ),
            (json!(["CreationTime"]), "object"),
        ] {
            let err = parse(&value).unwrap_err().to_string();
            assert!(err.starts_with("malformed cloud audit record"), "{err}");
            assert!(err.contains(expected), "{err}");
        }
    }
}
