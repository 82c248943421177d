//! The lake's manifest: every committed Parquet file, with its SHA-256,
//! in a hash chain (ログの改ざん防止 — evidence that the lake was not
//! altered).
//!
//! `<lake>/manifest.jsonl` holds one JSON object per change to the lake:
//! `seq`, `committed_at`, `table`, `file` (relative to the lake), `rows`,
//! `bytes`, `sha256` of the file, `prev` (the previous entry's `hash`, 64
//! zeros for the first) and `hash` = SHA-256 of `prev` + `\n` + the entry
//! serialized without `hash`. Changing, removing or reordering any entry
//! breaks every later hash; [`verify`] also checks each file against its
//! entry and finds Parquet files no entry lists.
//!
//! Entries come in two kinds ([`Action`]). An entry without `action` adds
//! `file` (every entry written before maintenance existed is one); when it
//! also has `replaces`, the same entry retires those files — a compaction,
//! recorded in one line so that a torn write can never record half of it.
//! An entry with `"action":"remove"` retires `file` (retention), repeating
//! the retired file's `rows`, `bytes` and `sha256`. `reason` says why
//! (`compaction`, `retention`). The files still in the lake are the
//! [`LiveSet`]: added and not retired since.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::IngestError;
use crate::checkpoint::Checkpoint;
use crate::lake::{CommittedFile, FILE_EXTENSION};

/// The manifest's file name in the lake root.
pub const MANIFEST_FILE: &str = "manifest.jsonl";

/// `prev` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One committed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub committed_at: String,
    pub table: String,
    pub file: String,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
    /// The highest write-ahead-log LSN whose record the commit holds (for
    /// records that came through the WAL): a restart replays only later
    /// ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal_lsn: Option<u64>,
    /// On the last entry of a commit made by `bannin ingest`: how far each
    /// input whose rows the commit holds had been read (see
    /// [`checkpoint`](crate::checkpoint)). Absent on other entries, so
    /// entries written before it existed still hash the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Checkpoint>,
    /// `[i, n]`: the entry is the i-th (from 0) of the n entries one
    /// commit appended together; absent for a commit of one entry. A crash
    /// can tear the write after whole lines, so recovery cuts a commit
    /// whose last entry is missing: all of it or none of it counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<[u32; 2]>,
    /// What the entry does to `file`; absent: it adds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// Files an added file replaces (compaction): retired by this entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<Retired>,
    /// Why files were retired: `compaction` or `retention`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub prev: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
}

impl Entry {
    /// The chain hash of this entry (its `hash` field left out).
    fn chain_hash(&self) -> String {
        let unhashed = Entry {
            hash: String::new(),
            ..self.clone()
        };
        let json = serde_json::to_string(&unhashed).unwrap_or_default();
        hex(&Sha256::new()
            .chain_update(self.prev.as_bytes())
            .chain_update(b"\n")
            .chain_update(json.as_bytes())
            .finalize())
    }
}

/// What an entry does to its `file`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The file joins the lake (the meaning of an entry without `action`).
    Add,
    /// The file leaves the lake (retention).
    Remove,
}

/// A file retired from the lake, as the entry retiring it records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retired {
    pub file: String,
    pub rows: u64,
    pub sha256: String,
}

/// A change to append to the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new file, retiring the files it replaces (none for a commit).
    Add {
        file: CommittedFile,
        replaces: Vec<Retired>,
    },
    /// A listed file leaves the lake.
    Remove {
        table: String,
        file: LiveFile,
        reason: String,
    },
}

/// A file the manifest says is in the lake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFile {
    /// Relative to the lake root, `/`-separated.
    pub file: String,
    pub table: String,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
    /// The last WAL record its rows hold, when committed from the WAL.
    pub wal_lsn: Option<u64>,
}

impl LiveFile {
    /// How the entry retiring this file records it.
    pub fn retired(&self) -> Retired {
        Retired {
            file: self.file.clone(),
            rows: self.rows,
            sha256: self.sha256.clone(),
        }
    }
}

/// The files in the lake according to the manifest, and those retired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveSet {
    /// By relative path.
    pub live: BTreeMap<String, LiveFile>,
    /// Retired files by relative path, with the `seq` that retired them.
    pub retired: BTreeMap<String, (u64, Retired)>,
    /// Entries retiring a file that was not live (seq, file).
    pub unknown_removals: Vec<(u64, String)>,
}

