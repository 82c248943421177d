//! OpenSSH server messages that are authentication events.
//!
//! Claimed (→ `auth`): `Accepted METHOD for USER from IP port N …`,
//! `Failed METHOD for [invalid user ]USER from IP port N …`,
//! `Invalid user USER from IP [port N]`, and the disconnects that name who
//! was authenticating — `Connection closed by|Disconnected from
//! [authenticating|invalid] user USER IP port N [preauth]` and
//! `Disconnecting[ authenticating user USER IP port N]: Too many
//! authentication failures[ for USER]` — with outcome `disconnected` (so a
//! failure is still counted once: by its `Failed` line). Every other sshd
//! line (session open/close, anonymous disconnects, `[preauth]` chatter,
//! PAM summaries that repeat a `Failed` line) stays in `syslog`.

use crate::{AuthEvent, Outcome, SyslogRecord};

/// Program names OpenSSH logs under (`sshd-session` since OpenSSH 9.8).
const SSHD_NAMES: [&str; 3] = ["sshd", "sshd-session", "sshd-auth"];

/// Returns the authentication event in an sshd record, if it is one.
pub fn classify(record: &SyslogRecord) -> Option<AuthEvent> {
    let app = record.app_name.as_deref()?;
    if !SSHD_NAMES.contains(&app) {
        return None;
    }
    let msg = record.message.as_str();
    if let Some(rest) = msg.strip_prefix("Accepted ") {
        return attempt(rest, Outcome::Success);
    }
    if let Some(rest) = msg.strip_prefix("Failed ") {
        return attempt(rest, Outcome::Failure);
    }
    if let Some(rest) = msg.strip_prefix("Invalid user ") {
        let (user, from) = split_from(rest)?;
        let (src_ip, src_port) = address(from);
        return Some(event(
            Some(user),
            src_ip,
            src_port,
            Outcome::Failure,
            None,
            Some("invalid_user"),
        ));
    }
    disconnect(msg)
}

/// A disconnect before authentication finished that names the user.
fn disconnect(msg: &str) -> Option<AuthEvent> {
    let msg = msg.strip_suffix(" [preauth]").unwrap_or(msg);
    if let Some(rest) = msg.strip_prefix("Disconnecting") {
        // `Disconnecting: Too many authentication failures for root` (old)
        // or `Disconnecting authenticating user root 1.2.3.4 port 5: Too
        // many authentication failures` (OpenSSH 7.4+).
        let (who, why) = rest.split_once(": ")?;
        if !why.starts_with("Too many authentication failures") {
            return None;
        }
        let (user, src_ip, src_port) = match who.trim() {
            "" => (why.rsplit_once(" for ").map(|(_, u)| u), None, None),
            who => user_at(who)?,
        };
        return Some(event(
            user,
            src_ip,
            src_port,
            Outcome::Disconnected,
            None,
            Some("too_many_failures"),
        ));
    }
    let rest = msg
        .strip_prefix("Connection closed by ")
        .or_else(|| msg.strip_prefix("Disconnected from "))?;
    let (user, src_ip, src_port) = user_at(rest)?;
    let reason = if rest.starts_with("invalid user ") {
        "invalid_user"
    } else {
        "closed_during_auth"
    };
    Some(event(
        user,
        src_ip,
        src_port,
        Outcome::Disconnected,
        None,
        Some(reason),
    ))
}

/// `authenticating user USER IP port N` / `invalid user USER IP port N`.
fn user_at(s: &str) -> Option<(Option<&str>, Option<&str>, Option<u16>)> {
    let rest = s
        .strip_prefix("authenticating user ")
        .or_else(|| s.strip_prefix("invalid user "))?;
    // The user name may hold spaces: the address is the third word from
    // the end (`IP port N`).
    let mut words = rest.rsplitn(4, ' ');
    let port = words.next()?.parse().ok();
    if words.next()? != "port" {
        return None;
    }
    let ip = words.next()?;
    let user = words.next().unwrap_or("");
    let (ip, _) = address(ip);
    Some((Some(user).filter(|u| !u.is_empty()), ip, port))
}

