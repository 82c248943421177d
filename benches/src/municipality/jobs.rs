//! Business batch jobs that log in Japanese: nightly backup, resident-registry
//! batch, groupware disk warning.

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{MIN, SEC, hm};
use super::cron;
use super::dice::{between, pid};
use super::feed::{Facility, Feeds, Severity, Syslog};
use super::town::{LG_FILE01, LG_WEB01, MN_APP01};

pub(super) fn generate(rng: &mut SmallRng, feeds: &mut Feeds) {
    backup(rng, feeds);
    resident_batch(rng, feeds);
    if rng.random_bool(0.7) {
        let used = rng.random_range(81..95);
        let text = format!("ディスク使用率が80%を超えました (/var/lib/groupware: {used}%)");
        let msg = Syslog::new(Facility::Local0, Severity::Warning, "groupware", &text)
            .pid(pid(rng))
            .msgid("DISK");
        feeds.syslog(between(rng, hm(10, 0), hm(16, 0)), LG_WEB01, msg);
    }
}

/// lg-file01's share backup, 01:00 until well before 02:00.
fn backup(rng: &mut SmallRng, feeds: &mut Feeds) {
    let start = hm(1, 0);
    cron::run(
        rng,
        feeds,
        LG_FILE01,
        start,
        "/usr/local/sbin/nightly-backup.sh",
    );
    let pid = pid(rng);
    let minutes = rng.random_range(25..50);
    let gigabytes = f64::from(rng.random_range(120..260)) / 10.0;
    let begun = "バックアップを開始しました (対象: /srv/share)".to_owned();
    let done = format!(
        "バックアップが完了しました (対象: /srv/share, 転送量: {gigabytes:.1} GB, 所要時間: {minutes}分)"
    );
    for (at, text) in [
        (start + 3 * SEC, begun),
        (start + minutes * MIN + rng.random_range(0..MIN), done),
    ] {
        let msg = Syslog::new(Facility::Local0, Severity::Info, "backup.sh", &text).pid(pid);
        feeds.syslog(at, LG_FILE01, msg);
    }
}

/// mn-app01's evening 住民記録 batch.
fn resident_batch(rng: &mut SmallRng, feeds: &mut Feeds) {
    let pid = pid(rng);
    let start = hm(19, 0) + rng.random_range(0..SEC);
    let records = rng.random_range(800..2_400);
    let done = start + rng.random_range(12..40) * MIN;
    for (at, text) in [
        (
            start,
            "住民記録システム 日次バッチ処理を開始しました".to_owned(),
        ),
        (
            done,
            format!("日次バッチ処理が正常に終了しました (処理件数: {records}件)"),
        ),
    ] {
        let msg = Syslog::new(Facility::Local0, Severity::Notice, "juki-batch", &text).pid(pid);
        feeds.syslog(at, MN_APP01, msg);
    }
}