impl LiveSet {
    /// Replays entries in order.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Self {
        let mut set = LiveSet::default();
        for entry in entries {
            set.apply(entry);
        }
        set
    }

    fn apply(&mut self, entry: &Entry) {
        match entry.action.unwrap_or(Action::Add) {
            Action::Add => {
                for old in &entry.replaces {
                    self.retire(entry.seq, old.clone());
                }
                self.live.insert(
                    entry.file.clone(),
                    LiveFile {
                        file: entry.file.clone(),
                        table: entry.table.clone(),
                        rows: entry.rows,
                        bytes: entry.bytes,
                        sha256: entry.sha256.clone(),
                        wal_lsn: entry.wal_lsn,
                    },
                );
            }
            Action::Remove => self.retire(
                entry.seq,
                Retired {
                    file: entry.file.clone(),
                    rows: entry.rows,
                    sha256: entry.sha256.clone(),
                },
            ),
        }
    }

    fn retire(&mut self, seq: u64, retired: Retired) {
        if self.live.remove(&retired.file).is_none() {
            self.unknown_removals.push((seq, retired.file.clone()));
        }
        self.retired.insert(retired.file.clone(), (seq, retired));
    }
}

/// The live set of the manifest as it is on disk.
pub fn live_set(lake_root: &Path) -> Result<LiveSet, IngestError> {
    Ok(LiveSet::from_entries(&entries(lake_root)?))
}

/// `path` relative to the lake root with `/` separators.
pub fn relative(lake_root: &Path, path: &Path) -> String {
    path.strip_prefix(lake_root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The end of the chain: what the next entry continues from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub next_seq: u64,
    pub hash: String,
}

/// Reads the chain's end from the manifest (a fresh lake has none): the
/// last complete entry, found from the end of the file.
pub fn head(lake_root: &Path) -> Result<Head, IngestError> {
    let path = lake_root.join(MANIFEST_FILE);
    let read_err = |source| IngestError::Read {
        path: path.clone(),
        source,
    };
    let mut file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Head {
                next_seq: 1,
                hash: GENESIS.to_owned(),
            });
        }
        Err(source) => return Err(read_err(source)),
    };
    let len = file.metadata().map_err(read_err)?.len();
    let mut window = 64 * 1024u64;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start)).map_err(read_err)?;
        let mut tail = Vec::new();
        (&mut file)
            .take(window)
            .read_to_end(&mut tail)
            .map_err(read_err)?;
        let text = String::from_utf8_lossy(&tail);
        // The first line of a window that does not start the file may be
        // cut: only lines after it count.
        let mut lines: Vec<&str> = text.lines().collect();
        if start > 0 && !lines.is_empty() {
            lines.remove(0);
        }
        if let Some(entry) = lines
            .iter()
            .rev()
            .find_map(|l| serde_json::from_str::<Entry>(l).ok())
        {
            return Ok(Head {
                next_seq: entry.seq + 1,
                hash: entry.hash,
            });
        }
        if start == 0 {
            return Ok(Head {
                next_seq: 1,
                hash: GENESIS.to_owned(),
            });
        }
        window = window.saturating_mul(4);
    }
}

/// Appends entries for `files` to the manifest (one write, fsynced) and
/// returns the new head. This write is the commit point: files it lists
/// count as committed, even if a crash stops their rename into place.
pub fn append(
    lake_root: &Path,
    head: &Head,
    files: &[CommittedFile],
    wal_lsn: Option<u64>,
) -> Result<Head, IngestError> {
    append_with_inputs(lake_root, head, files, wal_lsn, &[])
}

/// As [`append`], with the checkpoints of the inputs the commit holds on
/// its last entry.
pub fn append_with_inputs(
    lake_root: &Path,
    head: &Head,
    files: &[CommittedFile],
    wal_lsn: Option<u64>,
    inputs: &[Checkpoint],
) -> Result<Head, IngestError> {
    let changes: Vec<Change> = files
        .iter()
        .map(|file| Change::Add {
            file: file.clone(),
            replaces: Vec::new(),
        })
        .collect();
    append_changes(lake_root, head, &changes, wal_lsn, inputs)
}

