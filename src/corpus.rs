//! Finding the input files and reading them into extractions. The only file-system reads of the
//! build happen here; a failure names the file and stops before the store is touched.

use crate::extract::extract;
use crate::facts::Extraction;
use crate::text::DecodeError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{0}: no such file or directory")]
    Missing(PathBuf),
    #[error("{path}: cannot read: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    NotText { path: PathBuf, source: DecodeError },
    #[error("two input files are named {name} ({first} and {second}); documents are named by file name, so rename one")]
    DuplicateName {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("no .txt files under {0}")]
    Empty(String),
}

/// An input file and the name its document takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    pub name: String,
}

/// Every `.txt` file under the given paths (a file named directly is taken whatever its name),
/// sorted by path.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<SourceFile>, CorpusError> {
    let mut found = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(CorpusError::Missing(path.clone()));
        }
        if path.is_file() {
            found.push(path.clone());
        } else {
            walk(path, &mut found)?;
        }
    }
    found.sort();
    found.dedup();
    if found.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(CorpusError::Empty(names.join(", ")));
    }
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut files = Vec::new();
    for path in found {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        if let Some(first) = by_name.insert(name.clone(), path.clone()) {
            return Err(CorpusError::DuplicateName {
                name,
                first,
                second: path,
            });
        }
        files.push(SourceFile { path, name });
    }
    Ok(files)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), CorpusError> {
    let unreadable = |source| CorpusError::Unreadable {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        if path.is_dir() {
            walk(&path, found)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Reads and extracts one file.
pub fn read(file: &SourceFile) -> Result<Extraction, CorpusError> {
    extract_bytes(file, &read_bytes(file)?)
}

/// The bytes of one file.
pub fn read_bytes(file: &SourceFile) -> Result<Vec<u8>, CorpusError> {
    std::fs::read(&file.path).map_err(|source| CorpusError::Unreadable {
        path: file.path.clone(),
        source,
    })
}

/// Extracts a file's bytes, read before (by [`read_bytes`]).
pub fn extract_bytes(file: &SourceFile, bytes: &[u8]) -> Result<Extraction, CorpusError> {
    extract(&file.name, bytes).map_err(|source| CorpusError::NotText {
        path: file.path.clone(),
        source,
    })
}

/// The content hash of a file's bytes, as the store records it.
pub fn content_hash(file: &SourceFile) -> Result<String, CorpusError> {
    let bytes = std::fs::read(&file.path).map_err(|source| CorpusError::Unreadable {
        path: file.path.clone(),
        source,
    })?;
    Ok(crate::facts::content_hash(&bytes))
}
