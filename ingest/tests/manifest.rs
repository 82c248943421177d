//! The manifest proves the lake was not altered: a clean lake verifies; a
//! changed, removed or slipped-in file, or an edited manifest line, is
//! reported.

use std::path::PathBuf;

use bannin_ingest::manifest::{Problem, verify};
use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use chrono::{DateTime, Utc};

fn lake_with_two_commits() -> (tempfile::TempDir, Lake, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let reference: DateTime<Utc> = "2026-11-23T00:00:00Z".parse().unwrap();
    let mut files = Vec::new();
    for batch in [
        "Nov 22 09:00:00 lg-file01 sshd[1]: Accepted password for tanaka from 10.20.1.15 port 5 ssh2\nnot syslog\n",
        "Nov 22 10:00:00 lg-file01 app: second commit\n",
    ] {
        let mut importer = Importer::new(&lake, ImportOptions::new(Format::Syslog, "t")).unwrap();
        importer
            .import_reader(batch.as_bytes(), "fixture", reference)
            .unwrap();
        let (_, committed) = importer.finish().unwrap();
        files.extend(committed.into_iter().map(|c| c.path));
    }
    (dir, lake, files)
}

#[test]
fn a_clean_lake_verifies() {
    let (_dir, lake, files) = lake_with_two_commits();
    let report = verify(lake.root()).unwrap();
    assert_eq!(report.entries, files.len() as u64);
    assert_eq!(report.entries, 3, "auth + unparsed, then syslog");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn altered_missing_and_unlisted_files_are_reported() {
    let (_dir, lake, files) = lake_with_two_commits();
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&files[0], bytes).unwrap();
    std::fs::remove_file(&files[1]).unwrap();
    let stray = files[2].with_file_name("part-slipped-in.parquet");
    std::fs::copy(&files[2], &stray).unwrap();
    let problems = verify(lake.root()).unwrap().problems;
    let kinds: Vec<&str> = problems
        .iter()
        .map(|p| match p {
            Problem::Altered { .. } => "altered",
            Problem::Missing { .. } => "missing",
            Problem::Unlisted { .. } => "unlisted",
            Problem::BrokenChain { .. } => "chain",
            Problem::Malformed { .. } => "malformed",
            Problem::UnknownRemoval { .. } => "unknown removal",
            Problem::ReplacedAfterRetirement { .. } => "replaced after retirement",
        })
        .collect();
    assert_eq!(kinds, ["altered", "missing", "unlisted"], "{problems:?}");
    assert!(problems[2].to_string().contains("part-slipped-in.parquet"));
}

#[test]
fn an_edited_manifest_breaks_the_chain() {
    let (_dir, lake, _) = lake_with_two_commits();
    let path = lake.root().join("manifest.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    // Someone hides rows: the first entry's row count is changed.
    let edited = text.replacen("\"rows\":1,", "\"rows\":0,", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
    let problems = verify(lake.root()).unwrap().problems;
    assert!(
        problems.contains(&Problem::BrokenChain { seq: 1 }),
        "{problems:?}"
    );
    // Deleting a line breaks the chain for the entry after it.
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&path, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
    let problems = verify(lake.root()).unwrap().problems;
    assert!(
        problems.contains(&Problem::BrokenChain { seq: 3 }),
        "{problems:?}"
    );
}

#[test]
fn recovery_finishes_or_discards_an_interrupted_commit() {
    let (_dir, lake, files) = lake_with_two_commits();
    // Crash after the manifest listed a file but before its rename.
    let listed = &files[2];
    let stem = listed.file_stem().unwrap().to_string_lossy().into_owned();
    let tmp = listed.with_file_name(format!(".{stem}.tmp"));
    std::fs::rename(listed, &tmp).unwrap();
    // Crash before the manifest: a written file no entry lists.
    let orphan = files[0].with_file_name(".part-orphan.tmp");
    std::fs::copy(&files[0], &orphan).unwrap();
    // Crash mid-way through a manifest write.
    let manifest = lake.root().join("manifest.jsonl");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("{\"seq\":4,\"comm");
    std::fs::write(&manifest, text).unwrap();

    assert_eq!(lake.recover().unwrap(), None, "no WAL records in this lake");
    assert!(
        listed.exists() && !tmp.exists(),
        "the listed file is in place"
    );
    assert!(!orphan.exists(), "the uncommitted file is gone");
    let report = verify(lake.root()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.entries, 3);
}

#[test]
fn a_commit_torn_after_whole_lines_is_cut_whole() {
    let (_dir, lake, files) = lake_with_two_commits();
    let manifest = lake.root().join("manifest.jsonl");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].contains("\"part\":[0,2]"), "{}", lines[0]);
    assert!(!lines[2].contains("\"part\""), "{}", lines[2]);
    // The first commit's write stopped after its first line and part of
    // the second; nothing was renamed yet.
    let torn = format!("{}\n{}", lines[0], &lines[1][..20]);
    std::fs::write(&manifest, torn).unwrap();
    let mut temporaries = Vec::new();
    for file in &files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let tmp = file.with_file_name(format!(".{stem}.tmp"));
        std::fs::rename(file, &tmp).unwrap();
        temporaries.push(tmp);
    }
    lake.recover().unwrap();
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), "");
    assert!(
        temporaries.iter().all(|t| !t.exists()),
        "half a commit is none"
    );
    assert!(files.iter().all(|f| !f.exists()));
    let report = verify(lake.root()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.entries, 0);
}
