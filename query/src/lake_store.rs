//! The lake as a read-only object store that holds only the manifest's live
//! files of the tenants in scope.
//!
//! Every table is a DataFusion `ListingTable` over this store, so DataFusion
//! keeps doing partition pruning, statistics and Parquet reading, while the
//! store decides which files exist:
//!
//! - listing returns the manifest's live set (re-read whenever
//!   `manifest.jsonl` changed), not a directory listing — a compaction's
//!   merged file and the files it replaces are never both visible, and
//!   half-written `.part-*.tmp` files never are;
//! - a file of a tenant out of scope is neither listed nor opened, whatever
//!   path a plan asks for;
//! - nothing can be written, copied, renamed or deleted.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use async_trait::async_trait;
use bannin_ingest::batch::file_goes_with;
use bannin_ingest::lake::{FILE_EXTENSION, partition_of};
use bannin_ingest::manifest::{self, MANIFEST_FILE};
use datafusion::object_store::local::LocalFileSystem;
use datafusion::object_store::path::{DELIMITER, Path};
use datafusion::object_store::{
    CopyOptions, Error as StoreError, GetOptions, GetResult, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult,
    Result as StoreResult,
};
use futures::stream::{self, BoxStream, StreamExt};

use crate::read_buffers;
use crate::scope::TenantScope;

/// URL the lake store is registered under; table paths are
/// `bannin-lake://lake/<table>/`.
pub const STORE_URL: &str = "bannin-lake://lake";

const STORE_NAME: &str = "bannin lake";

/// The live files of the tenants in scope, by path relative to the lake.
#[derive(Debug, Default)]
struct Snapshot {
    /// Length and modification time of the manifest it was read from.
    stamp: Option<(u64, SystemTime)>,
    files: BTreeMap<String, u64>,
}

/// Read-only object store over a lake's manifest (see the module docs).
#[derive(Debug)]
pub struct LakeStore {
    root: PathBuf,
    scope: TenantScope,
    /// Files committed from the WAL after this LSN are left out: their
    /// rows are among the session's unflushed rows.
    committed: Option<u64>,
    snapshot: Mutex<Arc<Snapshot>>,
    local: Mutex<Option<Arc<LocalFileSystem>>>,
}

impl LakeStore {
    pub fn new(root: &FsPath, scope: TenantScope, committed: Option<u64>) -> Self {
        Self {
            root: root.to_path_buf(),
            scope,
            committed,
            snapshot: Mutex::new(Arc::new(Snapshot::default())),
            local: Mutex::new(None),
        }
    }

    /// Whether `relative` is a lake file of a tenant in scope (by its path
    /// alone: `<table>/tenant=<t>/date=<d>/<name>.parquet`).
    fn in_scope(&self, relative: &str) -> bool {
        relative.ends_with(&format!(".{FILE_EXTENSION}"))
            && partition_of(relative).is_some_and(|key| self.scope.allows(&key.tenant))
    }

    /// The live files, re-reading the manifest if it changed since the
    /// last call.
    fn snapshot(&self) -> StoreResult<Arc<Snapshot>> {
        let path = self.root.join(MANIFEST_FILE);
        let stamp = match std::fs::metadata(&path) {
            Ok(meta) => Some((meta.len(), meta.modified().map_err(generic)?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(generic(e)),
        };
        let mut current = self.snapshot.lock().map_err(|_| poisoned())?;
        if current.stamp != stamp || stamp.is_none() {
            let live = manifest::live_set(&self.root).map_err(generic)?;
            let files = live
                .live
                .into_values()
                .filter(|file| self.in_scope(&file.file))
                .filter(|file| file_goes_with(self.committed, file.wal_lsn))
                .map(|file| (file.file, file.bytes))
                .collect();
            *current = Arc::new(Snapshot { stamp, files });
        }
        Ok(Arc::clone(&current))
    }

    fn local(&self) -> StoreResult<Arc<LocalFileSystem>> {
        let mut local = self.local.lock().map_err(|_| poisoned())?;
        if let Some(store) = local.as_ref() {
            return Ok(Arc::clone(store));
        }
        let store = Arc::new(LocalFileSystem::new_with_prefix(&self.root)?);
        *local = Some(Arc::clone(&store));
        Ok(store)
    }

    /// Refuses a path that is not a lake file in scope, as if it did not
    /// exist (an out-of-scope tenant's file is not even acknowledged).
    fn check(&self, location: &Path) -> StoreResult<()> {
        if self.in_scope(location.as_ref()) {
            Ok(())
        } else {
            Err(StoreError::NotFound {
                path: location.to_string(),
                source: "not a lake file in this session's scope".into(),
            })
        }
    }

    /// Live files under `prefix` (whole path segments), as object metadata.
    fn listed(&self, prefix: Option<&Path>) -> StoreResult<Vec<ObjectMeta>> {
        let snapshot = self.snapshot()?;
        let prefix = prefix.map(|p| p.as_ref()).unwrap_or("");
        Ok(snapshot
            .files
            .iter()
            .filter(|(file, _)| {
                prefix.is_empty()
                    || file
                        .strip_prefix(prefix)
                        .is_some_and(|rest| rest.starts_with(DELIMITER))
            })
            .map(|(file, bytes)| ObjectMeta {
                location: Path::from(file.as_str()),
                // Lake files are written once under unique names and never
                // changed, so a fixed time is a valid cache key.
                last_modified: chrono::DateTime::UNIX_EPOCH,
                size: *bytes,
                e_tag: None,
                version: None,
            })
            .collect())
    }
}

impl fmt::Display for LakeStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{STORE_NAME} at {}", self.root.display())
    }
}

