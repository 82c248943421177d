//! Sigma field names → columns (or column expressions) of the lake, per log
//! source. A field missing here refuses the rule; see docs/sigma.md.

/// How a column compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// An integer column: integer values compare as numbers.
    Number,
}

/// One Sigma field and the SQL it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldMap {
    pub sigma: &'static str,
    pub sql: &'static str,
    pub kind: Kind,
}

const fn text(sigma: &'static str, sql: &'static str) -> FieldMap {
    FieldMap {
        sigma,
        sql,
        kind: Kind::Text,
    }
}

const fn number(sigma: &'static str, sql: &'static str) -> FieldMap {
    FieldMap {
        sigma,
        sql,
        kind: Kind::Number,
    }
}

/// The field `name`: spelled exactly so, else ignoring case (as Sigma
/// backends match it; sudo's `USER` and `user` differ only in case).
pub fn lookup(fields: &[FieldMap], name: &str) -> Option<FieldMap> {
    fields
        .iter()
        .find(|f| f.sigma == name)
        .or_else(|| fields.iter().find(|f| f.sigma.eq_ignore_ascii_case(name)))
        .copied()
}

/// `reason` holds `code: message` (or one of them); these take it apart.
const REASON_CODE: &str = "split_part(reason, ':', 1)";
const REASON_TEXT: &str = "CASE WHEN strpos(reason, ': ') > 0 \
     THEN substr(reason, strpos(reason, ': ') + 2) ELSE reason END";

/// Web proxy (W3C / ELFF names, as in SigmaHQ `category: proxy`).
pub const PROXY: &[FieldMap] = &[
    text("c-uri", "url"),
    text("c-uri-stem", "url_path"),
    text("c-uri-query", "split_part(url, '?', 2)"),
    text("cs-host", "url_host"),
    text("r-dns", "url_host"),
    text("cs-method", "method"),
    text("c-useragent", "user_agent"),
    number("sc-status", "status"),
    number("cs-bytes", "bytes_out"),
    number("sc-bytes", "bytes_in"),
    text("c-ip", "src_ip"),
    text("src_ip", "src_ip"),
    text("ClientIP", "src_ip"),
    text("cs-username", "\"user\""),
];

/// Firewalls (`category: firewall`).
pub const FIREWALL: &[FieldMap] = &[
    text("src_ip", "src_ip"),
    number("src_port", "src_port"),
    text("dst_ip", "dst_ip"),
    number("dst_port", "dst_port"),
    text("action", "action"),
    text("protocol", "proto"),
    text("proto", "proto"),
    text("application", "app"),
    text("app", "app"),
    text("rule", "rule"),
    text("src_zone", "src_zone"),
    text("dst_zone", "dst_zone"),
];

/// Linux authentication (`product: linux`, service auth / sshd / sudo).
pub const LINUX_AUTH: &[FieldMap] = &[
    text("user", "\"user\""),
    // sudo's `USER=` is the account the command runs as.
    text("USER", "target_user"),
    text("src_ip", "src_ip"),
];

/// Plain Linux syslog (`product: linux`, no service or `syslog`).
pub const LINUX_SYSLOG: &[FieldMap] = &[text("app_name", "app_name"), text("message", "message")];

/// AWS CloudTrail.
pub const CLOUDTRAIL: &[FieldMap] = &[
    text("eventName", "operation"),
    text("eventSource", "service"),
    text("userIdentity.arn", "actor"),
    text("sourceIPAddress", "actor_ip"),
    text("errorCode", REASON_CODE),
    text("errorMessage", REASON_TEXT),
    text("awsRegion", "region"),
    text("userAgent", "user_agent"),
    text("eventID", "event_id"),
    text("recipientAccountId", "cloud_tenant"),
];

/// Entra ID (Azure AD) sign-in logs. `ResultType` is 0 for a success and
/// the error code otherwise.
pub const AZURE_SIGNIN: &[FieldMap] = &[
    text(
        "ResultType",
        "CASE WHEN outcome = 'success' THEN '0' ELSE split_part(reason, ':', 1) END",
    ),
    text("ResultDescription", REASON_TEXT),
    text("UserPrincipalName", "actor"),
    text("IPAddress", "actor_ip"),
    text("AppDisplayName", "target"),
    text("Location", "region"),
    text("UserAgent", "user_agent"),
    text("Category", "service"),
];

/// Entra ID (Azure AD) directory audit logs.
pub const AZURE_AUDIT: &[FieldMap] = &[
    text("ActivityDisplayName", "operation"),
    text("OperationName", "operation"),
    text("Category", "service"),
    text("Result", "outcome"),
    text("properties.result", "outcome"),
    text("InitiatedBy", "actor"),
    text("properties.initiatedby", "actor"),
    text("TargetResources", "target"),
    text("properties.TargetResources", "target"),
    text("ResultReason", "reason"),
];

/// Microsoft 365 unified audit log.
pub const M365: &[FieldMap] = &[
    text("Operation", "operation"),
    text("eventName", "operation"),
    text("Workload", "service"),
    text("eventSource", "service"),
    text("UserId", "actor"),
    text("ClientIP", "actor_ip"),
    text("ObjectId", "target"),
];

/// Google Workspace Admin SDK reports. Sigma's `eventService` is the API
/// host (`admin.googleapis.com`); the lake keeps the application name.
pub const GOOGLE_WORKSPACE: &[FieldMap] = &[
    text("eventName", "operation"),
    text("eventService", "concat(service, '.googleapis.com')"),
    text("actor.email", "actor"),
    text("ipAddress", "actor_ip"),
];
