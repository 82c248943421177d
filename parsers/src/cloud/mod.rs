//! Cloud tenants' audit records as JSON → `cloud_audit`: Microsoft 365
//! unified audit log ([`m365`]), Entra ID sign-in and directory audit logs
//! ([`entra`]), Google Workspace Admin SDK Reports activities
//! ([`google_workspace`]) and AWS CloudTrail ([`cloudtrail`]).
//!
//! [`parse`] takes one record (one JSON object); [`parse_document`] takes a
//! whole file or HTTP body as the providers deliver it: a JSON array (M365
//! Management Activity API content blobs), `{"Records":[…]}` (CloudTrail S3
//! objects), `{"items":[…]}` (Admin SDK `activities.list`), `{"value":[…]}`
//! (Graph `signIns` / `directoryAudits` pages), a single object, or NDJSON.
//!
//! # Which provider: [`sniff`]
//!
//! Decided by the keys of the top-level object only, first match wins:
//!
//! 1. `EventID` or `winlog` → `None`: a Windows event, not ours.
//! 2. `eventName` and (`eventSource` or `userIdentity`) → CloudTrail.
//! 3. `kind` = `admin#reports#activity`, or an `id` object holding
//!    `applicationName` → Google Workspace.
//! 4. `CreationTime` and (`Operation` or `RecordType`) → Microsoft 365.
//! 5. Entra ID, in one of three shapes:
//!    - Azure Monitor diagnostic export: `category` is one of the Entra log
//!      categories (`SignInLogs`, `NonInteractiveUserSignInLogs`,
//!      `ServicePrincipalSignInLogs`, `ManagedIdentitySignInLogs`,
//!      `AuditLogs`) and `properties` is an object;
//!    - Graph `signIns`: `createdDateTime` and a `status` object;
//!    - Graph `directoryAudits`: `activityDateTime` and
//!      `activityDisplayName`.
//! 6. Anything else (other JSON, non-objects) → `None`, so the caller can
//!    try other parsers.
//!
//! Ambiguities: an Entra sign-in delivered through the Management Activity
//! API (`AzureActiveDirectoryStsLogon`, `UserLoggedIn`) has the M365 shape
//! and is parsed as `m365`: the provider follows the delivery shape, not
//! the workload. Azure Monitor resource logs of other Azure services share
//! the `time` / `category` / `properties` envelope; only the Entra
//! categories above are claimed. A Graph `signIn` without `status` is not
//! recognised.
//!
//! # Common conventions
//!
//! - Times without a zone (M365 `CreationTime`) are UTC.
//! - `actor_ip` holds a bare IP address only: ports and brackets are
//!   stripped (`203.0.113.5:51234`, `[2001:db8::5]:443`), IPv4-mapped IPv6
//!   becomes IPv4, and anything that is not an address (CloudTrail's
//!   `ec2.amazonaws.com`, `AWS Internal`) is dropped.
//! - Strings that are empty or whitespace, and JSON `null`, are absent;
//!   numbers are accepted where strings are expected and vice versa
//!   (`"RecordType":"8"`, `"errorCode":0`).

pub mod cloudtrail;
pub mod entra;
pub mod google_workspace;
pub mod m365;

use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use crate::timestamp::preview;
use crate::{CloudAuditRecord, ParseError};

/// The cloud whose audit log a record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Microsoft 365 unified audit log (Management Activity API).
    M365,
    /// Entra ID sign-in / directory audit logs (Graph, Azure Monitor).
    Entra,
    /// Google Workspace Admin SDK Reports API activities.
    GoogleWorkspace,
    /// AWS CloudTrail.
    CloudTrail,
}

impl Provider {
    /// The value stored in the `provider` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::M365 => "m365",
            Provider::Entra => "entra",
            Provider::GoogleWorkspace => "google_workspace",
            Provider::CloudTrail => "aws",
        }
    }
}

