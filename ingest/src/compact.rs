//! Compaction: the pipeline commits a small file per partition every few
//! seconds; this merges a partition's small files into one, rows sorted by
//! `time`, with the lake's writer settings.
//!
//! Only files the manifest lists as live are read (never a file a commit
//! has not finished), each checked against its SHA-256 first — a compaction
//! must not launder an altered file into a freshly hashed one. The merged
//! file is written and fsynced under a temporary name without holding the
//! manifest lock, so commits go on meanwhile; [`Lake::replace`] then makes
//! the change under the lock, if the inputs are still live and unchanged.

use std::collections::BTreeMap;

use arrow::array::RecordBatch;
use arrow::compute::{concat_batches, sort_to_indices, take_record_batch};
use bytes::Bytes;
use chrono::NaiveDate;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sha2::{Digest, Sha256};

use crate::batch::PartitionKey;
use crate::lake::{self, CommittedFile, partition_of};
use crate::manifest::{self, LiveFile};
use crate::{IngestError, Lake};

/// Default size below which files are merged, and the most a merge writes
/// from them (on-disk bytes of the inputs).
pub const DEFAULT_TARGET_BYTES: u64 = 64 * 1024 * 1024;

/// What to compact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactOptions {
    /// Files at least this large are left alone; the files merged into one
    /// add up to at most this (so their rows are held in memory at once:
    /// roughly ten times this once decompressed).
    pub target_bytes: u64,
    /// Only partitions dated before this (UTC), e.g. today for a running
    /// server whose pipeline still commits into today's partitions.
    pub before: Option<NaiveDate>,
    /// Report what would be merged without changing anything.
    pub dry_run: bool,
}

impl Default for CompactOptions {
    fn default() -> Self {
        Self {
            target_bytes: DEFAULT_TARGET_BYTES,
            before: None,
            dry_run: false,
        }
    }
}

/// One merge, done or (dry run) planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compacted {
    pub partition: PartitionKey,
    /// Files merged.
    pub files: usize,
    pub rows: u64,
    /// Bytes of the merged files.
    pub input_bytes: u64,
    /// Bytes of the new file (0 in a dry run).
    pub bytes: u64,
}

impl Lake {
    /// Merges the small files of every partition that has at least two.
    /// A partition whose files another writer changed meanwhile is left
    /// for the next run.
    pub fn compact(&self, options: &CompactOptions) -> Result<Vec<Compacted>, IngestError> {
        let live = {
            let _locked = self.lock_manifest()?;
            manifest::live_set(self.root())?.live
        };
        let mut done = Vec::new();
        for (partition, files) in plan(live.into_values(), options) {
            let input_bytes = files.iter().map(|f| f.bytes).sum();
            let rows = files.iter().map(|f| f.rows).sum();
            if options.dry_run {
                done.push(Compacted {
                    partition,
                    files: files.len(),
                    rows,
                    input_bytes,
                    bytes: 0,
                });
                continue;
            }
            let batch = merged(self, &files)?;
            let (tmp, path, sha256, bytes) = lake::write_file(
                &self.partition_dir(&partition),
                partition.table,
                std::slice::from_ref(&batch),
            )?;
            let new = CommittedFile {
                table: partition.table,
                path,
                rows: batch.num_rows(),
                bytes,
                sha256,
            };
            if self.replace(&files, Some((tmp, new)), "compaction")? {
                done.push(Compacted {
                    partition,
                    files: files.len(),
                    rows,
                    input_bytes,
                    bytes,
                });
            } else {
                tracing::info!(%partition, "partition changed during compaction; left for the next run");
            }
        }
        Ok(done)
    }
}

/// Per partition, the small files to merge (oldest name first — names
/// start with the commit time), when there are at least two.
fn plan(
    live: impl Iterator<Item = LiveFile>,
    options: &CompactOptions,
) -> BTreeMap<PartitionKey, Vec<LiveFile>> {
    let mut small: BTreeMap<PartitionKey, Vec<LiveFile>> = BTreeMap::new();
    for file in live {
        let Some(partition) = partition_of(&file.file) else {
            continue;
        };
        if file.bytes >= options.target_bytes
            || options
                .before
                .is_some_and(|before| partition.date >= before)
        {
            continue;
        }
        small.entry(partition).or_default().push(file);
    }
    small
        .into_iter()
        .filter_map(|(partition, mut files)| {
            files.sort_by(|a, b| a.file.cmp(&b.file));
            let mut total = 0;
            files.retain(|f| {
                total += f.bytes;
                total <= options.target_bytes
            });
            (files.len() >= 2).then_some((partition, files))
        })
        .collect()
}

/// The rows of `files`, checked against the manifest, in one batch sorted
/// by `time`.
fn merged(lake: &Lake, files: &[LiveFile]) -> Result<RecordBatch, IngestError> {
    let mut batches = Vec::new();
    for file in files {
        let path = lake.root().join(&file.file);
        let data = std::fs::read(&path).map_err(|source| IngestError::Read {
            path: path.clone(),
            source,
        })?;
        if manifest::hex(&Sha256::digest(&data)) != file.sha256 {
            return Err(IngestError::Tampered { path });
        }
        let parquet_err = |source| IngestError::Parquet {
            path: path.clone(),
            source,
        };
        let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(data))
            .and_then(|builder| builder.build())
            .map_err(parquet_err)?;
        for batch in reader {
            batches.push(batch.map_err(|source| IngestError::Arrow {
                table: "compaction input",
                source,
            })?);
        }
    }
    let arrow_err = |source| IngestError::Arrow {
        table: "compaction",
        source,
    };
    let compact_err = |why: &str| IngestError::Compact {
        path: files
            .first()
            .map(|f| lake.root().join(&f.file))
            .unwrap_or_default(),
        why: why.to_owned(),
    };
    let Some(schema) = batches.first().map(RecordBatch::schema) else {
        return Err(compact_err("the files hold no rows"));
    };
    let all = concat_batches(&schema, &batches).map_err(arrow_err)?;
    drop(batches);
    let Some(time) = all.column_by_name("time") else {
        return Err(compact_err("the files have no `time` column"));
    };
    let order = sort_to_indices(time, None, None).map_err(arrow_err)?;
    take_record_batch(&all, &order).map_err(arrow_err)
}
