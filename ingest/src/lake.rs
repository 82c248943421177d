//! The Parquet lake on local disk:
//! `<root>/<table>/tenant=<t>/date=YYYY-MM-DD/part-*.parquet`.
//!
//! A file is written under a temporary name, fsynced, renamed into place and
//! its directory fsynced, so a reader never sees half a file. Rows inside a
//! file are sorted by `time`; compression is zstd; statistics are on. Each
//! commit is then listed in the hash-chained [`manifest`](crate::manifest).
//!
//! Maintenance ([`compact`](crate::compact), [`retention`](crate::retention))
//! changes the lake with the same commit point: one manifest append under
//! `.manifest.lock` records the new file and the files it retires, and only
//! then are files renamed in and deleted ([`Lake::replace`]). See
//! `docs/lake.md`.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::RecordBatch;
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::batch::PartitionKey;
use crate::checkpoint::Checkpoint;
use crate::manifest::{self, Change, HashingWriter, LiveFile, Retired};
use crate::{IngestError, Partitions, Table};

/// Suffix of committed lake files; anything else in the lake is ignored.
pub const FILE_EXTENSION: &str = "parquet";

/// A lake rooted at a directory.
#[derive(Debug, Clone)]
pub struct Lake {
    root: PathBuf,
}

/// A file committed to the lake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedFile {
    pub table: Table,
    pub path: PathBuf,
    pub rows: usize,
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
}

impl Lake {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory holding every partition of `table`.
    pub fn table_dir(&self, table: Table) -> PathBuf {
        self.root.join(table.name())
    }

    pub(crate) fn partition_dir(&self, key: &PartitionKey) -> PathBuf {
        self.table_dir(key.table)
            .join(format!("tenant={}", key.tenant))
            .join(format!("date={}", key.date.format("%Y-%m-%d")))
    }

    /// Writes every partition as one new file and lists the files in the
    /// manifest.
    pub fn commit(&self, partitions: Partitions) -> Result<Vec<CommittedFile>, IngestError> {
        self.commit_through(partitions, None)
    }

    /// Commits in three steps, so that a crash at any point leaves either
    /// the whole commit or none of it: every file is written and fsynced
    /// under a temporary name; the manifest lists them (with `wal_lsn`,
    /// the last WAL record they hold) — the commit point; then they are
    /// renamed into place. [`Lake::recover`] finishes or discards an
    /// interrupted commit.
    pub fn commit_through(
        &self,
        partitions: Partitions,
        wal_lsn: Option<u64>,
    ) -> Result<Vec<CommittedFile>, IngestError> {
        self.commit_all(partitions, wal_lsn, &[])
    }

    /// As [`Lake::commit`], recording in the same manifest append how far
    /// each input was read (`bannin ingest` resumes from there). A commit
    /// without rows writes nothing, checkpoints included.
    pub fn commit_inputs(
        &self,
        partitions: Partitions,
        inputs: &[Checkpoint],
    ) -> Result<Vec<CommittedFile>, IngestError> {
        self.commit_all(partitions, None, inputs)
    }

    fn commit_all(
        &self,
        partitions: Partitions,
        wal_lsn: Option<u64>,
        inputs: &[Checkpoint],
    ) -> Result<Vec<CommittedFile>, IngestError> {
        // Another process (`bannin ingest` beside `bannin serve`) may commit
        // too: a whole commit happens under an exclusive lock, so the chain
        // is extended from the head as it is on disk and recover() never
        // mistakes a commit in progress for an interrupted one.
        let _locked = self.lock_manifest()?;
        let written = partitions
            .into_batches()?
            .into_iter()
            .map(|(key, batches)| {
                let dir = self.partition_dir(&key);
                let (tmp, path, sha256, bytes) = write_file(&dir, key.table, &batches)?;
                Ok((
                    tmp,
                    CommittedFile {
                        table: key.table,
                        path,
                        rows: batches.iter().map(RecordBatch::num_rows).sum(),
                        bytes,
                        sha256,
                    },
                ))
            })
            .collect::<Result<Vec<_>, IngestError>>()?;
        let files: Vec<CommittedFile> = written.iter().map(|(_, f)| f.clone()).collect();
        let head = manifest::head(&self.root)?;
        manifest::append_with_inputs(&self.root, &head, &files, wal_lsn, inputs)?;
        for (tmp, file) in &written {
            publish(tmp, &file.path)?;
        }
        Ok(files)
    }

