//! The write-ahead log: a record is *accepted* once it is here and fsynced.
//!
//! Entries are appended to segment files `<dir>/wal-<first lsn>.log`, each
//! record framed as `len: u32 LE | crc32: u32 LE | payload`, the payload
//! being `lsn: u64 | received_at µs: i64 | truncated_from: u64 (0: whole) |
//! format: u8 (0: the pipeline's, else 1 + its index in
//! [`Format::NAMES`]) | source len: u16 | source | bytes len: u32 | bytes`. Every entry gets the next log sequence number
//! (LSN). [`Wal::append`] returns once the entries are on disk: callers
//! that append at the same time share one fsync (group commit).
//!
//! On [`Wal::open`] the surviving entries are read back in order. A record
//! cut short or failing its checksum at the end of the newest segment is a
//! write a crash interrupted — never acknowledged — and is cut off; the same
//! damage anywhere else is corruption and an error. Once the entries up to
//! an LSN are committed to Parquet, [`Wal::trim`] deletes the segments that
//! hold nothing newer.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use crate::Format;

/// A log sequence number: 1 for the first entry ever, then one more each.
pub type Lsn = u64;

/// One accepted record: the bytes as received, where and when from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub received_at: DateTime<Utc>,
    /// The configured source the bytes came from (shared by the records
    /// of one connection: no copy per record).
    pub source: Arc<str>,
    pub bytes: Vec<u8>,
    /// The record's full length when it was cut to the frame limit.
    pub truncated_from: Option<u64>,
    /// The format the sender named; `None`: the pipeline's own.
    pub format: Option<Format>,
}

/// Why the WAL failed. After a failed write or fsync the log refuses
/// further appends: what reached the disk is unknown.
#[derive(Debug, thiserror::Error)]
pub enum WalError {
    #[error("write-ahead log {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("write-ahead log {path} is corrupt at byte {offset}: {why}")]
    Corrupt {
        path: PathBuf,
        offset: u64,
        why: &'static str,
    },
    #[error("write-ahead log entry too large: {0} bytes")]
    TooLarge(usize),
    #[error("write-ahead log is unusable after an earlier write error")]
    Failed,
}

/// Largest payload a record may have.
const MAX_PAYLOAD: usize = 16 * 1024 * 1024;
/// Record header: length and checksum.
const HEADER: usize = 8;

/// Where appends stand.
struct State {
    file: File,
    path: PathBuf,
    segment_bytes: u64,
    next_lsn: Lsn,
    /// Highest LSN written to the file (perhaps not yet durable).
    written: Lsn,
    /// Highest LSN known to be durable.
    synced: Lsn,
    /// An fsync is in flight (its leader will wake the others).
    syncing: bool,
    failed: bool,
}

/// An open write-ahead log.
pub struct Wal {
    dir: PathBuf,
    segment_limit: u64,
    state: Mutex<State>,
    durable: Condvar,
}

impl Wal {
    /// Opens (or creates) the log in `dir`, returning it and every entry it
    /// still holds, in LSN order. A new segment is started for appends.
    pub fn open(dir: &Path, segment_limit: u64) -> Result<(Self, Vec<(Lsn, Entry)>), WalError> {
        Self::open_after(dir, segment_limit, 0)
    }

