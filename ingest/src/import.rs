//! Batch import of log files into the lake (`bannin ingest FILE...`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bannin_parsers::postfix::State;
use chrono::{DateTime, FixedOffset, Utc};
use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use crate::batch::Row;
use crate::checkpoint::{Checkpoint, Checkpoints, Identity, read_exact_at};
use crate::decode::Charset;
use crate::lake::{CommittedFile, check_name};
use crate::lines::BoundedLines;
use crate::manifest::hex;
use crate::read::{ImportReadError, ImportStats, Start, read_input_at};
use crate::route::Router;
use crate::{Format, IngestError, Lake, Partitions};

/// Rows committed at a time unless [`Importer::commit_every`] says
/// otherwise.
const COMMIT_ROWS: usize = 200_000;

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

/// What importing one file did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileImport {
    /// Lines read by this import (after `resumed_from`).
    pub stats: ImportStats,
    /// The byte offset reading started at: 0, or the file's checkpoint.
    pub resumed_from: u64,
    /// The file was already wholly imported: nothing was read.
    pub already_imported: bool,
}

/// How far reading has got, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub path: &'a Path,
    /// Bytes of the file read so far (of the compressed file for gzip).
    pub bytes: u64,
    /// Lines read so far by this import of the file.
    pub lines: u64,
}

/// Called with the progress of the file being read.
pub type ProgressFn<'l> = Box<dyn FnMut(Progress<'_>) + 'l>;

/// A file being read, for its checkpoints.
pub(crate) struct Tracked<'a> {
    pub path: &'a Path,
    pub identity: &'a Identity,
    pub source: &'a str,
    pub reference: DateTime<Utc>,
    /// Bytes of the file read, for progress.
    pub bytes_read: &'a AtomicU64,
}

/// Imports inputs into a lake, committing every so many rows. Each commit
/// records how far every file it holds was read, so importing a file again
/// resumes after what is already in the lake (see [`checkpoint`]).
///
/// [`checkpoint`]: crate::checkpoint
pub struct Importer<'l> {
    router: Router,
    committer: Committer<'l>,
    totals: ImportStats,
    again: bool,
    progress: Option<ProgressFn<'l>>,
}

/// Pending rows, the checkpoints they reach, and committing them.
struct Committer<'l> {
    lake: &'l Lake,
    tenant: String,
    pending: Partitions,
    /// The position reached in each file whose rows are pending.
    pending_inputs: BTreeMap<(u64, u64), Checkpoint>,
    commit_rows: usize,
    committed: Vec<CommittedFile>,
    /// The latest checkpoint of every file: from the manifest, then as
    /// read in this run.
    checkpoints: Checkpoints,
}

impl Committer<'_> {
    fn push(&mut self, rows: Vec<Row>, checkpoint: Option<Checkpoint>) -> Result<(), IngestError> {
        for row in rows {
            self.pending.push(&self.tenant, row)?;
        }
        if let Some(checkpoint) = checkpoint {
            // Known at once, so the same file named twice in one run is
            // not read twice; a crash loses it with the pending rows.
            self.checkpoints.record(checkpoint.clone());
            self.pending_inputs
                .insert((checkpoint.dev, checkpoint.ino), checkpoint);
        }
        Ok(())
    }

    fn due(&self) -> bool {
        self.pending.row_count() >= self.commit_rows
    }

    /// Commits the pending rows with the checkpoints they reach, then keeps
    /// the mail correlation as it is after them. Without pending rows
    /// nothing is written (a manifest entry names a file); the checkpoints
    /// wait for the next commit.
    fn commit(&mut self, router: &mut Router) -> Result<(), IngestError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut inputs: Vec<Checkpoint> = std::mem::take(&mut self.pending_inputs)
            .into_values()
            .collect();
        // With checkpoints, the mail correlation as of this commit is
        // written first and named in it, and only then put in place: a
        // crash in between is settled by the next run (see
        // `settle_mail_state`), so state and checkpoints stay in step.
        let state = match mail_state_text(router, false)? {
            Some((path, text)) if !inputs.is_empty() => {
                let next = next_state_path(&path);
                crate::lake::write_atomically(&next, text.as_bytes())?;
                let sha = hex(&Sha256::digest(text.as_bytes()));
                for input in &mut inputs {
                    input.mail_state = Some(sha.clone());
                }
                Some((path, next, text))
            }
            Some((path, text)) => Some((path.clone(), path, text)),
            None => None,
        };
        let files = self
            .lake
            .commit_inputs(std::mem::take(&mut self.pending), &inputs)?;
        self.committed.extend(files);
        if let Some((path, next, text)) = state {
            crate::lake::write_atomically(&path, text.as_bytes())?;
            if next != path {
                std::fs::remove_file(&next)
                    .map_err(|source| IngestError::Write { path: next, source })?;
            }
        }
        Ok(())
    }
}