/// Appends one entry per change (one write, fsynced) and returns the new
/// head: the commit point of a commit, a compaction or a retention run.
/// `inputs` (the checkpoints of `bannin ingest`) go on the last entry.
pub fn append_changes(
    lake_root: &Path,
    head: &Head,
    changes: &[Change],
    wal_lsn: Option<u64>,
    inputs: &[Checkpoint],
) -> Result<Head, IngestError> {
    let path = lake_root.join(MANIFEST_FILE);
    let mut head = head.clone();
    let mut text = String::new();
    let committed_at = chrono::Utc::now().to_rfc3339();
    for (i, change) in changes.iter().enumerate() {
        let last = i + 1 == changes.len();
        let mut entry = Entry {
            seq: head.next_seq,
            committed_at: committed_at.clone(),
            table: String::new(),
            file: String::new(),
            rows: 0,
            bytes: 0,
            sha256: String::new(),
            wal_lsn: None,
            action: None,
            replaces: Vec::new(),
            reason: None,
            inputs: if last { inputs.to_vec() } else { Vec::new() },
            part: (changes.len() > 1).then(|| {
                let n = u32::try_from(changes.len()).unwrap_or(u32::MAX);
                [u32::try_from(i).unwrap_or(u32::MAX), n]
            }),
            prev: head.hash.clone(),
            hash: String::new(),
        };
        match change {
            Change::Add { file, replaces } => {
                entry.table = file.table.name().to_owned();
                entry.file = relative(lake_root, &file.path);
                entry.rows = file.rows as u64;
                entry.bytes = file.bytes;
                entry.sha256.clone_from(&file.sha256);
                entry.wal_lsn = wal_lsn;
                entry.replaces.clone_from(replaces);
                entry.reason = (!replaces.is_empty()).then(|| "compaction".to_owned());
            }
            Change::Remove {
                table,
                file,
                reason,
            } => {
                entry.table.clone_from(table);
                entry.file.clone_from(&file.file);
                entry.rows = file.rows;
                entry.bytes = file.bytes;
                entry.sha256.clone_from(&file.sha256);
                entry.action = Some(Action::Remove);
                entry.reason = Some(reason.clone());
            }
        }
        entry.hash = entry.chain_hash();
        head = Head {
            next_seq: entry.seq + 1,
            hash: entry.hash.clone(),
        };
        text.push_str(&serde_json::to_string(&entry).unwrap_or_default());
        text.push('\n');
    }
    if text.is_empty() {
        return Ok(head);
    }
    let write_err = |source| IngestError::Write {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(lake_root).map_err(write_err)?;
    let mut out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(write_err)?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.sync_all())
        .map_err(write_err)?;
    Ok(head)
}

/// Every entry that parses, in order (malformed lines are skipped).
pub fn entries(lake_root: &Path) -> Result<Vec<Entry>, IngestError> {
    let mut out = Vec::new();
    for line in lines(lake_root)? {
        let (_, text) = line?;
        if let Ok(entry) = serde_json::from_str::<Entry>(&text) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Cuts a last line a crash left half-written (no newline at its end): it
/// was never the commit point of anything.
pub fn repair_tail(lake_root: &Path) -> Result<(), IngestError> {
    let path = lake_root.join(MANIFEST_FILE);
    let data = match fs::read(&path) {
        Ok(data) => data,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(IngestError::Read { path, source }),
    };
    let whole = data.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let keep = whole - incomplete_commit(data.get(..whole).unwrap_or_default());
    if keep == data.len() {
        return Ok(());
    }
    tracing::warn!(path = %path.display(), cut = data.len() - keep, "cutting a torn manifest tail");
    let write_err = |source| IngestError::Write {
        path: path.clone(),
        source,
    };
    let file = OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(write_err)?;
    file.set_len(keep as u64).map_err(write_err)?;
    file.sync_all().map_err(write_err)
}

/// Bytes at the end of `whole` (complete lines) that belong to a commit
/// whose last entry never reached the manifest.
fn incomplete_commit(whole: &[u8]) -> usize {
    let lines: Vec<&[u8]> = whole.split_inclusive(|b| *b == b'\n').collect();
    let part = lines
        .last()
        .and_then(|line| serde_json::from_slice::<Entry>(line).ok())
        .and_then(|entry| entry.part);
    match part {
        // Entries 0..=i of that commit are the last i + 1 lines.
        Some([i, n]) if i + 1 < n => lines
            .iter()
            .rev()
            .take(i as usize + 1)
            .map(|line| line.len())
            .sum(),
        _ => 0,
    }
}

/// What [`verify`] found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A manifest line that is not an entry.
    Malformed { line: u64, why: String },
    /// An entry whose `prev` or `hash` does not follow from the one before.
    BrokenChain { seq: u64 },
    /// A listed file that is gone.
    Missing { file: String },
    /// A listed file whose content is not what was committed.
    Altered { file: String },
    /// A Parquet file in the lake that no entry lists.
    Unlisted { file: String },
    /// An entry retires a file that was not in the lake.
    UnknownRemoval { seq: u64, file: String },
    /// A retired file is back with content other than what was retired.
    ReplacedAfterRetirement { seq: u64, file: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Malformed { line, why } => {
                write!(f, "manifest line {line} is malformed: {why}")
            }
            Problem::BrokenChain { seq } => {
                write!(
                    f,
                    "hash chain broken at entry {seq}: the manifest was edited"
                )
            }
            Problem::Missing { file } => write!(f, "missing: {file}"),
            Problem::Altered { file } => write!(f, "altered (SHA-256 differs): {file}"),
            Problem::Unlisted { file } => write!(f, "unlisted (not in the manifest): {file}"),
            Problem::UnknownRemoval { seq, file } => {
                write!(
                    f,
                    "entry {seq} retires a file the lake did not hold: {file}"
                )
            }
            Problem::ReplacedAfterRetirement { seq, file } => write!(
                f,
                "retired by entry {seq} but present with other content: {file}"
            ),
        }
    }
}

