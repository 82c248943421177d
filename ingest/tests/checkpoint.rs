//! Per-file checkpoints: an import stopped between commits resumes after
//! the last committed line, every line ends up in the lake exactly once,
//! and a checkpoint only applies to the very file it was taken of.

use std::io::Write;
use std::path::{Path, PathBuf};

use bannin_ingest::manifest::{entries, verify};
use bannin_ingest::{FileImport, Format, ImportOptions, Importer, Lake};

/// `n` auth.log lines, numbered from `first`.
fn auth_lines(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| {
            format!(
                "Nov 22 09:{:02}:{:02} lg-file01 sshd[{i}]: Accepted password for user{i} from 10.20.1.15 port {} ssh2\n",
                (i / 60) % 60,
                i % 60,
                40000 + i % 20000
            )
        })
        .collect()
}

/// Rows the manifest lists.
fn rows_in_lake(lake: &Lake) -> u64 {
    entries(lake.root()).unwrap().iter().map(|e| e.rows).sum()
}

/// A temporary directory with a lake and the file `name` holding `bytes`.
fn lake_and_file(name: &str, bytes: impl AsRef<[u8]>) -> (tempfile::TempDir, Lake, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, lake, path)
}

fn options() -> ImportOptions {
    ImportOptions::new(Format::Syslog, "sakuragaoka")
}

fn import(lake: &Lake, path: &Path) -> FileImport {
    let mut importer = Importer::new(lake, options()).unwrap().commit_every(1000);
    let imported = importer.import_file(path).unwrap();
    importer.finish().unwrap();
    imported
}

/// Imports `path` committing every 1000 rows, and stops without finishing
/// (as a killed process would) after the first commit.
fn import_and_crash(lake: &Lake, path: &Path) {
    let mut importer = Importer::new(lake, options()).unwrap().commit_every(1000);
    // Reading the whole file commits every chunk that reaches 1000 rows;
    // dropping the importer loses what was still pending.
    importer.import_file(path).unwrap();
    drop(importer);
}

#[test]
fn a_crashed_import_resumes_after_the_last_commit_exactly_once() {
    let (_dir, lake, path) = lake_and_file("auth.log", auth_lines(0, 5000));

    import_and_crash(&lake, &path);
    let committed = rows_in_lake(&lake);
    assert!(
        committed > 0 && committed < 5000,
        "some but not all rows committed: {committed}"
    );
    assert_eq!(committed % 1024, 0, "commits end at chunk boundaries");

    let resumed = import(&lake, &path);
    assert!(!resumed.already_imported);
    assert!(resumed.resumed_from > 0);
    assert_eq!(resumed.stats.lines, 5000 - committed);
    assert_eq!(rows_in_lake(&lake), 5000);

    let again = import(&lake, &path);
    assert!(again.already_imported, "{again:?}");
    assert_eq!(rows_in_lake(&lake), 5000);

    // The manifest with checkpoints is a valid chain.
    let report = verify(lake.root()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let last = entries(lake.root()).unwrap().pop().unwrap();
    assert_eq!(last.inputs.len(), 1);
    assert!(last.inputs[0].complete);
    assert_eq!(
        last.inputs[0].offset,
        std::fs::metadata(&path).unwrap().len()
    );
}

#[test]
fn a_file_named_twice_in_one_run_is_read_once() {
    let (dir, lake, path) = lake_and_file("auth.log", auth_lines(0, 30));
    let mut importer = Importer::new(&lake, options()).unwrap();
    assert_eq!(importer.import_file(&path).unwrap().stats.lines, 30);
    let twice = importer
        .import_file(&dir.path().join("./auth.log"))
        .unwrap();
    assert!(twice.already_imported, "{twice:?}");
    importer.finish().unwrap();
    assert_eq!(rows_in_lake(&lake), 30);
}

#[test]
fn appended_lines_are_imported_on_the_next_run() {
    let (_dir, lake, path) = lake_and_file("auth.log", auth_lines(0, 300));
    assert_eq!(import(&lake, &path).stats.lines, 300);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all(auth_lines(300, 200).as_bytes()).unwrap();
    drop(file);
    let second = import(&lake, &path);
    assert_eq!(second.stats.lines, 200);
    assert_eq!(rows_in_lake(&lake), 500);
}

#[test]
fn a_checkpoint_follows_its_file_not_its_name() {
    let (dir, lake, path) = lake_and_file("auth.log", auth_lines(0, 100));
    import(&lake, &path);

    // Renamed (log rotation): the same file, already imported.
    let rotated = dir.path().join("auth.log.1");
    std::fs::rename(&path, &rotated).unwrap();
    assert!(import(&lake, &rotated).already_imported);

    // A new file under the old name: imported.
    std::fs::write(&path, auth_lines(100, 50)).unwrap();
    let new = import(&lake, &path);
    assert!(!new.already_imported);
    assert_eq!((new.resumed_from, new.stats.lines), (0, 50));

    // A copy (another inode) is another file.
    let copy = dir.path().join("copy.log");
    std::fs::copy(&rotated, &copy).unwrap();
    assert_eq!(import(&lake, &copy).stats.lines, 100);

    // Truncated and rewritten in place (same inode, other content, longer
    // than before): read from the start, not from the old offset.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    file.write_all(auth_lines(1000, 80).as_bytes()).unwrap();
    drop(file);
    let rewritten = import(&lake, &path);
    assert_eq!((rewritten.resumed_from, rewritten.stats.lines), (0, 80));
    assert_eq!(rows_in_lake(&lake), 100 + 50 + 100 + 80);
}

#[test]
fn again_imports_an_imported_file_from_its_start() {
    let (_dir, lake, path) = lake_and_file("auth.log", auth_lines(0, 40));
    import(&lake, &path);
    let mut importer = Importer::new(&lake, options()).unwrap().again(true);
    let again = importer.import_file(&path).unwrap();
    importer.finish().unwrap();
    assert_eq!((again.already_imported, again.stats.lines), (false, 40));
    assert_eq!(rows_in_lake(&lake), 80);
}

#[test]
fn gzip_files_are_read_and_resumed() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(auth_lines(0, 3000).as_bytes()).unwrap();
    let (_dir, lake, path) = lake_and_file("auth.log.2.gz", gz.finish().unwrap());

    import_and_crash(&lake, &path);
    let committed = rows_in_lake(&lake);
    assert!(committed > 0 && committed < 3000, "{committed}");
    let resumed = import(&lake, &path);
    assert_eq!(resumed.stats.lines, 3000 - committed);
    assert_eq!(rows_in_lake(&lake), 3000);
    assert!(import(&lake, &path).already_imported);
}