fn generic(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Generic {
        store: STORE_NAME,
        source: Box::new(e),
    }
}

fn poisoned() -> StoreError {
    StoreError::Generic {
        store: STORE_NAME,
        source: "lock poisoned by a panicked query".into(),
    }
}

fn read_only() -> StoreError {
    StoreError::NotSupported {
        source: "the lake is read-only for queries".into(),
    }
}

#[async_trait]
impl ObjectStore for LakeStore {
    async fn put_opts(&self, _: &Path, _: PutPayload, _: PutOptions) -> StoreResult<PutResult> {
        Err(read_only())
    }

    async fn put_multipart_opts(
        &self,
        _: &Path,
        _: PutMultipartOptions,
    ) -> StoreResult<Box<dyn MultipartUpload>> {
        Err(read_only())
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> StoreResult<GetResult> {
        self.check(location)?;
        self.local()?.get_opts(location, options).await
    }

    async fn get_ranges(
        &self,
        location: &Path,
        ranges: &[Range<u64>],
    ) -> StoreResult<Vec<bytes::Bytes>> {
        self.check(location)?;
        if location.parts().any(|part| part.as_ref() == "..") {
            return Err(generic(std::io::Error::other("path leaves the lake")));
        }
        // Lake paths are letters, digits, `_`, `-`, `=` and `.` only
        // (`bannin_ingest::lake::check_name`), so the path's text is the
        // file's path under the root as it is, nothing percent-encoded.
        let path = self.root.join(location.as_ref());
        let ranges = ranges.to_vec();
        let read = tokio::task::spawn_blocking(move || {
            std::fs::File::open(&path).and_then(|file| read_buffers::read_ranges(&file, &ranges))
        })
        .await
        .map_err(generic)?;
        read.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::NotFound {
                path: location.to_string(),
                source: Box::new(e),
            },
            _ => generic(e),
        })
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, StoreResult<Path>>,
    ) -> BoxStream<'static, StoreResult<Path>> {
        locations.map(|_| Err(read_only())).boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, StoreResult<ObjectMeta>> {
        match self.listed(prefix) {
            Ok(files) => stream::iter(files.into_iter().map(Ok)).boxed(),
            Err(e) => stream::once(async { Err(e) }).boxed(),
        }
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> StoreResult<ListResult> {
        let depth = prefix.map_or(0, |p| p.parts().count());
        let mut common_prefixes = Vec::new();
        let mut objects = Vec::new();
        for meta in self.listed(prefix)? {
            let parts: Vec<_> = meta.location.parts().collect();
            if parts.len() == depth + 1 {
                objects.push(meta);
            } else if let Some(dir) = parts.get(..=depth) {
                let dir = Path::from_iter(dir.iter().cloned());
                if common_prefixes.last() != Some(&dir) {
                    common_prefixes.push(dir);
                }
            }
        }
        Ok(ListResult {
            common_prefixes,
            objects,
        })
    }

    async fn copy_opts(&self, _: &Path, _: &Path, _: CopyOptions) -> StoreResult<()> {
        Err(read_only())
    }
}
