//! AWS CloudTrail records, as delivered to S3 (`{"Records":[…]}`, one
//! record per element) or exported one per line: `{"eventVersion",
//! "eventTime","eventID","eventName","eventSource","awsRegion",
//! "sourceIPAddress","userAgent","userIdentity":{"type","arn","userName",
//! "accountId","sessionContext":{"sessionIssuer":{"userName"}},
//! "invokedBy"},"requestParameters","responseElements","errorCode",
//! "errorMessage","recipientAccountId","additionalEventData"}`.
//!
//! Mapping: `time` ← `eventTime`; `cloud_tenant` ← `recipientAccountId`,
//! else `userIdentity.accountId`; `service` ← `eventSource`
//! (`iam.amazonaws.com`); `operation` ← `eventName`; `region` ←
//! `awsRegion`; `user_agent` ← `userAgent`; `event_id` ← `eventID`.
//!
//! `actor` ← `userIdentity.arn` (for an assumed role the session ARN,
//! which names the role and the session), else `userIdentity.userName`,
//! else `userIdentity.invokedBy` (an AWS service acting), else
//! `principalId`.
//!
//! `actor_ip` ← `sourceIPAddress` only when it is an IP address. When an
//! AWS service made the call the field holds the service's name
//! (`ec2.amazonaws.com`, `AWS Internal`); that is not an address and is
//! dropped here, the service still shows as `actor` (`invokedBy`).
//!
//! `target` ← the first of `requestParameters.userName`, `roleName`,
//! `groupName`, `policyArn`, `policyName`, `bucketName`, `functionName`,
//! `keyId`, `trailName`, `instanceProfileName`, `secretId`, `name` (for
//! `AttachUserPolicy` the user the policy is attached to; the policy when
//! no principal is named).
//!
//! `outcome`: `ConsoleLogin` follows `responseElements.ConsoleLogin`
//! (`Success` / `Failure`); otherwise an `errorCode` means failure and its
//! absence success. `reason` ← `errorCode: errorMessage` (either alone when
//! the other is missing).
//!
//! `privileged` is true when:
//! - `userIdentity.type` is `Root`;
//! - the call is an IAM write: `eventSource` `iam.amazonaws.com` and an
//!   event name not starting `Get`, `List`, `Simulate` or `Generate`
//!   (covers `Attach*Policy`, `Put*Policy`, `CreateAccessKey`,
//!   `CreateUser`, `AddUserToGroup`, `UpdateAssumeRolePolicy`, …);
//! - it changes a resource policy on any service (an event name containing
//!   `Policy` and starting `Put`, `Set`, `Attach`, `Create`, `Update` or
//!   `Delete`: `PutBucketPolicy`, `PutKeyPolicy`, …);
//! - the actor is an administrator by name: the IAM user, the role of an
//!   assumed-role session (`sessionIssuer.userName`) or the ARN contains
//!   `admin` (any case: `AdministratorAccess`,
//!   `AWSReservedSSO_AdministratorAccess_…`, `admin-tanaka`) or is
//!   `OrganizationAccountAccessRole`.

use serde_json::Value;

use super::{at, bad, contains_ci, ip, text, time};
use crate::{CloudAuditRecord, Outcome, ParseError};

/// `requestParameters` keys that name what a call acts on, best first.
const TARGET_KEYS: [&str; 12] = [
    "userName",
    "roleName",
    "groupName",
    "policyArn",
    "policyName",
    "bucketName",
    "functionName",
    "keyId",
    "trailName",
    "instanceProfileName",
    "secretId",
    "name",
];

/// Parses one CloudTrail record.
pub fn parse(value: &Value) -> Result<CloudAuditRecord, ParseError> {
    if !value.is_object() {
        return Err(bad(value, "expected a CloudTrail record object"));
    }
    let field = |key: &str| text(value.get(key));
    let identity = |key: &str| text(at(value, &["userIdentity", key]));
    let time =
        time(value.get("eventTime")).ok_or_else(|| bad(value, "expected eventTime as RFC 3339"))?;
    let operation = field("eventName").ok_or_else(|| bad(value, "expected eventName"))?;
    let service = field("eventSource");
    let error_code = field("errorCode");
    let error_message = field("errorMessage");
    let outcome = match text(at(value, &["responseElements", "ConsoleLogin"])).as_deref() {
        Some("Success") => Outcome::Success,
        Some("Failure") => Outcome::Failure,
        _ if error_code.is_some() => Outcome::Failure,
        _ => Outcome::Success,
    };
    let reason = match (error_code, error_message) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (code, message) => code.or(message),
    };
    Ok(CloudAuditRecord {
        time,
        provider: "aws".to_owned(),
        cloud_tenant: field("recipientAccountId").or_else(|| identity("accountId")),
        actor: identity("arn")
            .or_else(|| identity("userName"))
            .or_else(|| identity("invokedBy"))
            .or_else(|| identity("principalId")),
        actor_ip: field("sourceIPAddress").and_then(|raw| ip(&raw)),
        target: TARGET_KEYS
            .iter()
            .find_map(|key| text(at(value, &["requestParameters", key]))),
        outcome: Some(outcome),
        reason,
        privileged: privileged(value, &operation, service.as_deref()),
        region: field("awsRegion"),
        user_agent: field("userAgent"),
        event_id: field("eventID"),
        operation,
        service,
    })
}

