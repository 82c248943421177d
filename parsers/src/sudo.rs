//! sudo's per-command log line: `USER : [problem ; ]TTY=… ; PWD=… ;
//! USER=target ; COMMAND=…`.
//!
//! Claimed (→ `auth`): a command run (success), `N incorrect password
//! attempts` (failure, `bad_credentials`), `user NOT in sudoers` /
//! `user NOT authorized on host` (failure, `not_in_sudoers`). The PAM lines
//! sudo also writes (`pam_unix(sudo:auth): …`, sessions) stay in `syslog`:
//! they repeat what this line says.

use crate::{AuthEvent, Outcome, SyslogRecord};

/// Returns the authentication event in a sudo record, if it is one.
pub fn classify(record: &SyslogRecord) -> Option<AuthEvent> {
    if record.app_name.as_deref() != Some("sudo") {
        return None;
    }
    let (user, rest) = record.message.trim_start().split_once(" : ")?;
    let user = user.trim();
    if user.is_empty() || user.contains(' ') {
        return None;
    }
    let mut fields = rest.split(" ; ").map(str::trim);
    let first = fields.next()?;
    let (outcome, reason) = if first.starts_with("TTY=") || first.starts_with("PWD=") {
        (Outcome::Success, None)
    } else if first.contains("incorrect password attempt") {
        (Outcome::Failure, Some("bad_credentials"))
    } else if first.contains("NOT in sudoers") || first.contains("NOT authorized") {
        (Outcome::Failure, Some("not_in_sudoers"))
    } else if first.starts_with("command not allowed") {
        (Outcome::Failure, Some("command_not_allowed"))
    } else {
        return None;
    };
    let target = rest
        .split(" ; ")
        .map(str::trim)
        .find_map(|f| f.strip_prefix("USER="))
        .filter(|t| !t.is_empty());
    rest.split(" ; ")
        .map(str::trim)
        .find(|f| f.starts_with("COMMAND="))?;
    Some(AuthEvent {
        app: "sudo".to_owned(),
        user: Some(user.to_owned()),
        target_user: target.map(str::to_owned),
        src_ip: None,
        src_port: None,
        outcome,
        method: Some("sudo".to_owned()),
        reason: reason.map(str::to_owned),
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
    fn command_run_as_root() {
        let e = classify_line("Nov 22 09:00:00 lg-file01 sudo:   tanaka : TTY=pts/0 ; PWD=/home/tanaka ; USER=root ; COMMAND=/usr/bin/systemctl restart httpd").unwrap();
        assert_eq!(e.outcome, Outcome::Success);
        assert_eq!(e.user.as_deref(), Some("tanaka"));
        assert_eq!(e.target_user.as_deref(), Some("root"));
        assert_eq!(e.reason, None);
    }

    #[test]
    fn failures() {
        let e = classify_line("Nov 22 09:00:00 h sudo[991]:   tanaka : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/tanaka ; USER=root ; COMMAND=/bin/bash").unwrap();
        assert_eq!(
            (e.outcome, e.reason.as_deref()),
            (Outcome::Failure, Some("bad_credentials"))
        );
        let e = classify_line("Nov 22 09:00:00 h sudo: intruder : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/cat /etc/shadow").unwrap();
        assert_eq!(
            (e.outcome, e.reason.as_deref()),
            (Outcome::Failure, Some("not_in_sudoers"))
        );
        assert_eq!(e.user.as_deref(), Some("intruder"));
    }

    #[test]
    fn pam_and_session_lines_are_not_claimed() {
        for line in [
            "Nov 22 09:00:00 h sudo: pam_unix(sudo:auth): authentication failure; logname=tanaka uid=1001 euid=0 tty=/dev/pts/0 ruser=tanaka rhost=  user=tanaka",
            "Nov 22 09:00:00 h sudo: pam_unix(sudo:session): session opened for user root(uid=0) by tanaka(uid=1001)",
            "Nov 22 09:00:00 h sudo: tanaka : something else entirely",
            "Nov 22 09:00:00 h sshd[1]: tanaka : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls",
        ] {
            assert_eq!(classify_line(line), None, "{line}");
        }
    }
}