    /// After a crash: renames the files of a commit the manifest lists but
    /// that did not reach their names, deletes files the manifest retired
    /// (compaction, retention) that are still there unchanged, deletes the
    /// temporary files of commits that never reached the manifest, and cuts
    /// a torn manifest line. Returns the highest WAL LSN committed.
    pub fn recover(&self) -> Result<Option<u64>, IngestError> {
        let _locked = self.lock_manifest()?;
        manifest::repair_tail(&self.root)?;
        let entries = manifest::entries(&self.root)?;
        let set = manifest::LiveSet::from_entries(&entries);
        for file in set.live.keys() {
            let path = self.root.join(file);
            let tmp = temporary_name(&path);
            if !path.exists() && tmp.exists() {
                publish(&tmp, &path)?;
            }
        }
        for (file, (_, retired)) in &set.retired {
            if !set.live.contains_key(file) {
                self.delete_retired(retired)?;
            }
        }
        for table in Table::ALL {
            remove_temporaries(&self.table_dir(table))?;
        }
        Ok(entries.iter().filter_map(|e| e.wal_lsn).max())
    }

    /// Makes one maintenance change, if the files it retires are all still
    /// live with the content it read: under the manifest lock, appends the
    /// change (the commit point), renames the new file in, then deletes the
    /// retired files, and fsyncs the directories. Returns false (and
    /// discards `new`) when another writer changed those files first.
    ///
    /// The order leaves a short window — between the rename and the last
    /// delete, a few system calls — in which a reader listing the directory
    /// sees both the new file and the old ones (rows twice). The other
    /// order would make rows vanish for that window instead; for evidence,
    /// a visible duplicate is the lesser harm. See `docs/lake.md`.
    pub(crate) fn replace(
        &self,
        retire: &[LiveFile],
        new: Option<(PathBuf, CommittedFile)>,
        reason: &str,
    ) -> Result<bool, IngestError> {
        let _locked = self.lock_manifest()?;
        let set = manifest::live_set(&self.root)?;
        let unchanged = retire
            .iter()
            .all(|f| set.live.get(&f.file).is_some_and(|l| l.sha256 == f.sha256));
        let new_in_place = new.as_ref().is_none_or(|(tmp, _)| tmp.exists());
        if !unchanged || !new_in_place {
            if let Some((tmp, _)) = &new {
                remove_if_present(tmp)?;
            }
            return Ok(false);
        }
        let changes: Vec<Change> = match &new {
            Some((_, file)) => vec![Change::Add {
                file: file.clone(),
                replaces: retire.iter().map(LiveFile::retired).collect(),
            }],
            None => retire
                .iter()
                .map(|f| Change::Remove {
                    table: f.table.clone(),
                    file: f.clone(),
                    reason: reason.to_owned(),
                })
                .collect(),
        };
        let head = manifest::head(&self.root)?;
        manifest::append_changes(&self.root, &head, &changes, None, &[])?;
        let mut dirs = Vec::new();
        if let Some((tmp, file)) = &new {
            fs::rename(tmp, &file.path).map_err(|source| IngestError::Write {
                path: file.path.clone(),
                source,
            })?;
            dirs.extend(file.path.parent().map(Path::to_path_buf));
        }
        for old in retire {
            let path = self.root.join(&old.file);
            remove_if_present(&path)?;
            dirs.extend(path.parent().map(Path::to_path_buf));
        }
        dirs.sort();
        dirs.dedup();
        for dir in &dirs {
            // An emptied partition (retention) goes too; a non-empty one stays.
            if new.is_none() && fs::remove_dir(dir).is_ok() {
                sync_dir(dir.parent().unwrap_or(&self.root))?;
            } else if dir.exists() {
                sync_dir(dir)?;
            }
        }
        Ok(true)
    }