#[test]
fn a_resumed_w3c_log_still_knows_its_fields_header() {
    let mut text = String::from(
        "#Software: SGOS 6.7.5.3\n#Fields: date time c-ip cs-username sc-filter-result cs-method cs-host cs-uri-path sc-status sc-bytes cs-bytes\n",
    );
    for i in 0..2500 {
        text.push_str(&format!(
            "2026-11-22 00:{:02}:{:02} 10.40.1.{} tanaka OBSERVED GET www.example.jp /p/{i} 200 5120 312\n",
            (i / 60) % 60,
            i % 60,
            i % 250
        ));
    }
    let (_dir, lake, path) = lake_and_file("proxysg.log", text);
    let w3c = || ImportOptions::new(Format::Auto, "sakuragaoka");
    let mut importer = Importer::new(&lake, w3c()).unwrap().commit_every(1000);
    importer.import_file(&path).unwrap();
    drop(importer);
    let committed = rows_in_lake(&lake);
    assert!(committed > 0 && committed < 2500, "{committed}");

    let mut importer = Importer::new(&lake, w3c()).unwrap();
    let resumed = importer.import_file(&path).unwrap();
    importer.finish().unwrap();
    assert_eq!(resumed.stats.lines, 2500 - committed);
    assert_eq!(
        resumed.stats.count(bannin_ingest::Table::Proxy),
        2500 - committed,
        "{resumed:?}"
    );
    assert_eq!(rows_in_lake(&lake), 2500);
}

#[test]
fn mail_state_written_for_a_commit_is_kept_only_if_the_commit_happened() {
    let maillog = "Nov 23 10:00:00 mail01 postfix/smtpd[1]: 4Xc9Tq1Kz4: client=pc15[10.40.1.15], sasl_method=PLAIN, sasl_username=tanaka\n";
    let (dir, lake, path) = lake_and_file("maillog", maillog);
    let state_dir = dir.path().join("state");
    let options = || ImportOptions {
        state_dir: Some(state_dir.clone()),
        ..options()
    };
    let state_file = state_dir.join("mail-correlation-sakuragaoka.json");
    let next = state_dir.join("mail-correlation-sakuragaoka.json.next");
    let before = "{}";

    let mut importer = Importer::new(&lake, options()).unwrap();
    importer.import_file(&path).unwrap();
    importer.finish().unwrap();
    let after = std::fs::read_to_string(&state_file).unwrap();
    assert!(after.contains("4Xc9Tq1Kz4"), "{after}");
    assert!(!next.exists());

    // Killed after the commit, before the state was put in place: the
    // state written for the commit wins.
    std::fs::write(&next, &after).unwrap();
    std::fs::write(&state_file, before).unwrap();
    Importer::new(&lake, options()).unwrap();
    assert_eq!(std::fs::read_to_string(&state_file).unwrap(), after);
    assert!(!next.exists());

    // Killed before the commit: the state written for it is dropped.
    std::fs::write(&next, before).unwrap();
    Importer::new(&lake, options()).unwrap();
    assert_eq!(std::fs::read_to_string(&state_file).unwrap(), after);
    assert!(!next.exists());
}