    /// As [`Wal::open`], numbering new entries after `committed` at least
    /// (the highest LSN the lake holds, whose WAL segment may be gone).
    pub fn open_after(
        dir: &Path,
        segment_limit: u64,
        committed: Lsn,
    ) -> Result<(Self, Vec<(Lsn, Entry)>), WalError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| WalError::Io { path, source }
        };
        fs::create_dir_all(dir).map_err(io(dir))?;
        let segments = segments(dir)?;
        let mut entries = Vec::new();
        let mut next_lsn: Lsn = committed + 1;
        let last = segments.len().saturating_sub(1);
        for (i, (first, path)) in segments.iter().enumerate() {
            next_lsn = next_lsn.max(*first);
            let tail = if i == last { Tail::Cut } else { Tail::Corrupt };
            let read = read_segment(path, tail)?;
            for (lsn, entry) in read {
                next_lsn = next_lsn.max(lsn + 1);
                entries.push((lsn, entry));
            }
        }
        let path = dir.join(segment_name(next_lsn));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        sync_dir(dir)?;
        let wal = Self {
            dir: dir.to_path_buf(),
            segment_limit: segment_limit.max(1),
            state: Mutex::new(State {
                file,
                path,
                segment_bytes: 0,
                next_lsn,
                written: next_lsn - 1,
                synced: next_lsn - 1,
                syncing: false,
                failed: false,
            }),
            durable: Condvar::new(),
        };
        Ok((wal, entries))
    }

    /// Reads, without changing anything, the entries after `lsn` in the
    /// log in `dir` while another process may be writing it: a segment
    /// trimmed meanwhile is skipped, and the newest record, if still being
    /// written, is left out. For readers beside a running server.
    pub fn peek_after(dir: &Path, lsn: Lsn) -> Result<Vec<(Lsn, Entry)>, WalError> {
        let segments = match segments(dir) {
            Ok(segments) => segments,
            Err(WalError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                return Ok(Vec::new());
            }
            Err(e) => return Err(e),
        };
        let mut entries = Vec::new();
        for (i, (_, path)) in segments.iter().enumerate() {
            let next_first = segments.get(i + 1).map(|(first, _)| *first);
            if next_first.is_some_and(|next| next <= lsn + 1) {
                continue;
            }
            let read = match read_segment(path, Tail::Leave) {
                Ok(read) => read,
                Err(WalError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                    continue;
                }
                Err(e) => return Err(e),
            };
            entries.extend(read.into_iter().filter(|(l, _)| *l > lsn));
        }
        Ok(entries)
    }

    /// Appends entries and returns the LSN of the last once all are
    /// durable. Concurrent callers share fsyncs.
    pub fn append(&self, entries: &[Entry]) -> Result<Lsn, WalError> {
        let lsn = self.write(entries)?;
        self.sync(lsn)?;
        Ok(lsn)
    }

    /// Writes entries without waiting for the disk; returns the LSN of the
    /// last. They are accepted only after [`Wal::sync`] to that LSN.
    pub fn write(&self, entries: &[Entry]) -> Result<Lsn, WalError> {
        let mut state = self.lock();
        if state.failed {
            return Err(WalError::Failed);
        }
        // One allocation for the whole write: the records' exact size.
        let size: usize = entries.iter().map(encoded_len).sum();
        let mut buf = Vec::with_capacity(size);
        let mut lsn = state.next_lsn;
        for entry in entries {
            encode(lsn, entry, &mut buf)?;
            lsn += 1;
        }
        let last = lsn - 1;
        if buf.is_empty() {
            return Ok(last);
        }
        if state.segment_bytes > 0 && state.segment_bytes + buf.len() as u64 > self.segment_limit {
            self.rotate(&mut state)?;
        }
        if let Err(source) = state.file.write_all(&buf) {
            // Cut what part of the records was written (a full disk), so
            // later appends follow whole records; if even that fails, the
            // log can no longer be trusted.
            let kept = state.segment_bytes;
            if state.file.set_len(kept).is_err() {
                state.failed = true;
            }
            return Err(WalError::Io {
                path: state.path.clone(),
                source,
            });
        }
        state.segment_bytes += buf.len() as u64;
        state.next_lsn = lsn;
        state.written = last;
        Ok(last)
    }

    /// Waits until every entry up to `lsn` is on disk. Group commit:
    /// whoever finds no fsync in flight syncs everything written so far;
    /// the others wait for it to cover them.
    pub fn sync(&self, lsn: Lsn) -> Result<(), WalError> {
        let mut state = self.lock();
        while state.synced < lsn {
            if state.failed {
                return Err(WalError::Failed);
            }
            if state.syncing {
                state = self
                    .durable
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                continue;
            }
            state.syncing = true;
            let target = state.written;
            let file = state.file.try_clone();
            let path = state.path.clone();
            drop(state);
            let result = file.and_then(|f| f.sync_data());
            state = self.lock();
            state.syncing = false;
            match result {
                Ok(()) => state.synced = state.synced.max(target),
                Err(source) => {
                    state.failed = true;
                    self.durable.notify_all();
                    return Err(WalError::Io { path, source });
                }
            }
            self.durable.notify_all();
        }
        Ok(())
    }

    /// Deletes the segments whose entries all have LSN ≤ `upto` (they are
    /// in Parquet now). The segment being written is kept.
    pub fn trim(&self, upto: Lsn) -> Result<(), WalError> {
        let current = self.lock().path.clone();
        let segments = segments(&self.dir)?;
        for (i, (_, path)) in segments.iter().enumerate() {
            let next_first = segments.get(i + 1).map(|(first, _)| *first);
            let all_committed = next_first.is_some_and(|next| next - 1 <= upto);
            if *path != current && all_committed {
                fs::remove_file(path).map_err(|source| WalError::Io {
                    path: path.clone(),
                    source,
                })?;
            }
        }
        sync_dir(&self.dir)
    }

    /// Every entry on disk after `lsn`, read back (to rebuild what a
    /// failed commit lost from memory).
    pub fn read_after(&self, lsn: Lsn) -> Result<Vec<(Lsn, Entry)>, WalError> {
        let _appends_wait = self.lock();
        let segments = segments(&self.dir)?;
        let last = segments.len().saturating_sub(1);
        let mut out = Vec::new();
        for (i, (_, path)) in segments.iter().enumerate() {
            let tail = if i == last { Tail::Cut } else { Tail::Corrupt };
            let read = read_segment(path, tail)?;
            out.extend(read.into_iter().filter(|(l, _)| *l > lsn));
        }
        Ok(out)
    }

    /// The LSN the next entry will get.
    pub fn next_lsn(&self) -> Lsn {
        self.lock().next_lsn
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Closes the current segment (durably) and starts the next.
    fn rotate(&self, state: &mut State) -> Result<(), WalError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| WalError::Io { path, source }
        };
        if let Err(e) = state.file.sync_data().map_err(io(&state.path)) {
            state.failed = true;
            return Err(e);
        }
        state.synced = state.written;
        let path = self.dir.join(segment_name(state.next_lsn));
        state.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        state.path = path;
        state.segment_bytes = 0;
        sync_dir(&self.dir)
    }
}

