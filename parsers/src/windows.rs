//! Windows Security log logon events as JSON, in the shapes common agents
//! ship: NXLog `im_msvistalog` (`{"EventTime":"2026-11-22 09:00:00",
//! "Hostname":…,"EventID":4625,"TargetUserName":…}`, local time) and
//! Winlogbeat / Elastic Agent (`{"@timestamp":…,"winlog":{"event_id":…,
//! "computer_name":…,"event_data":{…}}}`). Either may also arrive as the
//! message of a syslog record.
//!
//! Claimed (→ `auth`): 4624 logon, 4625 failed logon, 4648 logon with
//! explicit credentials, 4740 account locked out, and the events that show
//! administrator rights in use (`elevated`): 4672 special privileges
//! assigned to a logon, 4720 user account created, and 4728 / 4732 / 4756
//! member added to a security-enabled global / local / universal group —
//! elevated when the group is an administrators' group (by its well-known
//! SID, so localized names do not matter, or by its English name). In the
//! account-management events `user` is who acted (`SubjectUserName`) and
//! `target_user` the account created or added.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value};

use crate::timestamp::preview;
use crate::{AuthEvent, Outcome, ParseContext, ParseError, Record, SyslogRecord};

/// Provider name of the Security log's events.
const PROVIDER: &str = "Microsoft-Windows-Security-Auditing";

/// Parses one JSON line holding a Windows event.
pub fn parse(line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    let value: Value = serde_json::from_str(line)
        .map_err(|e| ParseError::Windows(format!("not JSON ({e}) in `{}`", preview(line))))?;
    parse_value(&value, line, ctx)
}

/// Parses one event already read as JSON; `line` is its text, for errors.
pub fn parse_value(value: &Value, line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    let bad = |why: String| ParseError::Windows(format!("{why} in `{}`", preview(line)));
    let event = Event::read(value).ok_or_else(|| bad("no EventID / winlog.event_id".into()))?;
    let time = event
        .time(ctx)
        .ok_or_else(|| bad("no usable EventTime / @timestamp".into()))?;
    let envelope = event.envelope(time);
    Ok(match event.auth() {
        Some(auth) => Record::from((envelope, auth)),
        None => Record::from(envelope),
    })
}

/// A Windows event carried as the message of a syslog record (NXLog
/// forwarding JSON over syslog), if it is a logon event.
pub fn classify(record: &SyslogRecord) -> Option<AuthEvent> {
    let message = record.message.trim_start();
    if !message.starts_with('{') {
        return None;
    }
    let value: Value = serde_json::from_str(message).ok()?;
    Event::read(&value)?.auth()
}

/// The fields of one event, whichever agent shipped it.
struct Event<'a> {
    id: u32,
    root: &'a Map<String, Value>,
    data: &'a Map<String, Value>,
}

impl<'a> Event<'a> {
    fn read(value: &'a Value) -> Option<Self> {
        let root = value.as_object()?;
        let winlog = root.get("winlog").and_then(Value::as_object);
        let id = root
            .get("EventID")
            .or_else(|| winlog?.get("event_id"))
            .and_then(number)?;
        let data = winlog
            .and_then(|w| w.get("event_data"))
            .and_then(Value::as_object)
            .unwrap_or(root);
        Some(Self { id, root, data })
    }

