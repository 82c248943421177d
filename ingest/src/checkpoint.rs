//! Per-file checkpoints: how far `bannin ingest` had read each input when a
//! commit was made, so that a re-run (after a crash, `kill -9`, or simply
//! the same command again) resumes after the last committed byte instead of
//! importing lines twice.
//!
//! A checkpoint travels inside the commit it describes: the last manifest
//! entry of a commit lists the position of every input whose rows the
//! commit holds ([`Entry::inputs`](crate::manifest::Entry::inputs)). The
//! manifest append is the commit point, so rows and checkpoint are
//! committed together or not at all — there is no second file to keep in
//! step.
//!
//! A file is recognised by its identity, not its name: device and inode
//! plus the SHA-256 of its first bytes (up to [`HEAD_BYTES`]). A file
//! renamed by log rotation keeps its checkpoint under its new name; a new
//! file that reuses the inode of a deleted one, or a file truncated and
//! rewritten (copytruncate), does not match and is read from the start.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::IngestError;
use crate::manifest::{self, hex};

/// How many leading bytes of a file identify it.
pub const HEAD_BYTES: u64 = 4096;

/// Where reading one input had got to when a commit was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The path the file was read under (canonical), for people: matching
    /// is by identity.
    pub path: String,
    pub dev: u64,
    pub ino: u64,
    /// How many leading bytes `head` covers (less than [`HEAD_BYTES`] only
    /// for a file that was shorter then).
    pub head_len: u64,
    /// SHA-256 (hex) of the file's first `head_len` bytes.
    pub head: String,
    /// Bytes of the input read and committed: every line before this
    /// offset is in the lake, none after it. For a gzip file, an offset
    /// in the decompressed stream.
    pub offset: u64,
    /// The whole input was read (its end was reached).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub complete: bool,
    /// SHA-256 of the mail correlation state saved with this commit (when
    /// state is kept): tells the next run whether that save belongs to a
    /// commit that happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_state: Option<String>,
}

/// Which file a checkpoint belongs to, read from an open file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub dev: u64,
    pub ino: u64,
    pub head_len: u64,
    pub head: String,
}

impl Identity {
    /// Reads the identity of an open file: its device, inode and first
    /// bytes (now; a growing file's head grows up to [`HEAD_BYTES`]).
    pub fn of(file: &File) -> std::io::Result<Self> {
        let metadata = file.metadata()?;
        let (dev, ino) = dev_ino(&metadata);
        let head_len = metadata.len().min(HEAD_BYTES);
        Ok(Self {
            dev,
            ino,
            head_len,
            head: head_hash(file, head_len)?,
        })
    }

    /// Whether `file` still starts with the bytes this identity was read
    /// from (false after a truncation and rewrite).
    pub fn still_matches(&self, file: &File) -> std::io::Result<bool> {
        Ok(file.metadata()?.len() >= self.head_len && head_hash(file, self.head_len)? == self.head)
    }

    /// The checkpoint of this file at `offset`.
    pub fn at(&self, path: &Path, offset: u64, complete: bool) -> Checkpoint {
        Checkpoint {
            path: path.display().to_string(),
            dev: self.dev,
            ino: self.ino,
            head_len: self.head_len,
            head: self.head.clone(),
            offset,
            complete,
            mail_state: None,
        }
    }
}

/// The latest checkpoint of every input the manifest knows.
#[derive(Debug, Clone, Default)]
pub struct Checkpoints {
    latest: HashMap<(u64, u64), Checkpoint>,
    /// The mail correlation states named by the latest commits.
    mail_states: HashSet<String>,
}

impl Checkpoints {
    /// Every checkpoint in the lake's manifest; later ones replace earlier
    /// ones of the same device and inode.
    pub fn load(lake_root: &Path) -> Result<Self, IngestError> {
        let mut checkpoints = Self::default();
        for entry in manifest::entries(lake_root)? {
            for checkpoint in entry.inputs {
                checkpoints.record(checkpoint);
            }
        }
        Ok(checkpoints)
    }

    /// Remembers `checkpoint` as the latest of its file.
    pub fn record(&mut self, checkpoint: Checkpoint) {
        if let Some(sha) = &checkpoint.mail_state {
            self.mail_states.insert(sha.clone());
        }
        self.latest
            .insert((checkpoint.dev, checkpoint.ino), checkpoint);
    }

    /// Whether a commit named the mail correlation state with this SHA-256.
    pub fn has_mail_state(&self, sha256: &str) -> bool {
        self.mail_states.contains(sha256)
    }

    /// The latest checkpoint of the open `file`, if it is the same file:
    /// same device and inode, and its first `head_len` bytes unchanged.
    /// For an uncompressed file the file must also still reach the
    /// checkpoint's offset (otherwise it was truncated).
    pub fn find(&self, file: &File, compressed: bool) -> std::io::Result<Option<&Checkpoint>> {
        let metadata = file.metadata()?;
        let Some(checkpoint) = self.latest.get(&dev_ino(&metadata)) else {
            return Ok(None);
        };
        if metadata.len() < checkpoint.head_len
            || (!compressed && metadata.len() < checkpoint.offset)
        {
            return Ok(None);
        }
        if head_hash(file, checkpoint.head_len)? != checkpoint.head {
            return Ok(None);
        }
        Ok(Some(checkpoint))
    }
}

/// SHA-256 (hex) of the first `len` bytes of `file`, read without moving
/// its cursor.
fn head_hash(file: &File, len: u64) -> std::io::Result<String> {
    let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
    read_exact_at(file, &mut buf, 0)?;
    Ok(hex(&Sha256::digest(&buf)))
}

pub(crate) fn dev_ino(metadata: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino())
}

/// Reads exactly `buf.len()` bytes at `offset` without moving the file's
/// cursor (bannin runs on Unix servers).
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}