    /// Deletes a retired file that is still there with the content it was
    /// retired with (anything else stays, for `bannin verify` to report).
    fn delete_retired(&self, retired: &Retired) -> Result<(), IngestError> {
        let path = self.root.join(&retired.file);
        match manifest::sha256_file(&path) {
            Ok(sum) if sum == retired.sha256 => {
                tracing::warn!(path = %path.display(), "removing a file retired by an interrupted compaction or retention");
                remove_if_present(&path)?;
                if let Some(dir) = path.parent() {
                    if fs::remove_dir(dir).is_ok() {
                        return sync_dir(dir.parent().unwrap_or(&self.root));
                    }
                    sync_dir(dir)?;
                }
                Ok(())
            }
            Ok(_) => {
                tracing::error!(path = %path.display(), "a retired file is back with other content; left for `bannin verify`");
                Ok(())
            }
            Err(_) => Ok(()),
        }
    }

    /// An exclusive lock on the manifest, held until the file is dropped.
    pub(crate) fn lock_manifest(&self) -> Result<File, IngestError> {
        let path = self.root.join(".manifest.lock");
        let write_err = |source| IngestError::Write {
            path: path.clone(),
            source,
        };
        fs::create_dir_all(&self.root).map_err(write_err)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(write_err)?;
        file.lock().map_err(write_err)?;
        Ok(file)
    }
}

/// The partition of a lake file from its path relative to the lake
/// (`<table>/tenant=<t>/date=YYYY-MM-DD/<name>`, `/`-separated); None for
/// anything not laid out so.
pub fn partition_of(file: &str) -> Option<PartitionKey> {
    let mut parts = file.split('/');
    let table = Table::from_name(parts.next()?)?;
    let tenant = parts.next()?.strip_prefix("tenant=")?.to_owned();
    let date = parts.next()?.strip_prefix("date=")?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    parts.next()?;
    parts.next().is_none().then_some(PartitionKey {
        table,
        tenant,
        date,
    })
}

impl std::fmt::Display for PartitionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/tenant={}/date={}",
            self.table.name(),
            self.tenant,
            self.date.format("%Y-%m-%d")
        )
    }
}

/// `dir/part-X.parquet` → `dir/.part-X.tmp`.
fn temporary_name(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{stem}.tmp"))
}

fn remove_if_present(path: &Path) -> Result<(), IngestError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(IngestError::Write {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Deletes `.part-*.tmp` files below `dir` (commits that never happened).
fn remove_temporaries(dir: &Path) -> Result<(), IngestError> {
    let Ok(read) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in read.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            remove_temporaries(&path)?;
        } else if name.starts_with(".part-") && name.ends_with(".tmp") {
            tracing::warn!(path = %path.display(), "removing a file of an interrupted commit");
            fs::remove_file(&path).map_err(|source| IngestError::Write { path, source })?;
        }
    }
    Ok(())
}

fn unique_name() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let now = chrono::Utc::now().timestamp_micros();
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("part-{now}-{}-{seq}", std::process::id())
}

/// Columns written with a Parquet bloom filter: the high-cardinality
/// columns point lookups filter on (`WHERE src_ip = …`). Rows are sorted
/// by `time`, so min/max statistics cannot skip files or row groups for
/// these. Measured to pay (benches/README.md, "Bloom filters"; `cargo
/// bench -p bannin-benches --bench bloom`) on `firewall.src_ip` and
/// `auth.user`: lookups 2–50× faster for 1–3 % more bytes; the other
/// address and account columns have the same shape.
pub fn bloom_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Firewall => &["src_ip", "dst_ip"],
        Table::Auth | Table::Proxy => &["user", "src_ip"],
        Table::Syslog | Table::Mail | Table::CloudAudit | Table::Unparsed => &[],
    }
}

/// The lake's writer settings: zstd, statistics, sorted by `time`, and
/// bloom filters on `blooms`. `raw` is written without a dictionary: each
/// line is unique (it holds its own time), so the dictionary only cost
/// time until the writer gave it up, after ~1 MB of each column chunk.
/// Nor has it min/max statistics, which no query can use (raw lines are
/// searched with `LIKE '%…%'`) and which cost two comparisons of the whole
/// line per row.
pub fn writer_properties(blooms: &[&str]) -> WriterProperties {
    let zstd = ZstdLevel::try_new(3).unwrap_or_default();
    blooms
        .iter()
        .fold(WriterProperties::builder(), |builder, column| {
            builder.set_column_bloom_filter_enabled(ColumnPath::from(*column), true)
        })
        .set_compression(Compression::ZSTD(zstd))
        .set_column_dictionary_enabled(ColumnPath::from("raw"), false)
        .set_column_statistics_enabled(ColumnPath::from("raw"), EnabledStatistics::None)
        .set_sorting_columns(Some(vec![SortingColumn {
            column_idx: 0,
            descending: false,
            nulls_first: false,
        }]))
        .build()
}