/// See the module docs.
fn privileged(value: &Value, operation: &str, service: Option<&str>) -> bool {
    let identity = |path: &[&str]| {
        let mut full = vec!["userIdentity"];
        full.extend_from_slice(path);
        text(at(value, &full))
    };
    let root = identity(&["type"]).as_deref() == Some("Root");
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| operation.starts_with(p));
    let iam_write =
        service == Some("iam.amazonaws.com") && !starts(&["Get", "List", "Simulate", "Generate"]);
    let policy_write = operation.contains("Policy")
        && starts(&["Put", "Set", "Attach", "Create", "Update", "Delete"]);
    let admin_actor = [
        identity(&["userName"]),
        identity(&["sessionContext", "sessionIssuer", "userName"]),
        identity(&["arn"]),
    ]
    .iter()
    .flatten()
    .any(|name| contains_ci(name, "admin") || name.contains("OrganizationAccountAccessRole"));
    root || iam_write || policy_write || admin_actor
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
    fn console_login_failure() {
        let r = parse_str(
            r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE000000001","accountId":"210987654321","accessKeyId":"","userName":"tanaka"},"eventTime":"2026-11-22T00:30:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"ap-northeast-1","sourceIPAddress":"203.0.113.101","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"},"eventID":"3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"210987654321","eventCategory":"Management"}"#,
        );
        assert_eq!(r.time.to_rfc3339(), "2026-11-22T00:30:00+00:00");
        assert_eq!(r.provider, "aws");
        assert_eq!(r.cloud_tenant.as_deref(), Some("210987654321"));
        assert_eq!(r.service.as_deref(), Some("signin.amazonaws.com"));
        assert_eq!(r.actor.as_deref(), Some("tanaka"));
        assert_eq!(r.actor_ip.as_deref(), Some("203.0.113.101"));
        assert_eq!(r.operation, "ConsoleLogin");
        assert_eq!(r.target, None);
        assert_eq!(r.outcome, Some(Outcome::Failure));
        assert_eq!(r.reason.as_deref(), Some("Failed authentication"));
        assert!(!r.privileged);
        assert_eq!(r.region.as_deref(), Some("ap-northeast-1"));
        assert_eq!(
            r.user_agent.as_deref(),
            Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
        );
        assert_eq!(
            r.event_id.as_deref(),
            Some("3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9")
        );
    }

    #[test]
    fn root_console_login_success() {
        let r = parse(&json!({"eventTime":"2026-11-22T00:31:00Z","eventSource":"signin.amazonaws.com",
            "eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.5",
            "userIdentity":{"type":"Root","principalId":"210987654321","arn":"arn:aws:iam::210987654321:root","accountId":"210987654321"},
            "responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"}}))
        .unwrap();
        assert_eq!(r.actor.as_deref(), Some("arn:aws:iam::210987654321:root"));
        assert_eq!(r.cloud_tenant.as_deref(), Some("210987654321"));
        assert_eq!((r.outcome, r.reason), (Some(Outcome::Success), None));
        assert!(r.privileged);
    }

    #[test]
    fn attach_policy_by_assumed_role() {
        let r = parse_str(
            r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:sato@city.sakuragaoka.lg.jp","arn":"arn:aws:sts::210987654321:assumed-role/joho-ops/sato@city.sakuragaoka.lg.jp","accountId":"210987654321","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::210987654321:role/joho-ops","accountId":"210987654321","userName":"joho-ops"},"attributes":{"creationDate":"2026-11-22T00:00:00Z","mfaAuthenticated":"true"}}},"eventTime":"2026-11-22T01:00:00Z","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","awsRegion":"us-east-1","sourceIPAddress":"2001:db8:50::8","userAgent":"aws-cli/2.22.0","requestParameters":{"userName":"backup-svc","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"},"responseElements":null,"eventID":"e-attach","recipientAccountId":"210987654321"}"#,
        );
        assert_eq!(
            r.actor.as_deref(),
            Some("arn:aws:sts::210987654321:assumed-role/joho-ops/sato@city.sakuragaoka.lg.jp")
        );
        assert_eq!(r.actor_ip.as_deref(), Some("2001:db8:50::8"));
        assert_eq!(r.target.as_deref(), Some("backup-svc"));
        assert_eq!((r.outcome, r.reason), (Some(Outcome::Success), None));
        assert!(r.privileged);
    }

    #[test]
    fn failed_call_has_error_reason() {
        let r = parse(&json!({"eventTime":"2026-11-22T01:05:00Z","eventSource":"iam.amazonaws.com",
            "eventName":"CreateAccessKey","sourceIPAddress":"203.0.113.102",
            "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::210987654321:user/kimura","userName":"kimura"},
            "requestParameters":{"userName":"kimura"},
            "errorCode":"AccessDenied","errorMessage":"User: arn:aws:iam::210987654321:user/kimura is not authorized to perform: iam:CreateAccessKey"}))
        .unwrap();
        assert_eq!(r.outcome, Some(Outcome::Failure));
        assert_eq!(
            r.reason.as_deref(),
            Some(
                "AccessDenied: User: arn:aws:iam::210987654321:user/kimura is not authorized to perform: iam:CreateAccessKey"
            )
        );
        assert!(r.privileged);
        let code_only = parse(
            &json!({"eventTime":"2026-11-22T01:05:00Z","eventName":"GetObject",
            "eventSource":"s3.amazonaws.com","errorCode":"NoSuchKey","errorMessage":null}),
        )
        .unwrap();
        assert_eq!(code_only.reason.as_deref(), Some("NoSuchKey"));
    }

    #[test]
    fn service_source_address_is_not_an_ip() {
        let r = parse(&json!({"eventTime":"2026-11-22T02:00:00Z","eventSource":"kms.amazonaws.com",
            "eventName":"Decrypt","awsRegion":"ap-northeast-1","sourceIPAddress":"ec2.amazonaws.com",
            "userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},
            "requestParameters":{"encryptionContext":{}},"recipientAccountId":"210987654321"}))
        .unwrap();
        assert_eq!(r.actor.as_deref(), Some("ec2.amazonaws.com"));
        assert_eq!((r.actor_ip, r.target), (None, None));
        assert!(!r.privileged);
    }

    #[test]
    fn privileged_rules() {
        let call = |source: &str, name: &str, identity: Value| {
            parse(
                &json!({"eventTime":"2026-11-22T03:00:00Z","eventSource":source,"eventName":name,
                "userIdentity":identity}),
            )
            .unwrap()
            .privileged
        };
        let user = json!({"type":"IAMUser","userName":"ito"});
        assert!(call("iam.amazonaws.com", "PutRolePolicy", user.clone()));
        assert!(call(
            "iam.amazonaws.com",
            "UpdateAssumeRolePolicy",
            user.clone()
        ));
        assert!(call("iam.amazonaws.com", "AddUserToGroup", user.clone()));
        assert!(!call("iam.amazonaws.com", "ListUsers", user.clone()));
        assert!(!call(
            "iam.amazonaws.com",
            "GetAccountAuthorizationDetails",
            user.clone()
        ));
        assert!(call("s3.amazonaws.com", "PutBucketPolicy", user.clone()));
        assert!(!call("s3.amazonaws.com", "GetBucketPolicy", user.clone()));
        assert!(!call("ec2.amazonaws.com", "RunInstances", user.clone()));
        let sso_admin = json!({"type":"AssumedRole",
            "arn":"arn:aws:sts::210987654321:assumed-role/AWSReservedSSO_AdministratorAccess_0123abcd/ito",
            "sessionContext":{"sessionIssuer":{"userName":"AWSReservedSSO_AdministratorAccess_0123abcd"}}});
        assert!(call("ec2.amazonaws.com", "RunInstances", sso_admin));
        assert!(call(
            "ec2.amazonaws.com",
            "RunInstances",
            json!({"type":"IAMUser","userName":"admin-tanaka"})
        ));
        assert!(call(
            "ec2.amazonaws.com",
            "RunInstances",
            json!({"type":"AssumedRole",
            "sessionContext":{"sessionIssuer":{"userName":"OrganizationAccountAccessRole"}}})
        ));
    }

    #[test]
    fn target_choice() {
        let target = |params: Value| {
            parse(
                &json!({"eventTime":"2026-11-22T03:00:00Z","eventName":"x","eventSource":"y",
                "requestParameters":params}),
            )
            .unwrap()
            .target
        };
        assert_eq!(
            target(json!({"roleName":"r","policyArn":"p"})).as_deref(),
            Some("r")
        );
        assert_eq!(
            target(json!({"policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"})).as_deref(),
            Some("arn:aws:iam::aws:policy/ReadOnlyAccess")
        );
        assert_eq!(
            target(json!({"bucketName":"sakuragaoka-backup","key":"a"})).as_deref(),
            Some("sakuragaoka-backup")
        );
        assert_eq!(target(json!({"userName":{"nested":true}})), None);
        assert_eq!(target(json!("str")), None);
    }

    #[test]
    fn rejects_with_reasons() {
        for (value, expected) in [
            (
                json!({"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com"}),
                "eventTime",
            ),
            (
                json!({"eventTime":"2026/11/22 00:00","eventName":"x"}),
                "eventTime",
            ),
            (
                json!({"eventTime":"2026-11-22T00:00:00Z","eventName":["x"]}),
                "eventName",
            ),
            (json!(3), "object"),
        ] {
            let err = parse(&value).unwrap_err().to_string();
            assert!(err.starts_with("malformed cloud audit record"), "{err}");
            assert!(err.contains(expected), "{value}: {err}");
        }
    }
}
