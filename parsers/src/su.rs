//! su's switch-user lines, in the shapes Debian (`(to root) tanaka on
//! pts/0`, `FAILED SU (to root) tanaka on pts/0`) and older RHEL
//! (`Successful su for root by tanaka`, `FAILED su for root by tanaka`)
//! write. PAM lines (`pam_unix(su:auth): …`, sessions) stay in `syslog`.

use crate::{AuthEvent, Outcome, SyslogRecord};

/// Returns the authentication event in an su record, if it is one.
pub fn classify(record: &SyslogRecord) -> Option<AuthEvent> {
    if !matches!(record.app_name.as_deref(), Some("su" | "su-l")) {
        return None;
    }
    let msg = record.message.trim();
    let (outcome, target, user) = if let Some(rest) = msg.strip_prefix("FAILED SU (to ") {
        let (target, user) = to_on(rest)?;
        (Outcome::Failure, target, user)
    } else if let Some(rest) = msg.strip_prefix("(to ") {
        let (target, user) = to_on(rest)?;
        (Outcome::Success, target, user)
    } else if let Some(rest) = msg.strip_prefix("Successful su for ") {
        let (target, user) = rest.split_once(" by ")?;
        (Outcome::Success, target, user)
    } else if let Some(rest) = msg.strip_prefix("FAILED su for ") {
        let (target, user) = rest.split_once(" by ")?;
        (Outcome::Failure, target, user)
    } else {
        return None;
    };
    Some(AuthEvent {
        app: "su".to_owned(),
        user: Some(word(user)?.to_owned()),
        target_user: Some(word(target)?.to_owned()),
        src_ip: None,
        src_port: None,
        outcome,
        method: Some("su".to_owned()),
        reason: (outcome == Outcome::Failure).then(|| "bad_credentials".to_owned()),
        elevated: false,
        group: None,
    })
}

/// A user name: one non-empty word.
fn word(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty() && !s.contains(' '))
}

/// `TARGET) USER on TTY` → (target, user).
fn to_on(rest: &str) -> Option<(&str, &str)> {
    let (target, rest) = rest.split_once(") ")?;
    let user = rest.split_once(" on ").map_or(rest, |(user, _)| user);
    Some((target, user))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::record;

    fn classify_line(line: &str) -> Option<AuthEvent> {
        classify(&record(line))
    }

    fn who(e: &AuthEvent) -> (Outcome, Option<&str>, Option<&str>) {
        (e.outcome, e.user.as_deref(), e.target_user.as_deref())
    }

    #[test]
    fn debian_shapes() {
        let e =
            classify_line("Nov 22 09:00:00 lg-file01 su[2001]: (to root) tanaka on pts/0").unwrap();
        assert_eq!(who(&e), (Outcome::Success, Some("tanaka"), Some("root")));
        let e = classify_line(
            "Nov 22 09:00:00 lg-file01 su[2002]: FAILED SU (to root) tanaka on pts/0",
        )
        .unwrap();
        assert_eq!(who(&e), (Outcome::Failure, Some("tanaka"), Some("root")));
    }

    #[test]
    fn rhel_shapes() {
        let e =
            classify_line("Nov 22 09:00:00 mn-db01 su: Successful su for oracle by sato").unwrap();
        assert_eq!(who(&e), (Outcome::Success, Some("sato"), Some("oracle")));
        let e = classify_line("Nov 22 09:00:00 mn-db01 su: FAILED su for root by sato").unwrap();
        assert_eq!(who(&e), (Outcome::Failure, Some("sato"), Some("root")));
    }

    #[test]
    fn pam_lines_are_not_claimed() {
        for line in [
            "Nov 22 09:00:00 h su[1]: pam_unix(su:auth): authentication failure; logname=tanaka uid=1001 euid=0 tty=pts/0 ruser=tanaka rhost=  user=root",
            "Nov 22 09:00:00 h su[1]: pam_unix(su:session): session opened for user root(uid=0) by tanaka(uid=1001)",
            "Nov 22 09:00:00 h su[1]: (to root) on pts/0",
            "Nov 22 09:00:00 h sudo[1]: (to root) tanaka on pts/0",
        ] {
            assert_eq!(classify_line(line), None, "{line}");
        }
    }
}
