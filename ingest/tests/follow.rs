//! `--follow` as a library: a file that grows, is rotated by rename with a
//! half-written last line, and a restart that resumes from the checkpoint.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bannin_ingest::follow::{FollowOptions, follow};
use bannin_ingest::manifest::entries;
use bannin_ingest::{Format, ImportOptions, Importer, Lake};

fn line(i: usize) -> String {
    format!(
        "Nov 22 10:00:{:02} lg-file01 sshd[{i}]: Accepted password for user{i} from 10.20.1.15 port {} ssh2\n",
        i % 60,
        40000 + i
    )
}

fn lines(range: std::ops::Range<usize>) -> String {
    range.map(line).collect()
}

fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

fn rows_in_lake(lake: &Lake) -> u64 {
    entries(lake.root()).unwrap().iter().map(|e| e.rows).sum()
}

/// Follows `path` while `script` runs on another thread, then stops.
fn follow_while(lake: &Lake, path: &Path, script: impl FnOnce() + Send) -> u64 {
    let stop = AtomicBool::new(false);
    let options = FollowOptions {
        poll: Duration::from_millis(20),
        flush: Duration::from_secs(1),
    };
    let mut importer = Importer::new(lake, ImportOptions::new(Format::Syslog, "t")).unwrap();
    let per_file = std::thread::scope(|scope| {
        scope.spawn(|| {
            script();
            stop.store(true, Ordering::Relaxed);
        });
        follow(&mut importer, &[path.to_path_buf()], options, &stop).unwrap()
    });
    importer.finish().unwrap();
    per_file.values().map(|s| s.lines).sum()
}

#[test]
fn a_rotated_file_is_drained_and_a_restart_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let path = dir.path().join("secure");
    std::fs::write(&path, lines(0..10)).unwrap();
    let pause = || std::thread::sleep(Duration::from_millis(500));

    let read = follow_while(&lake, &path, || {
        pause();
        // Five lines and half of a sixth.
        let next = lines(10..16);
        append(&path, &next[..next.len() - 30]);
        pause();
        // Rotated before the line was finished: the half line is kept as
        // it is, once, from the old file.
        std::fs::rename(&path, dir.path().join("secure.1")).unwrap();
        std::fs::write(&path, lines(16..19)).unwrap();
        pause();
    });
    assert_eq!(read, 19);
    assert_eq!(rows_in_lake(&lake), 19);

    // Stopped, appended to, followed again: only the new lines.
    append(&path, &lines(19..23));
    let read = follow_while(&lake, &path, pause);
    assert_eq!(read, 4);
    assert_eq!(rows_in_lake(&lake), 23);
}
