//! The typed records parsers produce.

use chrono::{DateTime, Utc};

/// A syslog message, whichever wire or file format it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogRecord {
    /// Event time from the header, in UTC.
    pub time: DateTime<Utc>,
    /// Facility code 0–23; `None` for file lines without PRI.
    pub facility: Option<u8>,
    /// Severity 0 (emerg) – 7 (debug); `None` for file lines without PRI.
    pub severity: Option<u8>,
    pub host: Option<String>,
    pub app_name: Option<String>,
    pub procid: Option<String>,
    /// RFC 5424 MSGID.
    pub msgid: Option<String>,
    /// RFC 5424 structured data, as sent (e.g. `[meta@32473 zone="lgwan"]`).
    pub structured_data: Option<String>,
    pub message: String,
}

/// Whether an authentication attempt succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    /// The connection ended before authentication finished (sshd
    /// `Connection closed by authenticating user …`, `Disconnecting: Too
    /// many authentication failures …`). Not a failure of its own, so
    /// failure counts stay one per attempt.
    Disconnected,
}

impl Outcome {
    /// The value stored in the `outcome` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Disconnected => "disconnected",
        }
    }
}

/// An authentication event claimed from a log message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthEvent {
    /// The program that authenticated (`sshd`, `sudo`, `su`).
    pub app: String,
    /// Who authenticated (for sudo/su: the invoking user).
    pub user: Option<String>,
    /// The account switched to (sudo `USER=`, su `(to root)`).
    pub target_user: Option<String>,
    pub src_ip: Option<String>,
    pub src_port: Option<u16>,
    pub outcome: Outcome,
    /// `password`, `publickey`, `keyboard-interactive/pam`, …
    pub method: Option<String>,
    /// Why it failed, when the log says: `invalid_user`, `bad_credentials`,
    /// `not_in_sudoers`.
    pub reason: Option<String>,
    /// The record itself shows administrator rights in use: Windows 4672
    /// (special privileges at logon), an account created, a member added
    /// to an administrators' group.
    pub elevated: bool,
    /// The group a member was added to (Windows 4728 / 4732 / 4756).
    pub group: Option<String>,
}

/// A web proxy request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRecord {
    pub time: DateTime<Utc>,
    /// The client (the staff member's terminal).
    pub src_ip: Option<String>,
    /// Authenticated user, when the proxy knows it.
    pub user: Option<String>,
    pub method: Option<String>,
    pub url: Option<String>,
    /// Lowercase host, without port.
    pub url_host: Option<String>,
    /// Path without the query string.
    pub url_path: Option<String>,
    /// HTTP status; `None` when the proxy logged none (Squid `000`).
    pub status: Option<u16>,
    /// Bytes sent to the client.
    pub bytes_in: Option<u64>,
    /// Bytes sent by the client.
    pub bytes_out: Option<u64>,
    /// The proxy's verdict/cache result (`TCP_MISS`, `TCP_DENIED`, …).
    pub action: Option<String>,
    /// URL category, when the proxy classifies.
    pub category: Option<String>,
    pub user_agent: Option<String>,
    pub duration_ms: Option<u64>,
    pub content_type: Option<String>,
    /// Upstream server or parent proxy the request went to.
    pub upstream: Option<String>,
}

/// A firewall event: a connection allowed or denied, or an appliance event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirewallRecord {
    pub time: DateTime<Utc>,
    /// The firewall (device name, or the syslog host).
    pub host: Option<String>,
    /// `traffic`, `utm`, `event`, …
    pub log_type: Option<String>,
    pub subtype: Option<String>,
    /// `accept`, `deny`, `close`, … as the device says.
    pub action: Option<String>,
    pub src_ip: Option<String>,
    pub src_port: Option<u16>,
    pub dst_ip: Option<String>,
    pub dst_port: Option<u16>,
    /// `tcp`, `udp`, `icmp`, or the protocol number.
    pub proto: Option<String>,
    /// Bytes received by the source (download).
    pub bytes_in: Option<u64>,
    /// Bytes sent by the source (upload).
    pub bytes_out: Option<u64>,
    /// Policy / rule id or log prefix.
    pub rule: Option<String>,
    /// Ingress interface or zone.
    pub src_zone: Option<String>,
    /// Egress interface or zone.
    pub dst_zone: Option<String>,
    /// Application or service the device identified.
    pub app: Option<String>,
    /// The device's own message text (event logs).
    pub message: Option<String>,
}

impl FirewallRecord {
    /// A record with only its time and device; parsers fill in the rest.
    pub fn new(time: DateTime<Utc>, host: Option<String>) -> Self {
        Self {
            time,
            host,
            log_type: None,
            subtype: None,
            action: None,
            src_ip: None,
            src_port: None,
            dst_ip: None,
            dst_port: None,
            proto: None,
            bytes_in: None,
            bytes_out: None,
            rule: None,
            src_zone: None,
            dst_zone: None,
            app: None,
            message: None,
        }
    }
}

