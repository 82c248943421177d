//! `bannin ingest --follow`: keeps reading files as they grow, like
//! `tail -F`, committing at least every `flush` interval with the
//! checkpoint of each file, so a restart resumes exactly.
//!
//! Each path is polled (no inotify: one `stat` and one `fstat` per path
//! and poll). What it handles:
//!
//! - growth: complete lines are read; a last line without its newline
//!   waits until the newline comes — it is not imported (nor checkpointed)
//!   half-written;
//! - rotation by rename (`app.log` → `app.log.1`, a new `app.log`): once
//!   the path names another file, the old one is read to its end (a last
//!   line without newline included) and the new one from its start (or
//!   its checkpoint);
//! - copytruncate (the file is copied, then truncated in place): when the
//!   file is shorter than what was read, it is read again from the start;
//! - a path that does not exist yet: it is read once it appears.
//!
//! Lines an application writes to a renamed file after the new file has
//! appeared and the old one was read to its end are not read (as with
//! `tail -F`); a restart passed the rotated name too resumes it from its
//! checkpoint. Gzip files are imported once, not followed (one that
//! appears later at a followed path is an error). Inputs are read line by line (a cloud log written as one
//! JSON document is not).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::checkpoint::{HEAD_BYTES, Identity, dev_ino};
use crate::format::InputState;
use crate::import::{FileAt, Tracked};
use crate::read::Start;
use crate::{ImportStats, Importer, IngestError, InputFile};

/// Most bytes read from one file per poll, so that one busy file does not
/// hold up the others or the commits.
const MAX_READ: u64 = 4 * 1024 * 1024;

/// How `--follow` polls and commits.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    /// Pause between polls when nothing new was read.
    pub poll: Duration,
    /// Pending rows are committed at least this often.
    pub flush: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            poll: Duration::from_millis(250),
            flush: Duration::from_secs(5),
        }
    }
}

/// A file being followed.
struct Open {
    file: Arc<File>,
    identity: Identity,
    /// Bytes read (the end of the last complete line read).
    offset: u64,
    /// The file's format state (a W3C header) while another is read.
    state: InputState,
    path: PathBuf,
    source: String,
    reference: DateTime<Utc>,
    bytes_read: Arc<AtomicU64>,
}

/// Follows `paths` until `stop` is set, then commits what is pending.
/// Returns what was read per path (by the name given).
pub fn follow(
    importer: &mut Importer<'_>,
    paths: &[PathBuf],
    options: FollowOptions,
    stop: &AtomicBool,
) -> Result<BTreeMap<PathBuf, ImportStats>, IngestError> {
    let mut stats: BTreeMap<PathBuf, ImportStats> = BTreeMap::new();
    // Compressed files (rotated logs beside the live one) do not grow:
    // they are imported once.
    let mut paths = paths.to_vec();
    let mut compressed = Vec::new();
    paths.retain(|path| {
        let gzip = path.exists() && InputFile::open(path).is_ok_and(|input| input.gzip);
        if gzip {
            compressed.push(path.clone());
        }
        !gzip
    });
    for path in compressed {
        let imported = importer.import_file(&path)?;
        stats.entry(path).or_default().add(&imported.stats);
    }
    let mut open: Vec<Option<Open>> = paths.iter().map(|_| None).collect();
    let mut last_commit = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let mut busy = false;
        for (path, slot) in paths.iter().zip(open.iter_mut()) {
            let total = stats.entry(path.clone()).or_default();
            busy |= poll_path(importer, path, slot, total)?;
        }
        if importer.pending_rows() > 0 && last_commit.elapsed() >= options.flush {
            importer.commit()?;
            last_commit = Instant::now();
        }
        if !busy {
            sleep_unless_stopped(options.poll, stop);
        }
    }
    importer.commit()?;
    Ok(stats)
}

