use chrono::{NaiveDate, NaiveTime, TimeDelta};

use super::*;

mod cases;
mod edge;

fn opts(seed: u64) -> DayOptions {
    DayOptions {
        date: NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date"),
        seed,
    }
}

fn day(seed: u64) -> GeneratedDay {
    municipality_day(&opts(seed))
}

/// `hh:mm:ss` of an auth.log line (`Nov 22 09:01:02 host ...`).
fn auth_time(line: &str) -> NaiveTime {
    NaiveTime::parse_from_str(&line[7..15], "%H:%M:%S").expect("auth.log time")
}

/// `hh:mm:ss` of either syslog framing.
fn syslog_time(line: &str) -> NaiveTime {
    let body = &line[line.find('>').expect("PRI") + 1..];
    let clock = match body.strip_prefix("1 ") {
        Some(rfc5424) => {
            assert!(rfc5424.starts_with("2026-11-22T"), "{line}");
            assert_eq!(&rfc5424[23..29], "+09:00", "{line}");
            &rfc5424[11..19]
        }
        None => {
            assert!(body.starts_with("Nov 22 "), "{line}");
            &body[7..15]
        }
    };
    NaiveTime::parse_from_str(clock, "%H:%M:%S").expect("syslog time")
}

/// Times of root failures (`Failed password` or a preauth close) not from `skip_src`.
fn root_failures(lines: &[String], skip_src: &str) -> Vec<NaiveTime> {
    lines
        .iter()
        .filter(|l| !l.contains(skip_src))
        .filter(|l| {
            l.contains("Failed password for root ")
                || l.contains("Connection closed by authenticating user root ")
        })
        .map(|l| auth_time(l))
        .collect()
}