/// `METHOD for [invalid user ]USER from IP port N[ ssh2][: extra]`.
fn attempt(rest: &str, outcome: Outcome) -> Option<AuthEvent> {
    let (method, rest) = rest.split_once(" for ")?;
    if method.is_empty() || method.contains(' ') {
        return None;
    }
    let (user, from) = split_from(rest)?;
    let (user, reason) = match user.strip_prefix("invalid user ") {
        Some(user) => (user, Some("invalid_user")),
        None if outcome == Outcome::Failure => (user, Some("bad_credentials")),
        None => (user, None),
    };
    let (src_ip, src_port) = address(from);
    Some(event(
        Some(user),
        src_ip,
        src_port,
        outcome,
        Some(method),
        reason,
    ))
}

/// Splits `USER from REST` at the last ` from `, so odd user names that
/// contain spaces or the word "from" stay whole.
fn split_from(s: &str) -> Option<(&str, &str)> {
    s.rsplit_once(" from ")
        .or_else(|| s.strip_prefix("from ").map(|rest| ("", rest)))
}

/// `IP[ port N][ …]` → the address and port when they look right.
fn address(from: &str) -> (Option<&str>, Option<u16>) {
    let mut words = from.split(' ');
    let ip = words.next().filter(|ip| {
        !ip.is_empty()
            && ip
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '.' || c == ':')
    });
    let port = match (words.next(), words.next()) {
        (Some("port"), Some(port)) => port.parse().ok(),
        _ => None,
    };
    (ip, port)
}