/// Azure Monitor `category` values of Entra ID logs.
const ENTRA_CATEGORIES: [&str; 5] = [
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
    "AuditLogs",
];

/// Which provider's record `value` is, from its keys (see the module docs).
pub fn sniff(value: &Value) -> Option<Provider> {
    let obj = value.as_object()?;
    let has = |key: &str| obj.get(key).is_some_and(|v| !v.is_null());
    if has("EventID") || has("winlog") {
        return None;
    }
    if has("eventName") && (has("eventSource") || has("userIdentity")) {
        return Some(Provider::CloudTrail);
    }
    let google_id = obj
        .get("id")
        .and_then(Value::as_object)
        .is_some_and(|id| id.contains_key("applicationName"));
    if google_id || obj.get("kind").and_then(Value::as_str) == Some("admin#reports#activity") {
        return Some(Provider::GoogleWorkspace);
    }
    if has("CreationTime") && (has("Operation") || has("RecordType")) {
        return Some(Provider::M365);
    }
    let azure_monitor = obj
        .get("category")
        .and_then(Value::as_str)
        .is_some_and(|c| ENTRA_CATEGORIES.contains(&c))
        && obj.get("properties").is_some_and(Value::is_object);
    let graph_sign_in = has("createdDateTime") && obj.get("status").is_some_and(Value::is_object);
    let graph_audit = has("activityDateTime") && has("activityDisplayName");
    (azure_monitor || graph_sign_in || graph_audit).then_some(Provider::Entra)
}

/// Parses one record (one JSON object, e.g. one NDJSON line).
pub fn parse(line: &str) -> Result<CloudAuditRecord, ParseError> {
    let value: Value = serde_json::from_str(line).map_err(|e| {
        ParseError::CloudAudit(format!("not JSON ({e}) in `{}`", preview(line.trim())))
    })?;
    parse_value(&value)
}

/// Parses one record already read as JSON.
pub fn parse_value(value: &Value) -> Result<CloudAuditRecord, ParseError> {
    match sniff(value) {
        Some(Provider::M365) => m365::parse(value),
        Some(Provider::Entra) => entra::parse(value),
        Some(Provider::GoogleWorkspace) => google_workspace::parse(value),
        Some(Provider::CloudTrail) => cloudtrail::parse(value),
        None => Err(bad(
            value,
            "expected an M365, Entra ID, Google Workspace or CloudTrail record",
        )),
    }
}

/// Parses a whole document: a JSON array of records, a `Records` / `items`
/// / `value` wrapper, a single record, or NDJSON (blank lines skipped).
/// One result per record, in order; a bad record is an `Err` of its own.
/// A document that is not JSON (nor NDJSON of objects) is one `Err`.
pub fn parse_document(text: &str) -> Vec<Result<CloudAuditRecord, ParseError>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Vec::new();
    }
    if let Some(records) = split_document(trimmed) {
        return records.into_iter().map(|r| r.parsed).collect();
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(value) => vec![parse_value(&value)],
        Err(_) if looks_like_ndjson(trimmed) => trimmed
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(parse)
            .collect(),
        Err(e) => vec![Err(ParseError::CloudAudit(format!(
            "expected a JSON document or NDJSON ({e}) in `{}`",
            preview(trimmed)
        )))],
    }
}

/// One record of a document: its text as delivered (kept as evidence) and
/// what it parsed to.
#[derive(Debug)]
pub struct DocumentRecord<'a> {
    pub raw: &'a str,
    pub parsed: Result<CloudAuditRecord, ParseError>,
}