/// The outcome of checking a lake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Entries read from the manifest.
    pub entries: u64,
    /// Files in the lake according to the manifest (all checked).
    pub live: u64,
    /// Retired files still on disk, unchanged: a compaction or retention
    /// that passed its commit point and has not deleted them yet (still
    /// running, or interrupted — the next [`crate::Lake::recover`] deletes
    /// them). Not a problem: no evidence is lost or altered.
    pub unfinished: Vec<String>,
    pub problems: Vec<Problem>,
}

/// Checks the chain, every live file, that retired files are gone (or
/// unchanged, awaiting deletion), and that no Parquet file is unlisted.
/// Read-only.
pub fn verify(lake_root: &Path) -> Result<Report, IngestError> {
    let mut report = Report::default();
    let mut prev = GENESIS.to_owned();
    let mut entries = Vec::new();
    for line in lines(lake_root)? {
        let (number, text) = line?;
        let entry: Entry = match serde_json::from_str(&text) {
            Ok(entry) => entry,
            Err(e) => {
                report.problems.push(Problem::Malformed {
                    line: number,
                    why: e.to_string(),
                });
                continue;
            }
        };
        report.entries += 1;
        if entry.prev != prev || entry.chain_hash() != entry.hash {
            report
                .problems
                .push(Problem::BrokenChain { seq: entry.seq });
        }
        prev = entry.hash.clone();
        entries.push(entry);
    }
    let set = LiveSet::from_entries(&entries);
    for (seq, file) in &set.unknown_removals {
        report.problems.push(Problem::UnknownRemoval {
            seq: *seq,
            file: file.clone(),
        });
    }
    report.live = set.live.len() as u64;
    for live in set.live.values() {
        match sha256_file(&lake_root.join(&live.file)) {
            Ok(sum) if sum == live.sha256 => {}
            Ok(_) => report.problems.push(Problem::Altered {
                file: live.file.clone(),
            }),
            Err(_) => report.problems.push(Problem::Missing {
                file: live.file.clone(),
            }),
        }
    }
    for (file, (seq, retired)) in &set.retired {
        if set.live.contains_key(file) {
            continue;
        }
        match sha256_file(&lake_root.join(file)) {
            Err(_) => {}
            Ok(sum) if sum == retired.sha256 => report.unfinished.push(file.clone()),
            Ok(_) => report.problems.push(Problem::ReplacedAfterRetirement {
                seq: *seq,
                file: file.clone(),
            }),
        }
    }
    for file in parquet_files(lake_root, lake_root) {
        if !set.live.contains_key(&file) && !set.retired.contains_key(&file) {
            report.problems.push(Problem::Unlisted { file });
        }
    }
    Ok(report)
}

/// The manifest's non-empty lines with their 1-based numbers.
fn lines(
    lake_root: &Path,
) -> Result<impl Iterator<Item = Result<(u64, String), IngestError>>, IngestError> {
    let path = lake_root.join(MANIFEST_FILE);
    let file = match File::open(&path) {
        Ok(file) => Some(file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(IngestError::Read { path, source }),
    };
    let reader = file.map(BufReader::new);
    Ok(reader
        .into_iter()
        .flat_map(BufRead::lines)
        .enumerate()
        .filter_map(move |(i, line)| match line {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(Ok((i as u64 + 1, text))),
            Err(source) => Some(Err(IngestError::Read {
                path: path.clone(),
                source,
            })),
        }))
}

/// Every `*.parquet` below `dir`, relative to `root` with `/` separators.
fn parquet_files(root: &Path, dir: &Path) -> Vec<String> {
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in read.flatten() {
        let path: PathBuf = entry.path();
        if path.is_dir() {
            out.extend(parquet_files(root, &path));
        } else if path.extension().is_some_and(|e| e == FILE_EXTENSION) && path.starts_with(root) {
            out.push(relative(root, &path));
        }
    }
    out.sort();
    out
}

/// SHA-256 (hex) of a file's content.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hex(&hasher.finalize()))
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A writer that hashes what passes through it, so a file's SHA-256 is
/// known the moment it is written.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The inner writer, the SHA-256 (hex) and the byte count.
    pub fn finish(self) -> (W, String, u64) {
        (self.inner, hex(&self.hasher.finalize()), self.bytes)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