/// Writes one file under its temporary name, fsynced; returns that name,
/// the final one, the SHA-256 and the size.
pub(crate) fn write_file(
    dir: &Path,
    table: Table,
    batches: &[RecordBatch],
) -> Result<(PathBuf, PathBuf, String, u64), IngestError> {
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| IngestError::Write { path, source }
    };
    fs::create_dir_all(dir).map_err(write_err(dir))?;
    let name = unique_name();
    let path = dir.join(format!("{name}.{FILE_EXTENSION}"));
    let tmp = temporary_name(&path);
    let file = File::create(&tmp).map_err(write_err(&tmp))?;
    let parquet_err = |source| IngestError::Parquet {
        path: tmp.clone(),
        source,
    };
    let mut writer = ArrowWriter::try_new(
        HashingWriter::new(file),
        batches
            .first()
            .map_or_else(|| table.file_schema(), RecordBatch::schema),
        Some(writer_properties(bloom_columns(table))),
    )
    .map_err(parquet_err)?;
    for batch in batches {
        writer.write(batch).map_err(parquet_err)?;
    }
    let (file, sha256, bytes) = writer.into_inner().map_err(parquet_err)?.finish();
    file.sync_all().map_err(write_err(&tmp))?;
    Ok((tmp, path, sha256, bytes))
}

/// Moves a written and fsynced temporary file to its name and fsyncs the
/// directory, so the file is either wholly there or not at all.
fn publish(tmp: &Path, path: &Path) -> Result<(), IngestError> {
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| IngestError::Write { path, source }
    };
    fs::rename(tmp, path).map_err(write_err(path))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Fsyncs a directory, so renames and deletes in it are durable.
fn sync_dir(dir: &Path) -> Result<(), IngestError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| IngestError::Write {
            path: dir.to_path_buf(),
            source,
        })
}

/// Replaces the file at `path` with `bytes`, atomically and durably (for
/// state kept beside the lake).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), IngestError> {
    let write_err = |source| IngestError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(write_err)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = File::create(&tmp).map_err(write_err)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(write_err)?;
    drop(file);
    publish(&tmp, path)
}

/// Checks a name that becomes part of a lake path (tenant): 1–64 of
/// `a-z A-Z 0-9 _ -`, not starting with `-`.
pub fn check_name(what: &'static str, value: &str) -> Result<(), IngestError> {
    let invalid = |why| {
        Err(IngestError::InvalidName {
            what,
            value: value.to_owned(),
            why,
        })
    };
    if value.is_empty() || value.len() > 64 {
        return invalid("must be 1 to 64 characters");
    }
    if value.starts_with('-') {
        return invalid("must not start with `-`");
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return invalid("only letters, digits, `_` and `-` are allowed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_lines_skip_the_dictionary_other_columns_keep_it() {
        let syslog = writer_properties(bloom_columns(Table::Syslog));
        let raw = ColumnPath::from("raw");
        assert!(!syslog.dictionary_enabled(&raw));
        assert_eq!(syslog.statistics_enabled(&raw), EnabledStatistics::None);
        assert_eq!(
            syslog.statistics_enabled(&ColumnPath::from("time")),
            EnabledStatistics::Page
        );
        for column in ["host", "app_name", "message"] {
            assert!(
                syslog.dictionary_enabled(&ColumnPath::from(column)),
                "{column}"
            );
        }
    }

    #[test]
    fn bloom_filters_go_on_lookup_columns_only() {
        let firewall = writer_properties(bloom_columns(Table::Firewall));
        for column in ["src_ip", "dst_ip"] {
            let path = ColumnPath::from(column);
            assert!(
                firewall.bloom_filter_properties(&path).is_some(),
                "{column}"
            );
        }
        let action = ColumnPath::from("action");
        assert!(firewall.bloom_filter_properties(&action).is_none());
        let syslog = writer_properties(bloom_columns(Table::Syslog));
        assert!(
            syslog
                .bloom_filter_properties(&ColumnPath::from("src_ip"))
                .is_none()
        );
    }
}