    /// A string field of the event data (`-` and empty mean absent).
    fn field(&self, key: &str) -> Option<&'a str> {
        self.data
            .get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty() && *v != "-")
    }

    fn time(&self, ctx: &ParseContext) -> Option<DateTime<Utc>> {
        if let Some(ts) = self.root.get("@timestamp").and_then(Value::as_str) {
            return DateTime::parse_from_rfc3339(ts)
                .ok()
                .map(|t| t.with_timezone(&Utc));
        }
        let text = self.root.get("EventTime").and_then(Value::as_str)?;
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Some(t.with_timezone(&Utc));
        }
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok()?;
        ctx.offset
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc))
    }

    fn host(&self) -> Option<String> {
        let winlog = self.root.get("winlog").and_then(Value::as_object);
        self.root
            .get("Hostname")
            .or_else(|| winlog?.get("computer_name"))
            .and_then(Value::as_str)
            .map(str::trim)
            // A host name is one token; anything else is not a usable name
            // (the raw record still has it).
            .filter(|h| !h.is_empty() && !h.contains(char::is_whitespace))
            .map(str::to_owned)
    }

    fn envelope(&self, time: DateTime<Utc>) -> SyslogRecord {
        let message = self
            .root
            .get("Message")
            .or_else(|| self.root.get("message"))
            .and_then(Value::as_str)
            .map_or_else(|| format!("EventID {}", self.id), str::to_owned);
        SyslogRecord {
            time,
            facility: None,
            severity: None,
            host: self.host(),
            app_name: Some(PROVIDER.to_owned()),
            procid: None,
            msgid: Some(self.id.to_string()),
            structured_data: None,
            message,
        }
    }

    fn auth(&self) -> Option<AuthEvent> {
        let subject = || self.field("SubjectUserName");
        let mut elevated = false;
        let mut group = None;
        let mut member = None;
        let (outcome, user, target_user, method, reason) = match self.id {
            4624 => (
                Outcome::Success,
                self.field("TargetUserName"),
                None,
                logon_type(self.field("LogonType")),
                None,
            ),
            4625 => (
                Outcome::Failure,
                self.field("TargetUserName"),
                None,
                logon_type(self.field("LogonType")),
                Some(failure_reason(
                    self.field("SubStatus").or_else(|| self.field("Status")),
                )),
            ),
            4648 => (
                Outcome::Success,
                subject(),
                self.field("TargetUserName"),
                Some("explicit_credentials"),
                None,
            ),
            4740 => (
                Outcome::Failure,
                self.field("TargetUserName"),
                None,
                None,
                Some("locked_out"),
            ),
            4672 => {
                elevated = true;
                (
                    Outcome::Success,
                    subject(),
                    None,
                    Some("special_privileges"),
                    None,
                )
            }
            4720 => {
                elevated = true;
                (
                    Outcome::Success,
                    subject(),
                    self.field("TargetUserName"),
                    Some("account_created"),
                    None,
                )
            }
            4728 | 4732 | 4756 => {
                elevated = is_admin_group(self.field("TargetSid"), self.field("TargetUserName"));
                group = self.field("TargetUserName");
                member = member_name(self.field("MemberName"));
                (
                    Outcome::Success,
                    subject(),
                    self.field("MemberSid"),
                    Some("group_member_added"),
                    None,
                )
            }
            _ => return None,
        };
        Some(AuthEvent {
            app: "windows".to_owned(),
            user: user.map(str::to_owned),
            target_user: member.or_else(|| target_user.map(str::to_owned)),
            src_ip: self.field("IpAddress").map(str::to_owned),
            src_port: self
                .field("IpPort")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p != 0),
            outcome,
            method: method.map(str::to_owned),
            reason: reason.map(str::to_owned),
            elevated,
            group: group.map(str::to_owned),
        })
    }
}

/// `CN=田中 太郎,OU=情報政策課,DC=city,DC=example` → `田中 太郎` (an escaped
/// `\,` inside the CN is a comma).
fn member_name(dn: Option<&str>) -> Option<String> {
    let dn = dn?;
    let Some(rest) = dn.strip_prefix("CN=").or_else(|| dn.strip_prefix("cn=")) else {
        return Some(dn.to_owned());
    };
    let mut end = rest.len();
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'\\') => i += 2,
            Some(b',') => {
                end = i;
                break;
            }
            _ => i += 1,
        }
    }
    rest.get(..end)
        .filter(|n| !n.is_empty())
        .map(|n| n.replace("\\,", ","))
}

/// Administrators' groups: BUILTIN\Administrators, Account / Server /
/// Backup / Print Operators (S-1-5-32-544, 548, 549, 550, 551), and a
/// domain's Domain Admins (RID 512), Schema Admins (518), Enterprise Admins
/// (519), Group Policy Creator Owners (520); or those names in English.
fn is_admin_group(sid: Option<&str>, name: Option<&str>) -> bool {
    const BUILTIN: [&str; 5] = [
        "S-1-5-32-544",
        "S-1-5-32-548",
        "S-1-5-32-549",
        "S-1-5-32-550",
        "S-1-5-32-551",
    ];
    const DOMAIN_RIDS: [&str; 4] = ["-512", "-518", "-519", "-520"];
    const NAMES: [&str; 9] = [
        "administrators",
        "domain admins",
        "enterprise admins",
        "schema admins",
        "account operators",
        "server operators",
        "backup operators",
        "print operators",
        "group policy creator owners",
    ];
    let by_sid = sid.is_some_and(|sid| {
        let sid = sid.to_ascii_uppercase();
        BUILTIN.contains(&sid.as_str())
            || (sid.starts_with("S-1-5-21-") && DOMAIN_RIDS.iter().any(|rid| sid.ends_with(rid)))
    });
    by_sid || name.is_some_and(|n| NAMES.contains(&n.to_ascii_lowercase().as_str()))
}

