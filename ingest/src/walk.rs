//! Expanding the paths given to `bannin ingest`: a directory stands for
//! every file below it, in a fixed order.

use std::fs;
use std::path::{Path, PathBuf};

use crate::IngestError;

/// Every file the paths name, in order: a file as given; a directory as
/// the files below it, recursively, sorted by name at each level (so a
/// re-run reads them in the same order). Below a directory, hidden entries
/// (names starting with `.`) are skipped, and symbolic links to
/// directories are not followed (no loops). A path that does not exist is
/// an error.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = fs::metadata(path).map_err(|source| IngestError::Read {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let read_err = |source| IngestError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        entries.push(entry.path());
    }
    entries.sort();
    for path in entries {
        let link = fs::symlink_metadata(&path).map_err(|source| IngestError::Read {
            path: path.clone(),
            source,
        })?;
        if link.is_dir() {
            walk(&path, files)?;
        } else if link.is_file() || (link.is_symlink() && path.is_file()) {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_sorted_without_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/.git")).unwrap();
        fs::create_dir_all(root.join("a")).unwrap();
        for file in [
            "b/2.log",
            "b/10.log",
            "a/x.log.gz",
            ".hidden",
            "b/.git/HEAD",
            "z.log",
        ] {
            fs::write(root.join(file), "x\n").unwrap();
        }
        let single = root.join(".hidden");
        let got = expand(&[root.to_path_buf(), single.clone()]).unwrap();
        let names: Vec<String> = got
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["a/x.log.gz", "b/10.log", "b/2.log", "z.log", ".hidden"]
        );
    }

    #[test]
    fn a_missing_path_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = expand(&[dir.path().join("nope")]).unwrap_err().to_string();
        assert!(err.contains("nope"), "{err}");
    }
}
