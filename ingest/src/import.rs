//! Batch import of log files into the lake (`bannin ingest FILE...`).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use bannin_parsers::ParseContext;
use chrono::{DateTime, FixedOffset, Utc};

use crate::batch::Body;
use crate::lake::{CommittedFile, check_name};
use crate::lines::BoundedLines;
use crate::route::route;
use crate::{Format, IngestError, Lake, Partitions};

/// Rows buffered before they are written out as files.
const FLUSH_ROWS: usize = 200_000;

/// How inputs are imported.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub format: Format,
    /// Municipality / organisation id; becomes the `tenant=` partition.
    pub tenant: String,
    /// Source name; defaults to the input file's name.
    pub source: Option<String>,
    /// 三層 zone of the source (`mynumber`, `lgwan`, `internet`), if known.
    pub segment: Option<String>,
    /// UTC offset for timestamps that carry none.
    pub offset: FixedOffset,
    /// Longer lines are cut to this and kept as `unparsed`.
    pub max_line_bytes: usize,
    /// Accounts whose logins are privileged (特権ID), compared ignoring case.
    pub privileged_accounts: Vec<String>,
}

/// What happened to the lines of one or more inputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportStats {
    /// Lines read, empty ones included.
    pub lines: u64,
    /// Empty (or whitespace-only) lines: no record, nothing to keep.
    pub empty: u64,
    pub syslog: u64,
    pub auth: u64,
    pub proxy: u64,
    pub firewall: u64,
    pub unparsed: u64,
}

impl ImportStats {
    /// Records kept in the lake: every non-empty line, exactly once.
    pub fn records(&self) -> u64 {
        self.syslog + self.auth + self.proxy + self.firewall + self.unparsed
    }

    fn add(&mut self, other: &ImportStats) {
        self.lines += other.lines;
        self.empty += other.empty;
        self.syslog += other.syslog;
        self.auth += other.auth;
        self.proxy += other.proxy;
        self.firewall += other.firewall;
        self.unparsed += other.unparsed;
    }
}

/// Imports inputs into a lake, flushing to Parquet as it goes.
pub struct Importer<'l> {
    lake: &'l Lake,
    options: ImportOptions,
    pending: Partitions,
    committed: Vec<CommittedFile>,
    totals: ImportStats,
}

impl<'l> Importer<'l> {
    pub fn new(lake: &'l Lake, options: ImportOptions) -> Result<Self, IngestError> {
        check_name("tenant", &options.tenant)?;
        Ok(Self {
            lake,
            options,
            pending: Partitions::default(),
            committed: Vec::new(),
            totals: ImportStats::default(),
        })
    }

    /// Imports one file. Timestamps without a year are placed relative to
    /// the file's modification time, so old files get their own year.
    pub fn import_file(&mut self, path: &Path) -> Result<ImportStats, IngestError> {
        let read_err = |source| IngestError::Read {
            path: path.to_path_buf(),
            source,
        };
        let input = InputFile::open(path)?;
        let source = self.options.source.clone().unwrap_or(input.name);
        let (file, reference) = (input.reader, input.reference);
        self.import_reader(file, &source, reference)
            .map_err(|e| match e {
                ImportReadError::Io(source) => read_err(source),
                ImportReadError::Ingest(e) => e,
            })
    }

    /// Imports every line of `reader`; `reference` anchors year-less times.
    pub fn import_reader(
        &mut self,
        reader: impl BufRead,
        source: &str,
        reference: DateTime<Utc>,
    ) -> Result<ImportStats, ImportReadError> {
        let ctx = ParseContext {
            reference,
            offset: self.options.offset,
        };
        let mut lines = BoundedLines::new(reader, self.options.max_line_bytes);
        let mut stats = ImportStats::default();
        while let Some(line) = lines.next_line().map_err(ImportReadError::Io)? {
            stats.lines += 1;
            let received_at = Utc::now();
            let Some(row) = route(&line, &ctx, source, received_at, &self.options) else {
                stats.empty += 1;
                continue;
            };
            match row.body {
                Body::Syslog(_) => stats.syslog += 1,
                Body::Auth { .. } => stats.auth += 1,
                Body::Proxy(_) => stats.proxy += 1,
                Body::Firewall(_) => stats.firewall += 1,
                Body::Unparsed { .. } => stats.unparsed += 1,
            }
            self.pending.push(&self.options.tenant, row);
            if self.pending.row_count() >= FLUSH_ROWS {
                self.flush().map_err(ImportReadError::Ingest)?;
            }
        }
        self.totals.add(&stats);
        Ok(stats)
    }

    fn flush(&mut self) -> Result<(), IngestError> {
        let pending = std::mem::take(&mut self.pending);
        if !pending.is_empty() {
            self.committed.extend(self.lake.commit(pending)?);
        }
        Ok(())
    }

    /// Writes what is still pending; returns the totals and every file.
    pub fn finish(mut self) -> Result<(ImportStats, Vec<CommittedFile>), IngestError> {
        self.flush()?;
        Ok((self.totals, self.committed))
    }
}

/// A log file opened for reading.
pub struct InputFile {
    pub reader: BufReader<File>,
    /// The file's name, the default source name.
    pub name: String,
    /// The file's modification time (now, if unknown): year-less timestamps
    /// are placed relative to it.
    pub reference: DateTime<Utc>,
}

impl InputFile {
    /// Opens `path`; a directory or unreadable file is a clear error.
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        let read_err = |source| IngestError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(read_err)?;
        let metadata = file.metadata().map_err(read_err)?;
        if metadata.is_dir() {
            return Err(read_err(std::io::Error::other("is a directory")));
        }
        let reference = metadata
            .modified()
            .map(DateTime::<Utc>::from)
            .unwrap_or_else(|_| Utc::now());
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        Ok(Self {
            reader: BufReader::new(file),
            name,
            reference,
        })
    }
}

/// Failure while importing from a reader.
#[derive(Debug, thiserror::Error)]
pub enum ImportReadError {
    #[error("read failed: {0}")]
    Io(std::io::Error),
    #[error(transparent)]
    Ingest(IngestError),
}
