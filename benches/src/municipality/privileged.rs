//! Privileged-ID (特権ID) work in auth.log beyond the daily routine: the
//! shared server-administration ID `svadmin`, used properly in the morning
//! from one administrators' terminal, and three injected misuses.
//!
//! - 02:31 `opsadmin` logs in to lg-ad01 from its usual terminal: a
//!   registered ID from an allowed host, but at night (priv.off_hours).
//! - 14:12 `yamamoto`, an ordinary account in no register, uses sudo on
//!   lg-web01 to edit the web server's configuration (priv.unregistered).
//! - 15:02 / 15:05 `svadmin` logs in from both administrators' terminals to
//!   two servers within five minutes (priv.shared_concurrent).

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{MIN, Ms, SEC, hm};
use super::dice::{pid, port};
use super::feed::Feeds;
use super::town::{
    ADMIN_TERMINALS, Host, LG_AD01, LG_FILE01, LG_WEB01, OPS, SHARED_ADMIN, STAFF, Zone,
};
use super::truth::Truth;

pub(super) const OFF_HOURS_AT: Ms = hm(2, 31);
pub(super) const UNREGISTERED_AT: Ms = hm(14, 12);
pub(super) const SHARED_AT: Ms = hm(15, 2);
/// Minutes between the shared ID's two logins.
pub(super) const SHARED_GAP: Ms = 3 * MIN;
pub(super) const ROUTINE_AT: Ms = hm(10, 30);
const SHARED_UID: u32 = 1200;

/// One SSH session: login, optional sudo, logout.
struct Session<'a> {
    host: &'a Host,
    user: &'a str,
    uid: u32,
    from: &'a str,
    method: &'a str,
    start: Ms,
    length: Ms,
    sudo: Option<&'a str>,
}

fn session(rng: &mut SmallRng, feeds: &mut Feeds, s: &Session<'_>) {
    let tag = format!("sshd[{}]", pid(rng));
    let port = port(rng);
    let (host, user, from) = (s.host, s.user, s.from);
    let text = format!(
        "Accepted {} for {user} from {from} port {port} ssh2",
        s.method
    );
    feeds.auth(s.start, host, &tag, &text);
    let opened = format!(
        "pam_unix(sshd:session): session opened for user {user}(uid={}) by (uid=0)",
        s.uid
    );
    feeds.auth(s.start + 4, host, &tag, &opened);
    if let Some(command) = s.sudo {
        let at = s.start + s.length / 2;
        super::sshd::sudo_to_root(rng, feeds, host, user, s.uid, command, at);
        feeds.auth(
            at + 40 * SEC,
            host,
            "sudo",
            "pam_unix(sudo:session): session closed for user root",
        );
    }
    let end = s.start + s.length;
    feeds.auth(
        end,
        host,
        &tag,
        &format!("Received disconnect from {from} port {port}:11: disconnected by user"),
    );
    feeds.auth(
        end + 2,
        host,
        &tag,
        &format!("Disconnected from user {user} {from} port {port}"),
    );
    feeds.auth(
        end + 6,
        host,
        &tag,
        &format!("pam_unix(sshd:session): session closed for user {user}"),
    );
}

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds, truth: &mut Truth) {
    let [(admin01, admin01_ip), (admin02, admin02_ip)] = ADMIN_TERMINALS;

    // The routine: svadmin from lg-admin01 only, in office hours.
    let routine = Session {
        host: LG_FILE01,
        user: SHARED_ADMIN,
        uid: SHARED_UID,
        from: admin01_ip,
        method: "publickey",
        start: ROUTINE_AT + rng.random_range(0..5 * MIN),
        length: 25 * MIN,
        sudo: Some("/usr/bin/systemctl status smb"),
    };
    session(rng, feeds, &routine);
    truth.look_alike(
        "priv.shared_concurrent",
        &format!(
            "{} の日中の保守: 多くのサーバへ入るが一度に1台ずつ",
            OPS.name
        ),
        &[("user", OPS.name)],
    );
    truth.look_alike(
        "priv.off_hours",
        &format!("{SHARED_ADMIN} の定例作業: 10時台に許可端末 {admin01} から"),
        &[("user", SHARED_ADMIN)],
    );
    truth.look_alike(
        "priv.unregistered",
        &format!("台帳登録済みの {SHARED_ADMIN} が許可端末 {admin01} から sudo"),
        &[("user", SHARED_ADMIN)],
    );

    // priv.off_hours: a registered ID, its usual terminal, 02:31.
    let ops_from = Zone::Lgwan.terminal(OPS.terminal);
    let night = Session {
        host: LG_AD01,
        user: OPS.name,
        uid: OPS.uid,
        from: &ops_from,
        method: "publickey",
        start: OFF_HOURS_AT + rng.random_range(0..30 * SEC),
        length: 18 * MIN,
        sudo: None,
    };
    session(rng, feeds, &night);
    truth.inject(
        "priv.off_hours",
        format!(
            "深夜 2:31 に特権ID {} が {} へログイン ({ops_from} から)",
            OPS.name, LG_AD01.name
        ),
        &[("user", OPS.name)],
    );

    // priv.unregistered: sudo by an account no register lists.
    let yamamoto = &STAFF[5];
    let from = Zone::Lgwan.terminal(yamamoto.terminal);
    let edit = Session {
        host: LG_WEB01,
        user: yamamoto.name,
        uid: yamamoto.uid,
        from: &from,
        method: "password",
        start: UNREGISTERED_AT,
        length: 14 * MIN,
        sudo: Some("/usr/bin/vi /etc/httpd/conf/httpd.conf"),
    };
    session(rng, feeds, &edit);
    truth.inject(
        "priv.unregistered",
        format!(
            "特権ID台帳にない {} が {} で sudo により root 権限で設定を変更",
            yamamoto.name, LG_WEB01.name
        ),
        &[("user", yamamoto.name)],
    );

    // priv.shared_concurrent: one ID from two terminals within 5 minutes.
    for (index, (host, from)) in [(LG_FILE01, admin01_ip), (LG_WEB01, admin02_ip)]
        .into_iter()
        .enumerate()
    {
        let concurrent = Session {
            host,
            user: SHARED_ADMIN,
            uid: SHARED_UID,
            from,
            method: "publickey",
            start: SHARED_AT + index as Ms * SHARED_GAP,
            length: 20 * MIN,
            sudo: None,
        };
        session(rng, feeds, &concurrent);
    }
    truth.inject(
        "priv.shared_concurrent",
        format!("共用特権ID {SHARED_ADMIN} が 15:02 と 15:05 に {admin01} と {admin02} の2台から同時に利用"),
        &[("user", SHARED_ADMIN)],
    );
}