/// One delivery attempt of one message to one recipient, correlated from
/// an MTA's lines (Postfix: smtpd → cleanup → qmgr → smtp/local by queue
/// id), or a message the MTA rejected before queueing it.
#[derive(Debug, Clone, PartialEq)]
pub struct MailRecord {
    /// When the delivery attempt (or the rejection) was logged.
    pub time: DateTime<Utc>,
    /// The mail server.
    pub host: Option<String>,
    /// The MTA's queue id (`NOQUEUE` rejections have none).
    pub queue_id: Option<String>,
    /// The `Message-ID:` header, without angle brackets.
    pub message_id: Option<String>,
    /// Envelope sender (`from=<…>`); `None` for the null sender `<>`.
    pub sender: Option<String>,
    /// Envelope recipient (`to=<…>`).
    pub recipient: Option<String>,
    /// `internal`, `inbound`, `outbound` or `external` (neither side local),
    /// judged from the configured local domains; `None` when unknown.
    pub direction: Option<String>,
    /// `sent`, `bounced`, `deferred`, `rejected`, `expired`, …
    pub status: String,
    /// The server's reply or the reject reason.
    pub status_detail: Option<String>,
    /// Enhanced status code (`dsn=5.1.1`).
    pub dsn: Option<String>,
    /// Message size in bytes (from qmgr).
    pub size: Option<u64>,
    /// Number of recipients of the message (from qmgr).
    pub nrcpt: Option<u32>,
    /// Where the message went (`relay=mx.example.jp[198.51.100.7]:25`).
    pub relay: Option<String>,
    /// The SMTP client that handed the message in.
    pub client_ip: Option<String>,
    pub client_host: Option<String>,
    /// SASL-authenticated user that submitted the message.
    pub sasl_user: Option<String>,
    /// Seconds from arrival to this delivery attempt.
    pub delay_s: Option<f64>,
}

/// One audit record from a cloud tenant: an admin or user action, or a
/// sign-in, in Microsoft 365 / Entra ID, Google Workspace or AWS.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudAuditRecord {
    pub time: DateTime<Utc>,
    /// `m365`, `entra`, `google_workspace` or `aws`.
    pub provider: String,
    /// The tenant / customer / account id the record belongs to.
    pub cloud_tenant: Option<String>,
    /// Workload or service (`Exchange`, `AzureActiveDirectory`, `drive`,
    /// `iam.amazonaws.com`, …).
    pub service: Option<String>,
    /// Who acted: UPN, e-mail address, or ARN.
    pub actor: Option<String>,
    pub actor_ip: Option<String>,
    /// What was done: `UserLoggedIn`, `Add member to role.`, `login_failure`,
    /// `ConsoleLogin`, `AttachUserPolicy`, …
    pub operation: String,
    /// What it was done to (user, role, file, resource).
    pub target: Option<String>,
    /// `success` or `failure`, when the record says.
    pub outcome: Option<Outcome>,
    /// Error code or failure reason.
    pub reason: Option<String>,
    /// Whether the record itself shows an administrator role or action.
    pub privileged: bool,
    pub region: Option<String>,
    pub user_agent: Option<String>,
    /// The provider's id of the record (for de-duplication).
    pub event_id: Option<String>,
}

/// One parsed record, routed to the table that fits it best.
///
/// The records are boxed: a record is moved several times on its way to a
/// batch, and the largest would make every move of every record (a
/// syslog line's included) copy some 370 bytes instead of two pointers.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// Goes to the `syslog` table.
    Syslog(Box<SyslogRecord>),
    /// Goes to the `auth` table; the syslog envelope supplies time and host.
    Auth(Box<SyslogRecord>, Box<AuthEvent>),
    /// Goes to the `proxy` table.
    Proxy(Box<ProxyRecord>),
    /// Goes to the `firewall` table.
    Firewall(Box<FirewallRecord>),
    /// Goes to the `mail` table.
    Mail(Box<MailRecord>),
    /// Goes to the `cloud_audit` table.
    CloudAudit(Box<CloudAuditRecord>),
}

impl From<SyslogRecord> for Record {
    fn from(record: SyslogRecord) -> Self {
        Record::Syslog(Box::new(record))
    }
}

impl From<(SyslogRecord, AuthEvent)> for Record {
    fn from((envelope, event): (SyslogRecord, AuthEvent)) -> Self {
        Record::Auth(Box::new(envelope), Box::new(event))
    }
}

impl From<ProxyRecord> for Record {
    fn from(record: ProxyRecord) -> Self {
        Record::Proxy(Box::new(record))
    }
}

impl From<FirewallRecord> for Record {
    fn from(record: FirewallRecord) -> Self {
        Record::Firewall(Box::new(record))
    }
}

impl From<MailRecord> for Record {
    fn from(record: MailRecord) -> Self {
        Record::Mail(Box::new(record))
    }
}

impl From<CloudAuditRecord> for Record {
    fn from(record: CloudAuditRecord) -> Self {
        Record::CloudAudit(Box::new(record))
    }
}
