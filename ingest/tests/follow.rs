//! `--follow` as a library: a file that grows, is rotated by rename with a
//! half-written last line, and a restart that resumes from the checkpoint.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bannin_ingest::follow::{FollowOptions, follow};
use bannin_ingest::manifest::entries;
use bannin_ingest::{Format, ImportOptions, ImportStats, Importer, Lake};

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

/// Follows `paths` while `script` runs on another thread, then stops;
/// returns the lines read per path.
fn follow_while(
    lake: &Lake,
    paths: &[PathBuf],
    script: impl FnOnce() + Send,
) -> BTreeMap<PathBuf, ImportStats> {
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
        follow(&mut importer, paths, options, &stop).unwrap()
    });
    importer.finish().unwrap();
    per_file
}

/// Lines read from `path` while `script` runs.
fn lines_read_while(lake: &Lake, path: &Path, script: impl FnOnce() + Send) -> u64 {
    let per_file = follow_while(lake, &[path.to_path_buf()], script);
    per_file.values().map(|s| s.lines).sum()
}

#[test]
fn a_rotated_file_is_drained_and_a_restart_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let path = dir.path().join("secure");
    std::fs::write(&path, lines(0..10)).unwrap();
    let pause = || std::thread::sleep(Duration::from_millis(500));

    let read = lines_read_while(&lake, &path, || {
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
    let read = lines_read_while(&lake, &path, pause);
    assert_eq!(read, 4);
    assert_eq!(rows_in_lake(&lake), 23);
}

#[test]
fn compressed_files_among_the_followed_are_imported_once() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let rotated = dir.path().join("secure.1.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(lines(0..7).as_bytes()).unwrap();
    std::fs::write(&rotated, gz.finish().unwrap()).unwrap();
    let live = dir.path().join("secure");
    std::fs::write(&live, lines(7..10)).unwrap();
    let paths = [rotated.clone(), live.clone()];
    let per_file = follow_while(&lake, &paths, || {
        std::thread::sleep(Duration::from_millis(500));
    });
    assert_eq!(per_file[&rotated].lines, 7);
    assert_eq!(per_file[&live].lines, 3);
    assert_eq!(rows_in_lake(&lake), 10);
}