fn max_in_ten_minutes(times: &[NaiveTime]) -> usize {
    let window = TimeDelta::minutes(10);
    times
        .iter()
        .map(|start| {
            times
                .iter()
                .filter(|t| **t >= *start && **t - *start < window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn same_seed_is_byte_identical() {
    assert_eq!(day(7), day(7));
}

#[test]
fn different_seed_differs() {
    let (a, b) = (day(7), day(8));
    assert_ne!(a.syslog_lines, b.syslog_lines);
    assert_ne!(a.auth_log_lines, b.auth_log_lines);
}

#[test]
fn syslog_lines_carry_a_pri_and_auth_lines_do_not() {
    let day = day(1);
    for line in &day.syslog_lines {
        assert!(line.starts_with('<'), "{line}");
        let pri: u8 = line[1..line.find('>').expect("PRI")]
            .parse()
            .expect("numeric PRI");
        assert!(pri < 192, "{line}");
    }
    assert!(day.auth_log_lines.iter().all(|l| !l.starts_with('<')));
}

#[test]
fn both_syslog_framings_and_japanese_text_appear() {
    let day = day(2);
    let rfc5424 = day
        .syslog_lines
        .iter()
        .filter(|l| l.contains(">1 2026-"))
        .count();
    assert!(rfc5424 > 100 && rfc5424 < day.syslog_lines.len() - 100);
    assert!(
        day.syslog_lines
            .iter()
            .any(|l| l.contains(r#"[meta@32473 zone="lgwan"]"#))
    );
    assert!(
        day.syslog_lines
            .iter()
            .any(|l| l.contains("バックアップが完了しました"))
    );
    assert!(day.syslog_lines.iter().any(|l| l.contains("postfix/qmgr[")));
}

#[test]
fn line_counts_are_in_range() {
    for seed in 0..5 {
        let day = day(seed);
        let total = day.syslog_lines.len() + day.auth_log_lines.len();
        assert!((5_000..=15_000).contains(&total), "seed {seed}: {total}");
        assert!(day.auth_log_lines.len() > 500, "seed {seed}");
    }
}

#[test]
fn lines_are_in_time_order() {
    let day = day(3);
    let auth: Vec<_> = day.auth_log_lines.iter().map(|l| auth_time(l)).collect();
    assert!(auth.windows(2).all(|w| w[0] <= w[1]));
    let syslog: Vec<_> = day.syslog_lines.iter().map(|l| syslog_time(l)).collect();
    assert!(syslog.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn the_attack_is_twelve_root_failures_within_ten_minutes() {
    for seed in 0..20 {
        let day = day(seed);
        let bf = &day.brute_force;
        assert_eq!((bf.host.as_str(), bf.user.as_str()), ("lg-file01", "root"));
        let failed: Vec<_> = day
            .auth_log_lines
            .iter()
            .filter(|l| l.contains(&format!("Failed password for root from {} ", bf.src_ip)))
            .collect();
        assert_eq!(failed.len(), 12);
        assert_eq!(bf.failures, 12);
        assert!(failed.iter().all(|l| l.contains(" lg-file01 sshd[")));
        let (first, last) = (auth_time(failed[0]), auth_time(failed[11]));
        assert!(first >= NaiveTime::from_hms_opt(2, 10, 0).expect("time"));
        assert!(last < NaiveTime::from_hms_opt(2, 20, 0).expect("time"));
        assert!(last - first < TimeDelta::minutes(10));
        assert!(bf.end - bf.start < TimeDelta::minutes(10));
        assert_eq!(
            bf.start.format("%H:%M:%S").to_string(),
            (first - TimeDelta::hours(9)).to_string()
        );
        assert_eq!(bf.start.date_naive(), opts(seed).date - TimeDelta::days(1));
    }
}

#[test]
fn other_root_failures_never_exceed_two_in_ten_minutes() {
    for seed in 0..20 {
        let day = day(seed);
        let others = root_failures(&day.auth_log_lines, &day.brute_force.src_ip);
        assert!(!others.is_empty());
        assert!(max_in_ten_minutes(&others) <= 2, "seed {seed}");
    }
}

#[test]
fn the_forgetful_user_fails_five_times_far_apart() {
    for seed in 0..20 {
        let day = day(seed);
        let times: Vec<_> = day
            .auth_log_lines
            .iter()
            .filter(|l| l.contains("Failed password for sato "))
            .map(|l| auth_time(l))
            .collect();
        assert_eq!(times.len(), 5, "seed {seed}");
        assert!(
            times
                .windows(2)
                .all(|w| w[1] - w[0] > TimeDelta::minutes(10))
        );
    }
}

#[test]
fn ordinary_activity_is_present() {
    let day = day(4);
    let has = |needle: &str| day.auth_log_lines.iter().any(|l| l.contains(needle));
    assert!(has("sshd["));
    assert!(has("Accepted publickey for opsadmin from "));
    assert!(has("Accepted password for tanaka from "));
    assert!(has(
        "pam_unix(sshd:session): session opened for user tanaka(uid=1001) by (uid=0)"
    ));
    assert!(has("Received disconnect from "));
    assert!(has("Invalid user test from "));
    assert!(has("Failed password for invalid user test from "));
    assert!(has("sudo:   opsadmin : TTY=pts/"));
    assert!(has("CRON["));
}

/// FNV-1a over the lines, each followed by a newline.
fn fingerprint(lines: &[String]) -> u64 {
    lines
        .iter()
        .flat_map(|line| line.bytes().chain([b'\n']))
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Syslog was recorded before the proxy and firewall feeds were added, auth
/// when the privileged-ID cases joined it (31 lines from their own random
/// stream): new feeds draw from their own streams and must not disturb the
/// older ones.
#[test]
fn syslog_and_auth_output_is_unchanged_for_seed_42() {
    let day = day(42);
    assert_eq!(day.syslog_lines.len(), 8_371);
    assert_eq!(day.auth_log_lines.len(), 1_249);
    assert_eq!(fingerprint(&day.syslog_lines), 0x05a6_db08_6ac1_2f9f);
    assert_eq!(fingerprint(&day.auth_log_lines), 0x0950_1e70_5a7f_f733);
}