fn segment_name(first: Lsn) -> String {
    format!("wal-{first:020}.log")
}

/// The segments in `dir`, by first LSN.
fn segments(dir: &Path) -> Result<Vec<(Lsn, PathBuf)>, WalError> {
    let read = fs::read_dir(dir).map_err(|source| WalError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out: Vec<(Lsn, PathBuf)> = read
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let first = name
                .strip_prefix("wal-")?
                .strip_suffix(".log")?
                .parse()
                .ok()?;
            Some((first, e.path()))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Bytes [`encode`] writes for `entry`.
fn encoded_len(entry: &Entry) -> usize {
    // Header, LSN, time, truncated_from, format, source length, bytes length.
    HEADER + 8 + 8 + 8 + 1 + 2 + entry.source.len() + 4 + entry.bytes.len()
}

fn encode(lsn: Lsn, entry: &Entry, buf: &mut Vec<u8>) -> Result<(), WalError> {
    let source = entry.source.as_bytes();
    let source_len = u16::try_from(source.len()).map_err(|_| WalError::TooLarge(source.len()))?;
    let bytes_len =
        u32::try_from(entry.bytes.len()).map_err(|_| WalError::TooLarge(entry.bytes.len()))?;
    // Length and checksum first, filled in once the payload is written
    // in place after them.
    let start = buf.len();
    buf.extend_from_slice(&[0; 8]);
    buf.extend_from_slice(&lsn.to_le_bytes());
    buf.extend_from_slice(&entry.received_at.timestamp_micros().to_le_bytes());
    buf.extend_from_slice(&entry.truncated_from.unwrap_or(0).to_le_bytes());
    buf.push(entry.format.map_or(0, |f| f.code()));
    buf.extend_from_slice(&source_len.to_le_bytes());
    buf.extend_from_slice(source);
    buf.extend_from_slice(&bytes_len.to_le_bytes());
    buf.extend_from_slice(&entry.bytes);
    let payload_len = buf.len() - start - 8;
    if payload_len > MAX_PAYLOAD {
        buf.truncate(start);
        return Err(WalError::TooLarge(payload_len));
    }
    let crc = crc32fast::hash(buf.get(start + 8..).unwrap_or_default());
    if let Some(header) = buf.get_mut(start..start + 8) {
        header[..4].copy_from_slice(&(payload_len as u32).to_le_bytes());
        header[4..].copy_from_slice(&crc.to_le_bytes());
    }
    Ok(())
}

/// What a damaged record at the end of a segment means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// The newest segment on open: an unacknowledged torn write, cut off.
    Cut,
    /// Read beside a writer: a record still being written, left alone.
    Leave,
    /// An older segment: damage.
    Corrupt,
}

/// Reads one segment; a damaged tail is handled as `tail` says.
fn read_segment(path: &Path, tail: Tail) -> Result<Vec<(Lsn, Entry)>, WalError> {
    let io = |source| WalError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut data = Vec::new();
    BufReader::new(File::open(path).map_err(io)?)
        .read_to_end(&mut data)
        .map_err(io)?;
    let mut entries = Vec::new();
    let mut offset = 0usize;
    while offset < data.len() {
        match decode(data.get(offset..).unwrap_or_default()) {
            Ok((lsn, entry, used)) => {
                entries.push((lsn, entry));
                offset += used;
            }
            Err(_) if tail == Tail::Leave => break,
            Err(why) if tail == Tail::Cut => {
                tracing::warn!(
                    path = %path.display(), offset, why,
                    "cutting off an unacknowledged torn write at the end of the WAL"
                );
                let file = OpenOptions::new().write(true).open(path).map_err(io)?;
                file.set_len(offset as u64).map_err(io)?;
                file.sync_all().map_err(io)?;
                break;
            }
            Err(why) => {
                return Err(WalError::Corrupt {
                    path: path.to_path_buf(),
                    offset: offset as u64,
                    why,
                });
            }
        }
    }
    Ok(entries)
}

/// One record from the start of `data`: its LSN, entry and length.
fn decode(data: &[u8]) -> Result<(Lsn, Entry, usize), &'static str> {
    let word = |at: usize| -> Option<[u8; 4]> { data.get(at..at + 4)?.try_into().ok() };
    let len = word(0)
        .map(u32::from_le_bytes)
        .ok_or("record header cut short")? as usize;
    let crc = word(4)
        .map(u32::from_le_bytes)
        .ok_or("record header cut short")?;
    if len > MAX_PAYLOAD {
        return Err("record length out of range");
    }
    let payload = data.get(HEADER..HEADER + len).ok_or("record cut short")?;
    if crc32fast::hash(payload) != crc {
        return Err("checksum mismatch");
    }
    let mut r = Fields(payload);
    let lsn = u64::from_le_bytes(r.array().ok_or("bad payload")?);
    let micros = i64::from_le_bytes(r.array().ok_or("bad payload")?);
    let truncated_from = u64::from_le_bytes(r.array().ok_or("bad payload")?);
    let [format] = r.array::<1>().ok_or("bad payload")?;
    let format = match format {
        0 => None,
        code => Some(Format::from_code(code).ok_or("unknown format code")?),
    };
    let source_len = u16::from_le_bytes(r.array().ok_or("bad payload")?) as usize;
    let source = String::from_utf8(r.take(source_len).ok_or("bad payload")?.to_vec())
        .map_err(|_| "source is not UTF-8")?;
    let bytes_len = u32::from_le_bytes(r.array().ok_or("bad payload")?) as usize;
    let bytes = r.take(bytes_len).ok_or("bad payload")?.to_vec();
    let received_at = DateTime::from_timestamp_micros(micros).ok_or("bad time")?;
    Ok((
        lsn,
        Entry {
            received_at,
            source: source.into(),
            bytes,
            truncated_from: (truncated_from > 0).then_some(truncated_from),
            format,
        },
        HEADER + len,
    ))
}