fn event(
    user: Option<&str>,
    src_ip: Option<&str>,
    src_port: Option<u16>,
    outcome: Outcome,
    method: Option<&str>,
    reason: Option<&str>,
) -> AuthEvent {
    AuthEvent {
        app: "sshd".to_owned(),
        user: user.map(str::to_owned),
        target_user: None,
        src_ip: src_ip.map(str::to_owned),
        src_port,
        outcome,
        method: method.map(str::to_owned),
        reason: reason.map(str::to_owned),
        elevated: false,
        group: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::record;

    fn classify_line(line: &str) -> Option<AuthEvent> {
        classify(&record(line))
    }

    type Summary<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<u16>,
        Option<&'a str>,
        Option<&'a str>,
    );

    fn summary(e: &AuthEvent) -> Summary<'_> {
        (
            e.outcome.as_str(),
            e.user.as_deref(),
            e.src_ip.as_deref(),
            e.src_port,
            e.method.as_deref(),
            e.reason.as_deref(),
        )
    }

    #[test]
    fn disconnects_that_name_the_user() {
        for (line, expected) in [
            (
                "Nov 23 10:00:00 lg-file01 sshd[1]: Connection closed by authenticating user root 203.0.113.9 port 51234 [preauth]",
                (
                    "disconnected",
                    Some("root"),
                    Some("203.0.113.9"),
                    Some(51234),
                    None,
                    Some("closed_during_auth"),
                ),
            ),
            (
                "Nov 23 10:00:00 lg-file01 sshd[1]: Disconnected from invalid user oracle 203.0.113.9 port 51235 [preauth]",
                (
                    "disconnected",
                    Some("oracle"),
                    Some("203.0.113.9"),
                    Some(51235),
                    None,
                    Some("invalid_user"),
                ),
            ),
            (
                "Nov 23 10:00:00 lg-file01 sshd[1]: Disconnecting authenticating user root 2001:db8::7 port 22022: Too many authentication failures [preauth]",
                (
                    "disconnected",
                    Some("root"),
                    Some("2001:db8::7"),
                    Some(22022),
                    None,
                    Some("too_many_failures"),
                ),
            ),
            (
                "Dec 10 09:32:20 LabSZ sshd[24680]: Disconnecting: Too many authentication failures for admin [preauth]",
                (
                    "disconnected",
                    Some("admin"),
                    None,
                    None,
                    None,
                    Some("too_many_failures"),
                ),
            ),
        ] {
            let e = classify_line(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(summary(&e), expected, "{line}");
        }
        for line in [
            "Dec 10 06:55:46 LabSZ sshd[24200]: Received disconnect from 173.234.31.186: 11: Bye Bye [preauth]",
            "Nov 23 10:00:00 h sshd[1]: Connection closed by 203.0.113.9 port 51234 [preauth]",
            "Nov 23 10:00:00 h sshd[1]: Disconnected from user tanaka 10.20.1.15 port 50022",
            "Nov 23 10:00:00 h sshd[1]: Disconnecting: Change of username or service not allowed",
        ] {
            assert!(classify_line(line).is_none(), "{line}");
        }
    }

    #[test]
    fn accepted_logins() {
        let e = classify_line("Nov 22 09:01:02 lg-file01 sshd[1]: Accepted publickey for tanaka from 10.20.1.15 port 51234 ssh2: RSA SHA256:abc").unwrap();
        assert_eq!(
            summary(&e),
            (
                "success",
                Some("tanaka"),
                Some("10.20.1.15"),
                Some(51234),
                Some("publickey"),
                None
            )
        );
        let e = classify_line("Nov 22 09:01:02 h sshd-session[1]: Accepted keyboard-interactive/pam for sato from 2001:db8::5 port 22 ssh2").unwrap();
        assert_eq!(
            summary(&e),
            (
                "success",
                Some("sato"),
                Some("2001:db8::5"),
                Some(22),
                Some("keyboard-interactive/pam"),
                None
            )
        );
    }

    #[test]
    fn failed_logins() {
        let e = classify_line("<38>Nov 22 02:10:00 lg-file01 sshd[9]: Failed password for root from 10.30.5.77 port 40022 ssh2").unwrap();
        assert_eq!(
            summary(&e),
            (
                "failure",
                Some("root"),
                Some("10.30.5.77"),
                Some(40022),
                Some("password"),
                Some("bad_credentials")
            )
        );
        let e = classify_line("Dec 10 07:02:47 LabSZ sshd[24203]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2").unwrap();
        assert_eq!(
            summary(&e),
            (
                "failure",
                Some("webmaster"),
                Some("173.234.31.186"),
                Some(38926),
                Some("password"),
                Some("invalid_user")
            )
        );
        let e = classify_line(
            "Dec 10 07:02:47 h sshd[1]: Failed none for invalid user  from 1.2.3.4 port 5 ssh2",
        )
        .unwrap();
        assert_eq!(e.user.as_deref(), Some(""));
    }

    #[test]
    fn invalid_user() {
        let e = classify_line(
            "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
        )
        .unwrap();
        assert_eq!(
            summary(&e),
            (
                "failure",
                Some("webmaster"),
                Some("173.234.31.186"),
                None,
                None,
                Some("invalid_user")
            )
        );
        let e =
            classify_line("Dec 10 06:55:46 h sshd[2]: Invalid user admin from 5.6.7.8 port 4444")
                .unwrap();
        assert_eq!(e.src_port, Some(4444));
    }

    #[test]
    fn other_sshd_and_other_programs_are_not_claimed() {
        for line in [
            "Dec 10 06:55:46 LabSZ sshd[24200]: input_userauth_request: invalid user webmaster [preauth]",
            "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186",
            "Dec 10 06:55:46 LabSZ sshd[24200]: Received disconnect from 173.234.31.186: 11: Bye Bye [preauth]",
            "Dec 10 06:55:46 LabSZ sshd[24200]: message repeated 5 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]",
            "Dec 10 06:55:46 LabSZ sshd[24200]: Failed",
            "Dec 10 06:55:46 LabSZ su[1]: Failed password for root from 1.2.3.4 port 22 ssh2",
            "Dec 10 06:55:46 LabSZ sshd[24200]: Accepted password for",
        ] {
            assert_eq!(classify_line(line), None, "{line}");
        }
    }
}