/// EventID as a number or a numeric string.
fn number(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Logon type number → name.
fn logon_type(value: Option<&str>) -> Option<&'static str> {
    Some(match value? {
        "2" => "interactive",
        "3" => "network",
        "4" => "batch",
        "5" => "service",
        "7" => "unlock",
        "8" => "network_cleartext",
        "9" => "new_credentials",
        "10" => "remote_interactive",
        "11" => "cached_interactive",
        _ => return None,
    })
}

/// NTSTATUS of a failed logon → the reason analysts filter on.
fn failure_reason(status: Option<&str>) -> &'static str {
    match status.map(str::to_ascii_lowercase).as_deref() {
        Some("0xc0000064") => "invalid_user",
        Some("0xc0000234") => "locked_out",
        Some("0xc0000072") => "disabled",
        Some("0xc0000193") | Some("0xc0000071") => "expired",
        Some("0xc000006f") | Some("0xc0000070") | Some("0xc000015b") => "not_allowed",
        _ => "bad_credentials",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{ctx, record};

    fn auth(line: &str) -> (SyslogRecord, AuthEvent) {
        match parse(line, &ctx()).unwrap() {
            Record::Auth(envelope, event) => (*envelope, *event),
            other => panic!("not auth: {other:?}"),
        }
    }

    #[test]
    fn nxlog_failed_logon_in_local_time() {
        let (env, e) = auth(
            r#"{"EventTime":"2026-11-22 02:10:00","Hostname":"lg-ad01.city.local","EventID":4625,"TargetUserName":"Administrator","TargetDomainName":"CITY","LogonType":"3","IpAddress":"10.30.5.77","IpPort":"51234","Status":"0xc000006d","SubStatus":"0xC000006A","Message":"An account failed to log on."}"#,
        );
        assert_eq!(env.time.to_rfc3339(), "2026-11-21T17:10:00+00:00");
        assert_eq!(env.host.as_deref(), Some("lg-ad01.city.local"));
        assert_eq!(env.msgid.as_deref(), Some("4625"));
        assert_eq!(env.message, "An account failed to log on.");
        assert_eq!(e.outcome, Outcome::Failure);
        assert_eq!(e.user.as_deref(), Some("Administrator"));
        assert_eq!(
            (e.src_ip.as_deref(), e.src_port),
            (Some("10.30.5.77"), Some(51234))
        );
        assert_eq!(
            (e.method.as_deref(), e.reason.as_deref()),
            (Some("network"), Some("bad_credentials"))
        );
    }

    #[test]
    fn winlogbeat_logon_and_unknown_user() {
        let (env, e) = auth(
            r#"{"@timestamp":"2026-11-22T00:05:00.123Z","host":{"name":"lg-ad01"},"winlog":{"event_id":"4624","computer_name":"lg-ad01.city.local","provider_name":"Microsoft-Windows-Security-Auditing","event_data":{"TargetUserName":"tanaka","LogonType":"10","IpAddress":"10.20.1.15","IpPort":"0"}}}"#,
        );
        assert_eq!(env.time.to_rfc3339(), "2026-11-22T00:05:00.123+00:00");
        assert_eq!(
            (e.outcome, e.user.as_deref()),
            (Outcome::Success, Some("tanaka"))
        );
        assert_eq!(
            (e.method.as_deref(), e.src_port),
            (Some("remote_interactive"), None)
        );
        let (_, e) = auth(
            r#"{"EventTime":"2026-11-22 02:10:00","EventID":"4625","TargetUserName":"admin1","IpAddress":"-","SubStatus":"0xc0000064"}"#,
        );
        assert_eq!(
            (e.reason.as_deref(), e.src_ip),
            (Some("invalid_user"), None)
        );
    }

    #[test]
    fn explicit_credentials_and_lockout() {
        let (_, e) = auth(
            r#"{"EventTime":"2026-11-22 09:00:00","EventID":4648,"SubjectUserName":"sato","TargetUserName":"Administrator"}"#,
        );
        assert_eq!(
            (e.user.as_deref(), e.target_user.as_deref()),
            (Some("sato"), Some("Administrator"))
        );
        let (_, e) =
            auth(r#"{"EventTime":"2026-11-22 09:00:00","EventID":4740,"TargetUserName":"suzuki"}"#);
        assert_eq!(
            (e.outcome, e.reason.as_deref()),
            (Outcome::Failure, Some("locked_out"))
        );
    }

    #[test]
    fn other_events_are_syslog_and_garbage_is_an_error() {
        assert!(matches!(
            parse(
                r#"{"EventTime":"2026-11-22 09:00:00","EventID":4688}"#,
                &ctx()
            ),
            Ok(Record::Syslog(_))
        ));
        for line in [
            "{",
            r#"{"EventID":4625}"#,
            r#"{"no":"id"}"#,
            "[1,2]",
            r#"{"EventID":-1,"EventTime":"2026-11-22 09:00:00"}"#,
        ] {
            let err = parse(line, &ctx()).unwrap_err().to_string();
            assert!(err.starts_with("malformed Windows event"), "{line}: {err}");
        }
    }

    #[test]
    fn special_privileges_and_account_management_are_elevated() {
        let (_, e) = auth(
            r#"{"EventTime":"2026-11-22 02:11:00","Hostname":"lg-ad01","EventID":4672,"SubjectUserName":"Administrator","SubjectDomainName":"CITY","PrivilegeList":"SeBackupPrivilege\r\n\t\t\tSeDebugPrivilege"}"#,
        );
        assert_eq!(e.user.as_deref(), Some("Administrator"));
        assert_eq!(e.method.as_deref(), Some("special_privileges"));
        assert!(e.elevated);
        let (_, e) = auth(
            r#"{"@timestamp":"2026-11-22T03:00:00Z","winlog":{"event_id":4720,"computer_name":"lg-ad01","event_data":{"SubjectUserName":"adm-suzuki","TargetUserName":"tmp-vendor01","TargetSid":"S-1-5-21-1-2-3-1201"}}}"#,
        );
        assert_eq!(
            (e.user.as_deref(), e.target_user.as_deref()),
            (Some("adm-suzuki"), Some("tmp-vendor01"))
        );
        assert_eq!(e.method.as_deref(), Some("account_created"));
        assert!(e.elevated);
    }

    #[test]
    fn members_added_to_groups() {
        let (_, e) = auth(
            r#"{"EventTime":"2026-11-22 02:12:00","Hostname":"lg-ad01","EventID":"4728","SubjectUserName":"adm-suzuki","MemberName":"CN=田中\\, 太郎,OU=情報政策課,DC=city,DC=example","MemberSid":"S-1-5-21-1-2-3-1105","TargetUserName":"Domain Admins","TargetSid":"S-1-5-21-1-2-3-512"}"#,
        );
        assert_eq!(e.user.as_deref(), Some("adm-suzuki"));
        assert_eq!(e.target_user.as_deref(), Some("田中, 太郎"));
        assert_eq!(e.group.as_deref(), Some("Domain Admins"));
        assert_eq!(e.method.as_deref(), Some("group_member_added"));
        assert!(e.elevated);
        // A localized group name is still known by its well-known SID.
        let (_, e) = auth(
            r#"{"EventTime":"2026-11-22 02:13:00","Hostname":"lg-file01","EventID":4732,"SubjectUserName":"adm-suzuki","MemberName":"-","MemberSid":"S-1-5-21-1-2-3-1106","TargetUserName":"管理者","TargetSid":"S-1-5-32-544"}"#,
        );
        assert_eq!(e.target_user.as_deref(), Some("S-1-5-21-1-2-3-1106"));
        assert!(e.elevated);
        let (_, e) = auth(
            r#"{"EventTime":"2026-11-22 02:14:00","Hostname":"lg-ad01","EventID":4756,"SubjectUserName":"adm-suzuki","MemberName":"CN=sato,DC=city","TargetUserName":"庁内ファイル共有","TargetSid":"S-1-5-21-1-2-3-3001"}"#,
        );
        assert_eq!(e.target_user.as_deref(), Some("sato"));
        assert!(!e.elevated, "an ordinary group");
    }

    #[test]
    fn json_inside_syslog() {
        let r = record(
            r#"<14>Nov 22 02:10:00 lg-ad01 nxlog: {"EventTime":"2026-11-22 02:10:00","EventID":4625,"TargetUserName":"Administrator","IpAddress":"10.30.5.77"}"#,
        );
        let e = classify(&r).unwrap();
        assert_eq!(
            (e.app.as_str(), e.user.as_deref()),
            ("windows", Some("Administrator"))
        );
        assert_eq!(
            classify(&record("<14>Nov 22 02:10:00 lg-ad01 nxlog: {not json")),
            None
        );
    }
}