/// Reads fields off the front of a payload.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = tail;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

fn sync_dir(dir: &Path) -> Result<(), WalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| WalError::Io {
            path: dir.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn entry(i: usize) -> Entry {
        Entry {
            received_at: DateTime::from_timestamp_micros(1_763_856_000_000_000 + i as i64).unwrap(),
            source: "fw-lgwan01".into(),
            bytes: format!("<134>Nov 23 10:00:00 fw-lgwan01 line {i}").into_bytes(),
            truncated_from: (i == 2).then_some(70_000),
            format: (i == 1).then_some(Format::Cloud),
        }
    }

    #[test]
    fn the_write_buffer_is_sized_exactly() {
        for i in 0..3 {
            let mut buf = Vec::new();
            encode(7, &entry(i), &mut buf).unwrap();
            assert_eq!(buf.len(), encoded_len(&entry(i)));
        }
    }

    #[test]
    fn entries_survive_a_reopen_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, old) = Wal::open(dir.path(), 1 << 20).unwrap();
        assert!(old.is_empty());
        assert_eq!(wal.append(&[entry(0), entry(1)]).unwrap(), 2);
        assert_eq!(wal.append(&[entry(2)]).unwrap(), 3);
        drop(wal); // as after kill -9: nothing flushed, nothing trimmed
        let (wal, replay) = Wal::open(dir.path(), 1 << 20).unwrap();
        let lsns: Vec<Lsn> = replay.iter().map(|(l, _)| *l).collect();
        assert_eq!(lsns, [1, 2, 3]);
        assert_eq!(replay[2].1, entry(2));
        assert_eq!(wal.append(&[entry(3)]).unwrap(), 4, "LSNs continue");
    }

    #[test]
    fn a_torn_tail_is_cut_and_earlier_damage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, _) = Wal::open(dir.path(), 1 << 20).unwrap();
        wal.append(&[entry(0), entry(1)]).unwrap();
        drop(wal);
        let (_, path) = segments(dir.path()).unwrap().pop().unwrap();
        let full = fs::metadata(&path).unwrap().len();
        // A crash mid-write: half a record at the end.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[40, 0, 0, 0, 1, 2, 3]).unwrap();
        drop(f);
        let (_, replay) = Wal::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(replay.len(), 2);
        assert_eq!(fs::metadata(&path).unwrap().len(), full, "tail cut off");
        // A flipped byte in an older segment (a newer one exists now).
        let mut data = fs::read(&path).unwrap();
        data[HEADER + 3] ^= 0xff;
        fs::write(&path, data).unwrap();
        let err = Wal::open(dir.path(), 1 << 20).err().unwrap();
        assert!(
            matches!(
                err,
                WalError::Corrupt {
                    why: "checksum mismatch",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn segments_rotate_and_trim_keeps_what_is_not_committed() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, _) = Wal::open(dir.path(), 200).unwrap();
        for i in 0..10 {
            wal.append(&[entry(i)]).unwrap();
        }
        let before = segments(dir.path()).unwrap().len();
        assert!(before >= 4, "{before} segments");
        wal.trim(5).unwrap();
        drop(wal);
        let (_, replay) = Wal::open(dir.path(), 200).unwrap();
        let lsns: Vec<Lsn> = replay.iter().map(|(l, _)| *l).collect();
        assert!(lsns.first().is_some_and(|first| *first <= 6), "{lsns:?}");
        assert_eq!(lsns.last(), Some(&10));
        assert!(lsns.windows(2).all(|w| w[1] == w[0] + 1), "{lsns:?}");
    }

    #[test]
    fn concurrent_appenders_get_distinct_durable_lsns() {
        let dir = tempfile::tempdir().unwrap();
        let (wal, _) = Wal::open(dir.path(), 1 << 20).unwrap();
        let wal = Arc::new(wal);
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let wal = Arc::clone(&wal);
                std::thread::spawn(move || {
                    (0..50)
                        .map(|i| wal.append(&[entry(t * 100 + i)]).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<Lsn> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (1..=400).collect::<Vec<_>>());
        drop(wal);
        let (_, replay) = Wal::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(replay.len(), 400);
    }
}