/// The records of `text` when it is one JSON document that holds cloud
/// records: a list or a known wrapper (even an empty page), or a single
/// record a provider is recognised in. `None` for anything else (NDJSON,
/// other JSON, not JSON), which the caller reads line by line.
pub fn split_document(text: &str) -> Option<Vec<DocumentRecord<'_>>> {
    use serde_json::value::RawValue;
    let raw: &RawValue = serde_json::from_str(text).ok()?;
    let value: Value = serde_json::from_str(raw.get()).ok()?;
    let elements: Vec<&RawValue> = if value.is_array() {
        serde_json::from_str(raw.get()).ok()?
    } else if records(&value).is_some() {
        let wrapper: std::collections::HashMap<String, &RawValue> =
            serde_json::from_str(raw.get()).ok()?;
        ["Records", "items", "value"]
            .iter()
            .find_map(|key| wrapper.get(*key))
            .and_then(|list| serde_json::from_str(list.get()).ok())
            .unwrap_or_default()
    } else if sniff(&value).is_some() {
        vec![raw]
    } else {
        return None;
    };
    Some(
        elements
            .into_iter()
            .map(|element| DocumentRecord {
                raw: element.get(),
                parsed: serde_json::from_str::<Value>(element.get())
                    .map_err(|e| ParseError::CloudAudit(format!("not JSON ({e})")))
                    .and_then(|v| parse_value(&v)),
            })
            .collect(),
    )
}

/// The records a document holds, when it is a list or a known wrapper.
/// A wrapper without its list (Admin SDK omits `items` when there are no
/// activities) holds none.
fn records(value: &Value) -> Option<&[Value]> {
    if let Some(list) = value.as_array() {
        return Some(list);
    }
    let obj = value.as_object()?;
    for key in ["Records", "items", "value"] {
        if let Some(list) = obj.get(key).and_then(Value::as_array) {
            return Some(list);
        }
    }
    let empty_page = obj.get("kind").and_then(Value::as_str) == Some("admin#reports#activities")
        || obj.contains_key("@odata.context");
    empty_page.then_some(&[])
}

/// NDJSON: several lines, the first of them a complete-looking object (a
/// pretty-printed object starts with a lone `{` and is not NDJSON).
fn looks_like_ndjson(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first_is_object = lines
        .next()
        .is_some_and(|l| l.starts_with('{') && l.ends_with('}'));
    first_is_object && lines.next().is_some()
}

/// An error naming what was expected, with the start of the record.
pub(crate) fn bad(value: &Value, why: &str) -> ParseError {
    ParseError::CloudAudit(format!("{why} in `{}`", preview(&value.to_string())))
}

/// The value at `path` below `value` (object keys only).
pub(crate) fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