/// Sleeps `pause`, waking early when `stop` is set.
fn sleep_unless_stopped(pause: Duration, stop: &AtomicBool) {
    let until = Instant::now() + pause;
    while !stop.load(Ordering::Relaxed) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// Handles one path: opens it when it appears, notices rotation, reads
/// what was appended. True when something was read.
fn poll_path(
    importer: &mut Importer<'_>,
    path: &Path,
    slot: &mut Option<Open>,
    total: &mut ImportStats,
) -> Result<bool, IngestError> {
    let read_err = |source| IngestError::Read {
        path: path.to_path_buf(),
        source,
    };
    let now_at_path = match std::fs::metadata(path) {
        Ok(metadata) => Some(dev_ino(&metadata)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(read_err(source)),
    };
    let rotated = match (&slot, now_at_path) {
        (Some(current), Some(key)) => key != (current.identity.dev, current.identity.ino),
        _ => false,
    };
    if rotated && let Some(mut old) = slot.take() {
        tracing::info!(path = %path.display(), "rotated: reading the old file to its end");
        while read_appended(importer, &mut old, true, total)? {}
    }
    if slot.is_none() {
        if now_at_path.is_none() {
            return Ok(false);
        }
        *slot = Some(open(importer, path)?);
    }
    match slot {
        Some(current) => read_appended(importer, current, false, total),
        None => Ok(false),
    }
}

/// Opens the file at `path`, positioned at its checkpoint.
fn open(importer: &mut Importer<'_>, path: &Path) -> Result<Open, IngestError> {
    let read_err = |source| IngestError::Read {
        path: path.to_path_buf(),
        source,
    };
    let input = InputFile::open(path)?;
    if input.gzip {
        return Err(read_err(std::io::Error::other(
            "gzip files cannot be followed; import them without --follow",
        )));
    }
    let identity = Identity::of(&input.file).map_err(read_err)?;
    let offset = importer
        .checkpoint_of(&input.file, false)
        .map_err(read_err)?
        .map_or(0, |c| c.offset);
    importer
        .replay_headers(input.prefix(offset).map_err(read_err)?)
        .map_err(read_err)?;
    let state = std::mem::take(importer.router().input_state());
    if offset > 0 {
        tracing::info!(path = %path.display(), offset, "resuming after the last commit");
    }
    let source = importer
        .router()
        .options()
        .source
        .clone()
        .unwrap_or_else(|| input.name.clone());
    Ok(Open {
        file: input.file,
        identity,
        offset,
        state,
        path: input.path,
        source,
        reference: input.reference,
        bytes_read: input.bytes_read,
    })
}

/// Reads the complete lines appended to `open` since the last read (at
/// most [`MAX_READ`] bytes); with `drain`, a last line without newline
/// too (the file will not grow any more). True when something was read.
fn read_appended(
    importer: &mut Importer<'_>,
    open: &mut Open,
    drain: bool,
    total: &mut ImportStats,
) -> Result<bool, IngestError> {
    let read_err = |source| IngestError::Read {
        path: open.path.clone(),
        source,
    };
    let size = open.file.metadata().map_err(read_err)?.len();
    if size == open.offset {
        return Ok(false);
    }
    if size < open.offset || !open.identity.still_matches(&open.file).map_err(read_err)? {
        tracing::warn!(
            path = %open.path.display(),
            size,
            offset = open.offset,
            "truncated (copytruncate): reading it again from the start"
        );
        open.offset = 0;
        open.state = InputState::default();
        open.identity = Identity::of(&open.file).map_err(read_err)?;
    }
    let mut bytes = Vec::new();
    FileAt {
        file: Arc::clone(&open.file),
        pos: open.offset,
        counter: Arc::clone(&open.bytes_read),
    }
    .take((size - open.offset).min(MAX_READ))
    .read_to_end(&mut bytes)
    .map_err(read_err)?;
    let max_line = importer.router().options().max_line_bytes;
    let complete = match bytes.iter().rposition(|b| *b == b'\n') {
        Some(newline) => newline + 1,
        // A line longer than the limit is cut anyway: no use waiting.
        None if drain || bytes.len() > max_line => bytes.len(),
        None => 0,
    };
    let Some(lines) = bytes.get(..complete).filter(|l| !l.is_empty()) else {
        return Ok(false);
    };
    if open.identity.head_len < HEAD_BYTES {
        open.identity = Identity::of(&open.file).map_err(read_err)?;
    }
    std::mem::swap(importer.router().input_state(), &mut open.state);
    let tracked = Tracked {
        path: &open.path,
        identity: &open.identity,
        source: &open.source,
        reference: open.reference,
        bytes_read: &open.bytes_read,
    };
    let read = importer.read_tracked(
        Some(&tracked),
        Cursor::new(lines),
        Start::Continued,
        open.offset,
    );
    std::mem::swap(importer.router().input_state(), &mut open.state);
    let (stats, end) = read.map_err(|e| e.reading(&open.path))?;
    total.add(&stats);
    open.offset = end;
    Ok(true)
}