impl<'l> Importer<'l> {
    pub fn new(lake: &'l Lake, options: ImportOptions) -> Result<Self, IngestError> {
        check_name("tenant", &options.tenant)?;
        let tenant = options.tenant.clone();
        let checkpoints = Checkpoints::load(lake.root())?;
        settle_mail_state(&options, &checkpoints)?;
        let mut router = Router::new(options);
        if let Some(state) = load_mail_state(router.options())? {
            router.mail().restore(state);
        }
        Ok(Self {
            router,
            committer: Committer {
                lake,
                tenant,
                pending: Partitions::default(),
                pending_inputs: BTreeMap::new(),
                commit_rows: COMMIT_ROWS,
                committed: Vec::new(),
                checkpoints,
            },
            totals: ImportStats::default(),
            again: false,
            progress: None,
        })
    }

    /// Commits whenever this many rows are pending (at least 1).
    pub fn commit_every(mut self, rows: usize) -> Self {
        self.committer.commit_rows = rows.max(1);
        self
    }

    /// Imports files from their start even when checkpoints say they were
    /// imported (`bannin ingest --again`); new checkpoints are still kept.
    pub fn again(mut self, again: bool) -> Self {
        self.again = again;
        self
    }

    /// Calls `progress` as each file is read.
    pub fn on_progress(mut self, progress: impl FnMut(Progress<'_>) + 'l) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    pub(crate) fn router(&mut self) -> &mut Router {
        &mut self.router
    }

    /// The latest checkpoint of the open `file`, unless importing again.
    pub(crate) fn checkpoint_of(
        &self,
        file: &File,
        gzip: bool,
    ) -> std::io::Result<Option<Checkpoint>> {
        if self.again {
            return Ok(None);
        }
        Ok(self.committer.checkpoints.find(file, gzip)?.cloned())
    }

    /// Imports one file, from its checkpoint when part of it was imported
    /// before (nothing, when all of it was). Timestamps without a year are
    /// placed relative to the file's modification time, so old files get
    /// their own year. Gzip files are decompressed.
    pub fn import_file(&mut self, path: &Path) -> Result<FileImport, IngestError> {
        let read_err = |source| IngestError::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut input = InputFile::open(path)?;
        let identity = Identity::of(&input.file).map_err(read_err)?;
        let known = self
            .checkpoint_of(&input.file, input.gzip)
            .map_err(read_err)?;
        let size = input.file.metadata().map_err(read_err)?.len();
        let resume = match known {
            // A plain file may have grown since; a gzip file does not.
            Some(c) if (input.gzip && c.complete) || (!input.gzip && c.offset >= size) => {
                return Ok(FileImport {
                    stats: ImportStats::default(),
                    resumed_from: c.offset,
                    already_imported: true,
                });
            }
            Some(c) => c.offset,
            None => 0,
        };
        let source = self
            .router
            .options()
            .source
            .clone()
            .unwrap_or_else(|| input.name.clone());
        let start = if resume == 0 {
            Start::Beginning
        } else {
            self.replay_headers(input.prefix(resume).map_err(read_err)?)
                .map_err(read_err)?;
            input.skip_to(resume).map_err(read_err)?;
            Start::Continued
        };
        let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
        let tracked = Tracked {
            path: &input.path,
            identity: &identity,
            source: &source,
            reference: input.reference,
            bytes_read: &input.bytes_read,
        };
        let (stats, end) = self
            .read_tracked(Some(&tracked), reader, start, resume)
            .map_err(|e| e.reading(path))?;
        self.committer
            .push(Vec::new(), Some(identity.at(&input.path, end, true)))?;
        Ok(FileImport {
            stats,
            resumed_from: resume,
            already_imported: false,
        })
    }

    /// Before resuming an input in the middle: starts it afresh and reads
    /// its header lines (W3C `#Fields:`) from `prefix`, the part already
    /// imported, so the lines after it are read as they were meant to be.
    /// Nothing of the prefix is kept.
    pub(crate) fn replay_headers(&mut self, prefix: impl BufRead) -> std::io::Result<()> {
        self.router.start_input();
        if !matches!(self.router.options().format, Format::Auto | Format::W3c) {
            return Ok(());
        }
        let ctx = bannin_parsers::ParseContext {
            reference: Utc::now(),
            offset: self.router.options().offset,
        };
        let mut lines = BoundedLines::new(prefix, self.router.options().max_line_bytes);
        let mut scratch = Vec::new();
        let source: std::sync::Arc<str> = "replay".into();
        while let Some(line) = lines.next_line()? {
            if line.bytes.first() == Some(&b'#') {
                self.router
                    .route(line.as_ref(), &ctx, &source, Utc::now(), &mut scratch);
                scratch.clear();
            }
        }
        Ok(())
    }

    /// Imports every record of `reader` (see [`read_input`](crate::read_input));
    /// `reference` anchors year-less times. No checkpoint is kept for it.
    pub fn import_reader(
        &mut self,
        reader: impl BufRead,
        source: &str,
        reference: DateTime<Utc>,
    ) -> Result<ImportStats, ImportReadError> {
        let tracked = None::<&Tracked<'_>>;
        self.read_with(tracked, reader, source, reference, Start::Beginning, 0)
            .map(|(stats, _)| stats)
    }

    /// Reads `reader`, which starts at byte `base` of the tracked file;
    /// returns what was read and the offset reached (the end of its last
    /// line).
    pub(crate) fn read_tracked(
        &mut self,
        input: Option<&Tracked<'_>>,
        reader: impl BufRead,
        start: Start,
        base: u64,
    ) -> Result<(ImportStats, u64), ImportReadError> {
        let (source, reference) = match input {
            Some(t) => (t.source.to_owned(), t.reference),
            None => (String::new(), Utc::now()),
        };
        self.read_with(input, reader, &source, reference, start, base)
    }

    fn read_with(
        &mut self,
        input: Option<&Tracked<'_>>,
        reader: impl BufRead,
        source: &str,
        reference: DateTime<Utc>,
        start: Start,
        base: u64,
    ) -> Result<(ImportStats, u64), ImportReadError> {
        let (committer, progress) = (&mut self.committer, &mut self.progress);
        let mut end = base;
        let stats = read_input_at(
            &mut self.router,
            reader,
            source,
            reference,
            start,
            |router, chunk| {
                if let Some(at) = chunk.at {
                    end = base + at;
                }
                let checkpoint = match (input, chunk.at) {
                    (Some(t), Some(at)) => Some(t.identity.at(t.path, base + at, false)),
                    _ => None,
                };
                committer.push(chunk.rows, checkpoint)?;
                if let (Some(t), Some(report)) = (input, progress.as_mut()) {
                    report(Progress {
                        path: t.path,
                        bytes: t.bytes_read.load(Ordering::Relaxed),
                        lines: chunk.lines,
                    });
                }
                // Inside a JSON document there is no position to resume from:
                // its rows are committed once it is read whole.
                if chunk.at.is_some() && committer.due() {
                    committer.commit(router)?;
                }
                Ok(())
            },
        )?;
        self.totals.add(&stats);
        Ok((stats, end))
    }

    /// Commits what is pending, with the checkpoints it reaches.
    pub fn commit(&mut self) -> Result<(), IngestError> {
        self.committer.commit(&mut self.router)
    }

    /// Rows read but not yet committed.
    pub fn pending_rows(&self) -> usize {
        self.committer.pending.row_count()
    }

    /// Writes what is still pending; returns the totals and every file.
    /// Also keeps the mail correlation for the next import, after the
    /// rows are committed (a crash in between repeats correlation, never
    /// loses it).
    pub fn finish(mut self) -> Result<(ImportStats, Vec<CommittedFile>), IngestError> {
        self.committer.commit(&mut self.router)?;
        save_mail_state(&mut self.router, true)?;
        Ok((self.totals, self.committer.committed))
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

/// Keeps the mail correlation; `prune` forgets messages too old to be
/// completed (done at the end of an import, not between its commits).
pub(crate) fn save_mail_state(router: &mut Router, prune: bool) -> Result<(), IngestError> {
    match mail_state_text(router, prune)? {
        Some((path, text)) => crate::lake::write_atomically(&path, text.as_bytes()),
        None => Ok(()),
    }
}

/// Where the mail correlation is and its JSON, if it is kept.
fn mail_state_text(
    router: &mut Router,
    prune: bool,
) -> Result<Option<(PathBuf, String)>, IngestError> {
    let Some(path) = mail_state_path(router.options()) else {
        return Ok(None);
    };
    let mail = router.mail();
    if prune && let Some(latest) = mail.latest() {
        mail.prune(latest);
    }
    let text = serde_json::to_string(&mail.state()).map_err(|e| IngestError::State {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    Ok(Some((path, text)))
}

/// `mail-correlation-….json` → `mail-correlation-….json.next`: the state
/// of a commit being made.
fn next_state_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".next");
    PathBuf::from(name)
}

/// After a crash between a commit and the save of the mail correlation
/// that goes with it: the state written before the commit (`.next`) is
/// kept if the manifest names it (the commit happened), else dropped.
fn settle_mail_state(options: &ImportOptions, known: &Checkpoints) -> Result<(), IngestError> {
    let Some(path) = mail_state_path(options) else {
        return Ok(());
    };
    let next = next_state_path(&path);
    let text = match std::fs::read(&next) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(IngestError::Read { path: next, source }),
    };
    if known.has_mail_state(&hex(&Sha256::digest(&text))) {
        tracing::info!(path = %path.display(), "keeping the mail correlation of the last commit");
        crate::lake::write_atomically(&path, &text)?;
    }
    std::fs::remove_file(&next).map_err(|source| IngestError::Write { path: next, source })
}

/// A log file opened for reading: plain, or gzip-compressed (recognised
/// by its magic bytes, whatever its name).
pub struct InputFile {
    pub reader: Box<dyn BufRead + Send>,
    /// The file's name, the default source name.
    pub name: String,
    /// The file's modification time (now, if unknown): year-less timestamps
    /// are placed relative to it.
    pub reference: DateTime<Utc>,
    /// The path it was opened by, canonical when possible.
    pub path: PathBuf,
    /// The open file (its identity, size, and further readers).
    pub file: Arc<File>,
    pub gzip: bool,
    /// Bytes of the file read so far (compressed bytes for gzip).
    pub bytes_read: Arc<AtomicU64>,
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
        let mut magic = [0u8; 2];
        let gzip = read_exact_at(&file, &mut magic, 0).is_ok() && magic == GZIP_MAGIC;
        let file = Arc::new(file);
        let bytes_read = Arc::new(AtomicU64::new(0));
        let reader = open_reader(&file, gzip, 0, &bytes_read).map_err(read_err)?;
        Ok(Self {
            reader,
            name,
            reference,
            path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
            file,
            gzip,
            bytes_read,
        })
    }

    /// Moves `reader` to byte `offset` (of the decompressed stream, for
    /// gzip).
    pub fn skip_to(&mut self, offset: u64) -> std::io::Result<()> {
        self.reader = open_reader(&self.file, self.gzip, offset, &self.bytes_read)?;
        Ok(())
    }

    /// A reader of the input's first `len` bytes, on its own position.
    pub fn prefix(&self, len: u64) -> std::io::Result<Box<dyn BufRead + Send>> {
        let unread = Arc::new(AtomicU64::new(0));
        let reader = open_reader(&self.file, self.gzip, 0, &unread)?;
        Ok(Box::new(BufReader::new(reader.take(len))))
    }
}

/// The first bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A buffered reader of `file` from `offset`, decompressing gzip, that
/// counts the file's bytes it reads in `counter`.
fn open_reader(
    file: &Arc<File>,
    gzip: bool,
    offset: u64,
    counter: &Arc<AtomicU64>,
) -> std::io::Result<Box<dyn BufRead + Send>> {
    let at = |pos| FileAt {
        file: Arc::clone(file),
        pos,
        counter: Arc::clone(counter),
    };
    if !gzip {
        counter.store(offset, Ordering::Relaxed);
        return Ok(Box::new(BufReader::new(at(offset))));
    }
    counter.store(0, Ordering::Relaxed);
    let mut reader = BufReader::new(MultiGzDecoder::new(BufReader::new(at(0))));
    std::io::copy(&mut (&mut reader).take(offset), &mut std::io::sink())?;
    Ok(Box::new(reader))
}

/// Reads a shared file from its own position (no shared cursor), counting
/// the bytes read.
pub(crate) struct FileAt {
    pub file: Arc<File>,
    pub pos: u64,
    pub counter: Arc<AtomicU64>,
}

impl Read for FileAt {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
