//! Old-style PAM logging, where the program name is `SERVICE(pam_unix)`
//! (`sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0
//! tty=NODEVssh ruser= rhost=218.188.2.4  user=root`). Such systems (RHEL 4
//! era, still found on old appliances) may log nothing else about a failed
//! login, so the line is claimed as a failure.
//!
//! Modern `pam_unix(sshd:auth): authentication failure; …` lines are not
//! claimed: the service logs its own line for the same attempt (sshd
//! `Failed password …`), which is the one counted.

use crate::{AuthEvent, Outcome, SyslogRecord};

/// Returns the failed login in an old-style PAM record, if it is one.
pub fn classify(record: &SyslogRecord) -> Option<AuthEvent> {
    let service = record.app_name.as_deref()?.strip_suffix("(pam_unix)")?;
    if service.is_empty() {
        return None;
    }
    let fields = record.message.strip_prefix("authentication failure;")?;
    let value = |key: &str| {
        fields
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .filter(|v| !v.is_empty())
    };
    let src_ip = value("rhost").filter(|h| h.parse::<std::net::IpAddr>().is_ok());
    Some(AuthEvent {
        app: service.to_owned(),
        user: value("user").map(str::to_owned),
        target_user: None,
        src_ip: src_ip.map(str::to_owned),
        src_port: None,
        outcome: Outcome::Failure,
        method: Some("password".to_owned()),
        reason: Some("bad_credentials".to_owned()),
        elevated: false,
        group: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::record;

    fn classify_line(line: &str) -> Option<AuthEvent> {
        classify(&record(line))
    }

    #[test]
    fn old_style_failures_are_claimed() {
        let e = classify_line("Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root").unwrap();
        assert_eq!(e.app, "sshd");
        assert_eq!(e.user.as_deref(), Some("root"));
        assert_eq!(e.src_ip, None, "a host name is not an address");
        assert_eq!(e.outcome, Outcome::Failure);
        let e = classify_line("Jun 15 02:04:59 combo sshd(pam_unix)[1]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ").unwrap();
        assert_eq!(e.user, None);
        assert_eq!(e.src_ip.as_deref(), Some("218.188.2.4"));
    }

    #[test]
    fn sessions_and_modern_pam_lines_are_not_claimed() {
        for line in [
            "Jun 15 04:06:18 combo su(pam_unix)[21416]: session opened for user cyrus by (uid=0)",
            "Jun 15 04:06:18 combo sshd(pam_unix)[1]: check pass; user unknown",
            "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186  user=root",
            "Jun 15 04:06:18 combo (pam_unix)[1]: authentication failure; user=root",
        ] {
            assert_eq!(classify_line(line), None, "{line}");
        }
    }
}
