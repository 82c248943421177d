//! Batch import of log files into the lake (`bannin ingest FILE...`).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use bannin_parsers::postfix::State;
use chrono::{DateTime, FixedOffset, Utc};

use crate::decode::Charset;
use crate::lake::{CommittedFile, check_name};
use crate::read::{ImportReadError, ImportStats, read_input};
use crate::route::Router;
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
    /// Character set of the inputs.
    pub charset: Charset,
    /// The municipality's mail domains, for the `direction` of mail.
    pub local_domains: Vec<String>,
    /// Where state that outlives one import is kept (mail correlation);
    /// `None` keeps it in memory only.
    pub state_dir: Option<PathBuf>,
}

impl ImportOptions {
    /// Options with the built-in defaults: JST, 64 KiB lines, the usual
    /// privileged account names, charset auto, no mail domains, no state
    /// kept between imports.
    pub fn new(format: Format, tenant: &str) -> Self {
        Self {
            format,
            tenant: tenant.to_owned(),
            source: None,
            segment: None,
            offset: bannin_parsers::context::jst(),
            max_line_bytes: 64 * 1024,
            privileged_accounts: vec!["root".into(), "administrator".into(), "admin".into()],
            charset: Charset::Auto,
            local_domains: Vec::new(),
            state_dir: None,
        }
    }
}

/// Imports inputs into a lake, flushing to Parquet as it goes.
pub struct Importer<'l> {
    lake: &'l Lake,
    router: Router,
    pending: Partitions,
    committed: Vec<CommittedFile>,
    totals: ImportStats,
}

impl<'l> Importer<'l> {
    pub fn new(lake: &'l Lake, options: ImportOptions) -> Result<Self, IngestError> {
        check_name("tenant", &options.tenant)?;
        let mut router = Router::new(options);
        if let Some(state) = load_mail_state(router.options())? {
            router.mail().restore(state);
        }
        Ok(Self {
            lake,
            router,
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
        let source = self.router.options().source.clone().unwrap_or(input.name);
        let (file, reference) = (input.reader, input.reference);
        self.import_reader(file, &source, reference)
            .map_err(|e| match e {
                ImportReadError::Io(source) => read_err(source),
                ImportReadError::Ingest(e) => e,
            })
    }

    /// Imports every record of `reader` (see [`read_input`]);
    /// `reference` anchors year-less times.
    pub fn import_reader(
        &mut self,
        reader: impl BufRead,
        source: &str,
        reference: DateTime<Utc>,
    ) -> Result<ImportStats, ImportReadError> {
        let tenant = self.router.options().tenant.clone();
        let (lake, pending, committed) = (self.lake, &mut self.pending, &mut self.committed);
        let stats = read_input(&mut self.router, reader, source, reference, |rows| {
            for row in rows {
                pending.push(&tenant, row);
            }
            if pending.row_count() >= FLUSH_ROWS {
                committed.extend(lake.commit(std::mem::take(pending))?);
            }
            Ok(())
        })?;
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
    /// Also keeps the mail correlation for the next import, after the
    /// rows are committed (a crash in between repeats correlation, never
    /// loses it).
    pub fn finish(mut self) -> Result<(ImportStats, Vec<CommittedFile>), IngestError> {
        self.flush()?;
        save_mail_state(&mut self.router)?;
        Ok((self.totals, self.committed))
    }
}

/// Where the mail correlation is kept between imports.
/// One file per tenant (and per source, when the options name one).
fn mail_state_path(options: &ImportOptions) -> Option<PathBuf> {
    let dir = options.state_dir.as_ref()?;
    let source: String = options
        .source
        .as_deref()
        .map(|s| {
            let safe: String = s
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("-{safe}")
        })
        .unwrap_or_default();
    Some(dir.join(format!("mail-correlation-{}{source}.json", options.tenant)))
}

pub(crate) fn load_mail_state(options: &ImportOptions) -> Result<Option<State>, IngestError> {
    let Some(path) = mail_state_path(options) else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(IngestError::Read { path, source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| IngestError::State {
            path,
            reason: e.to_string(),
        })
}

pub(crate) fn save_mail_state(router: &mut Router) -> Result<(), IngestError> {
    let Some(path) = mail_state_path(router.options()) else {
        return Ok(());
    };
    let mail = router.mail();
    if let Some(latest) = mail.latest() {
        mail.prune(latest);
    }
    let text = serde_json::to_string(&mail.state()).map_err(|e| IngestError::State {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    crate::lake::write_atomically(&path, text.as_bytes())
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
