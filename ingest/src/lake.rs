//! The Parquet lake on local disk:
//! `<root>/<table>/tenant=<t>/date=YYYY-MM-DD/part-*.parquet`.
//!
//! A file is written under a temporary name, fsynced, renamed into place and
//! its directory fsynced, so a reader never sees half a file. Rows inside a
//! file are sorted by `time`; compression is zstd; statistics are on. Each
//! commit is then listed in the hash-chained [`manifest`](crate::manifest).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::WriterProperties;

use crate::batch::PartitionKey;
use crate::checkpoint::Checkpoint;
use crate::manifest::{self, HashingWriter};
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

    fn partition_dir(&self, key: &PartitionKey) -> PathBuf {
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
            .map(|(key, batch)| {
                let dir = self.partition_dir(&key);
                let (tmp, path, sha256, bytes) = write_file(&dir, &batch)?;
                Ok((
                    tmp,
                    CommittedFile {
                        table: key.table,
                        path,
                        rows: batch.num_rows(),
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
    /// that did not reach their names, deletes the temporary files of
    /// commits that never reached the manifest, and cuts a torn manifest
    /// line. Returns the highest WAL LSN committed.
    pub fn recover(&self) -> Result<Option<u64>, IngestError> {
        let _locked = self.lock_manifest()?;
        manifest::repair_tail(&self.root)?;
        let entries = manifest::entries(&self.root)?;
        for entry in &entries {
            let path = self.root.join(&entry.file);
            let tmp = temporary_name(&path);
            if !path.exists() && tmp.exists() {
                publish(&tmp, &path)?;
            }
        }
        for table in Table::ALL {
            remove_temporaries(&self.table_dir(table))?;
        }
        Ok(entries.iter().filter_map(|e| e.wal_lsn).max())
    }

    /// An exclusive lock on the manifest, held until the file is dropped.
    fn lock_manifest(&self) -> Result<File, IngestError> {
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

/// `dir/part-X.parquet` → `dir/.part-X.tmp`.
fn temporary_name(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{stem}.tmp"))
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

fn writer_properties() -> WriterProperties {
    let zstd = ZstdLevel::try_new(3).unwrap_or_default();
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(zstd))
        .set_sorting_columns(Some(vec![SortingColumn {
            column_idx: 0,
            descending: false,
            nulls_first: false,
        }]))
        .build()
}

/// Writes one file under its temporary name, fsynced; returns that name,
/// the final one, the SHA-256 and the size.
fn write_file(
    dir: &Path,
    batch: &RecordBatch,
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
        batch.schema(),
        Some(writer_properties()),
    )
    .map_err(parquet_err)?;
    writer.write(batch).map_err(parquet_err)?;
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
    let dir = path.parent().unwrap_or(Path::new("."));
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(write_err(dir))
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