/// A string (or number) as an owned string; empty, whitespace, `null` and
/// other types are absent.
pub(crate) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An integer, or a string holding one.
pub(crate) fn int(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An ISO 8601 time: RFC 3339, or without a zone (taken as UTC).
pub(crate) fn time(value: Option<&Value>) -> Option<DateTime<Utc>> {
    let s = value?.as_str()?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// A bare IP address from `1.2.3.4`, `1.2.3.4:port`, `[v6]:port`, `[v6]`
/// or plain IPv6; IPv4-mapped IPv6 becomes IPv4. Non-addresses are absent.
pub(crate) fn ip(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let addr = raw.parse::<IpAddr>().ok().or_else(|| {
        if let Some(rest) = raw.strip_prefix('[') {
            let (inside, _) = rest.split_once(']')?;
            inside.parse().ok()
        } else {
            let (host, port) = raw.rsplit_once(':')?;
            port.parse::<u16>().ok()?;
            host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
        }
    })?;
    Some(addr.to_canonical().to_string())
}

/// Case-insensitive substring test.
pub(crate) fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack
        .to_ascii_lowercase()
        .contains(&needle.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Outcome;
    use serde_json::json;

    #[test]
    fn sniffs_each_provider_and_leaves_others() {
        let cases = [
            (
                json!({"CreationTime":"2026-11-22T00:05:00","Operation":"UserLoggedIn"}),
                Some(Provider::M365),
            ),
            (
                json!({"createdDateTime":"2026-11-22T00:05:00Z","status":{"errorCode":0}}),
                Some(Provider::Entra),
            ),
            (
                json!({"time":"2026-11-22T00:05:00Z","category":"SignInLogs","properties":{}}),
                Some(Provider::Entra),
            ),
            (
                json!({"activityDateTime":"2026-11-22T00:05:00Z","activityDisplayName":"Add user"}),
                Some(Provider::Entra),
            ),
            (
                json!({"kind":"admin#reports#activity","events":[]}),
                Some(Provider::GoogleWorkspace),
            ),
            (
                json!({"id":{"applicationName":"login"}}),
                Some(Provider::GoogleWorkspace),
            ),
            (
                json!({"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com"}),
                Some(Provider::CloudTrail),
            ),
            (
                json!({"EventID":4625,"CreationTime":"x","Operation":"y"}),
                None,
            ),
            (
                json!({"winlog":{"event_id":4624},"eventName":"x","eventSource":"y"}),
                None,
            ),
            (
                json!({"time":"2026-11-22T00:05:00Z","category":"AuditEvent","properties":{}}),
                None,
            ),
            (json!({"message":"hello"}), None),
            (json!([1, 2]), None),
            (json!("CreationTime"), None),
        ];
        for (value, expected) in cases {
            assert_eq!(sniff(&value), expected, "{value}");
        }
    }

    #[test]
    fn ip_forms() {
        for (raw, expected) in [
            ("203.0.113.5", Some("203.0.113.5")),
            ("203.0.113.5:51234", Some("203.0.113.5")),
            ("[2001:DB8::5]:443", Some("2001:db8::5")),
            ("[2001:db8::5]", Some("2001:db8::5")),
            ("2001:db8:0:0::5", Some("2001:db8::5")),
            ("::ffff:198.51.100.7", Some("198.51.100.7")),
            (" 198.51.100.7 ", Some("198.51.100.7")),
            ("ec2.amazonaws.com", None),
            ("AWS Internal", None),
            ("203.0.113.5:port", None),
            ("", None),
        ] {
            assert_eq!(ip(raw).as_deref(), expected, "{raw}");
        }
    }

    #[test]
    fn times_with_and_without_zone() {
        let t = |s: &str| time(Some(&json!(s))).map(|t| t.to_rfc3339());
        assert_eq!(
            t("2026-11-22T00:05:00").as_deref(),
            Some("2026-11-22T00:05:00+00:00")
        );
        assert_eq!(
            t("2026-11-22T09:05:00.1234567+09:00").as_deref(),
            Some("2026-11-22T00:05:00.123456700+00:00")
        );
        assert_eq!(t("22/11/2026"), None);
        assert_eq!(time(Some(&json!(1_763_769_600))), None);
    }

    #[test]
    fn one_line_dispatches_and_rejects() {
        let r = parse(r#"{"eventVersion":"1.09","eventTime":"2026-11-22T00:05:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"ap-northeast-1"}"#).unwrap();
        assert_eq!(
            (r.provider.as_str(), r.operation.as_str()),
            ("aws", "GetObject")
        );
        for line in [
            "not json",
            "{",
            r#"{"EventID":4625,"EventTime":"2026-11-22 09:00:00"}"#,
            r#"{"foo":"bar"}"#,
            "42",
        ] {
            let err = parse(line).unwrap_err().to_string();
            assert!(
                err.starts_with("malformed cloud audit record"),
                "{line}: {err}"
            );
        }
    }

    const M365_OK: &str = r#"{"CreationTime":"2026-11-22T00:05:00","Id":"a1","Operation":"FileDownloaded","RecordType":6,"Workload":"SharePoint","UserId":"tanaka@city.sakuragaoka.lg.jp","ClientIP":"203.0.113.5","ObjectId":"https://sakuragaoka.sharepoint.com/sites/soumu/Shared Documents/名簿.xlsx"}"#;

    #[test]
    fn document_array_with_one_bad_element() {
        let doc = format!(
            r#"[{M365_OK}, {{"CreationTime":"yesterday","Operation":"FileUploaded"}}, 17, {M365_OK}]"#
        );
        let out = parse_document(&doc);
        assert_eq!(out.len(), 4);
        assert!(out[0].is_ok() && out[3].is_ok());
        assert!(
            out[1]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("CreationTime")
        );
        assert!(out[2].is_err());
    }

    #[test]
    fn document_wrappers() {
        let trail = r#"{"Records":[{"eventTime":"2026-11-22T00:05:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","userIdentity":{"type":"Root"}},{"eventTime":"2026-11-22T00:06:00Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers"}]}"#;
        let ops: Vec<String> = parse_document(trail)
            .into_iter()
            .map(|r| r.unwrap().operation)
            .collect();
        assert_eq!(ops, ["CreateUser", "ListUsers"]);

        let google = r#"{"kind":"admin#reports#activities","items":[{"kind":"admin#reports#activity","id":{"time":"2026-11-22T00:05:00.000Z","applicationName":"login","customerId":"C01abcd23"},"actor":{"email":"sato@city.sakuragaoka.lg.jp"},"events":[{"type":"login","name":"login_success"}]}]}"#;
        let out = parse_document(google);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].as_ref().unwrap().outcome, Some(Outcome::Success));

        let graph = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[{"id":"s1","createdDateTime":"2026-11-22T00:05:00Z","userPrincipalName":"tanaka@city.sakuragaoka.lg.jp","status":{"errorCode":50126,"failureReason":"Invalid username or password."}}]}"#;
        let out = parse_document(graph);
        assert_eq!(out[0].as_ref().unwrap().provider, "entra");

        assert!(parse_document(r#"{"kind":"admin#reports#activities","etag":"\"x\""}"#).is_empty());
        assert!(parse_document(r#"{"@odata.context":"x","value":[]}"#).is_empty());
        assert!(parse_document("  \n ").is_empty());
        assert_eq!(parse_document(M365_OK).len(), 1);
    }

    #[test]
    fn document_ndjson_keeps_order_and_isolates_bad_lines() {
        let doc = format!("{M365_OK}\n\n{{\"CreationTime\":\n{M365_OK}\r\n");
        let out = parse_document(&doc);
        assert_eq!(out.len(), 3);
        assert!(out[0].is_ok() && out[1].is_err() && out[2].is_ok());
    }

    #[test]
    fn document_not_json_is_one_error() {
        for doc in [
            "hello\nworld\n",
            "{\n  \"Records\": [\n",
            "<html>502</html>",
        ] {
            let out = parse_document(doc);
            assert_eq!(out.len(), 1, "{doc}");
            let err = out[0].as_ref().unwrap_err().to_string();
            assert!(err.contains("expected a JSON document"), "{err}");
        }
    }

    #[test]
    fn split_document_keeps_each_record_as_delivered() {
        let text = "{\"Records\": [\n  {\"eventVersion\":\"1.08\",\"eventTime\":\"2026-11-23T01:00:00Z\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\",\"awsRegion\":\"ap-northeast-1\",\"userIdentity\":{\"type\":\"Root\",\"accountId\":\"111122223333\"}},\n  {\"eventName\": 5}\n]}";
        let records = split_document(text).unwrap();
        assert_eq!(records.len(), 2);
        assert!(
            records[0].raw.starts_with("{\"eventVersion\":\"1.08\""),
            "key order kept"
        );
        assert_eq!(records[0].parsed.as_ref().unwrap().operation, "CreateUser");
        assert_eq!(records[1].raw, "{\"eventName\": 5}");
        assert!(records[1].parsed.is_err());
        assert_eq!(split_document("[]").unwrap().len(), 0);
        assert!(
            split_document("{\"EventID\":4624}").is_none(),
            "not a cloud record"
        );
        assert!(split_document("{\"a\":1}\n{\"b\":2}").is_none(), "NDJSON");
    }
}
