//! Interactive SSH by staff and operations: office-hours sessions, a few
//! evening logins, the odd mistyped password and sudo.

use rand::Rng;
use rand::rngs::SmallRng;
use rand::seq::{IndexedRandom, SliceRandom};

use super::clock::{BUSINESS_END, BUSINESS_START, MIN, Ms, SEC, hm};
use super::dice::{between, pick, pid, port};
use super::feed::Feeds;
use super::probes;
use super::systemd;
use super::town::{Account, Host, Method, OPS, STAFF};

/// How many sessions of a forgetful account start with a wrong password.
const FORGETFUL_FAILURES: usize = 5;
/// Chance that any other password login starts with a typo.
const TYPO_CHANCE: f64 = 0.08;
/// How many staff logins happen after hours.
const EVENING_SESSIONS: usize = 3;

const RESTART: &str = "/usr/bin/systemctl restart ";

struct Login<'a> {
    host: &'a Host,
    account: &'a Account,
    start: Ms,
    length: Ms,
    typo: bool,
    sudo: bool,
}

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    for account in STAFF.iter().chain([&OPS]) {
        office_day(rng, feeds, account);
    }
    for _ in 0..EVENING_SESSIONS {
        let account = pick(rng, &STAFF);
        let host = pick(rng, account.hosts);
        let login = Login {
            host,
            account,
            start: between(rng, hm(18, 30), hm(21, 30)),
            length: rng.random_range(5 * MIN..30 * MIN),
            typo: false,
            sudo: false,
        };
        session(rng, feeds, &login);
    }
    probes::generate(rng, feeds);
}

/// The account's office-hours sessions, one per equal slot of the day so they
/// never overlap and typos stay well over ten minutes apart.
fn office_day(rng: &mut SmallRng, feeds: &mut Feeds, account: &Account) {
    let slots = account.sessions.max(1);
    let slot = (BUSINESS_END - BUSINESS_START) / slots;
    let mut typo_slots: Vec<u32> = (0..slots).collect();
    typo_slots.shuffle(rng);
    typo_slots.truncate(FORGETFUL_FAILURES);
    for index in 0..slots {
        let typo = match account.method {
            Method::PublicKey => false,
            Method::Password if account.forgetful => typo_slots.contains(&index),
            Method::Password => rng.random_bool(TYPO_CHANCE),
        };
        let sudo = account.sudoer && (account.name == OPS.name || rng.random_bool(0.35));
        let host = pick(rng, account.hosts);
        let login = Login {
            host,
            account,
            start: BUSINESS_START + index * slot + rng.random_range(0..slot * 2 / 5),
            length: rng.random_range(2 * MIN..slot * 2 / 5),
            typo,
            sudo,
        };
        session(rng, feeds, &login);
    }
}

fn session(rng: &mut SmallRng, feeds: &mut Feeds, login: &Login<'_>) {
    let Login { host, account, .. } = *login;
    let tag = format!("sshd[{}]", pid(rng));
    let port = port(rng);
    let from = host.zone.terminal(account.terminal);
    let user = account.name;
    let mut at = login.start;
    if login.typo {
        let text = format!("Failed password for {user} from {from} port {port} ssh2");
        feeds.auth(at, host, &tag, &text);
        at += rng.random_range(3 * SEC..12 * SEC);
    }
    let method = account.method.label();
    let accepted = format!("Accepted {method} for {user} from {from} port {port} ssh2");
    feeds.auth(at, host, &tag, &accepted);
    let uid = account.uid;
    let opened =
        format!("pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)");
    feeds.auth(at + 4, host, &tag, &opened);
    let end = at + login.length;
    if login.sudo {
        let when = between(rng, at + 20 * SEC, end - 20 * SEC);
        sudo(rng, feeds, login, when);
    }
    let received = format!("Received disconnect from {from} port {port}:11: disconnected by user");
    feeds.auth(end, host, &tag, &received);
    let disconnected = format!("Disconnected from user {user} {from} port {port}");
    feeds.auth(end + 2, host, &tag, &disconnected);
    let closed = format!("pam_unix(sshd:session): session closed for user {user}");
    feeds.auth(end + 6, host, &tag, &closed);
}

/// `user` runs `command` as root with sudo at `at`: the sudo line and the
/// session it opens.
pub(super) fn sudo_to_root(
    rng: &mut SmallRng,
    feeds: &mut Feeds,
    host: &Host,
    user: &str,
    uid: u32,
    command: &str,
    at: Ms,
) {
    let tty = rng.random_range(0..4);
    let text =
        format!("  {user} : TTY=pts/{tty} ; PWD=/home/{user} ; USER=root ; COMMAND={command}");
    feeds.auth(at, host, "sudo", &text);
    let opened =
        format!("pam_unix(sudo:session): session opened for user root(uid=0) by {user}(uid={uid})");
    feeds.auth(at + 3, host, "sudo", &opened);
}

fn sudo(rng: &mut SmallRng, feeds: &mut Feeds, login: &Login<'_>, at: Ms) {
    let Login { host, account, .. } = *login;
    let Some(command) = host.admin_commands.choose(rng) else {
        return;
    };
    sudo_to_root(rng, feeds, host, account.name, account.uid, command, at);
    if let Some(unit) = command.strip_prefix(RESTART) {
        systemd::restart(rng, feeds, host, at + 10, unit);
    }
    let done = at + rng.random_range(SEC..8 * SEC);
    feeds.auth(
        done,
        host,
        "sudo",
        "pam_unix(sudo:session): session closed for user root",
    );
}
