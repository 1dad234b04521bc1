//! The load error: which file, which line, what is wrong.

use std::fmt;
use std::path::PathBuf;

/// An enrichment file that cannot be loaded. Displays as `FILE:LINE: what` (or `FILE: what` when
/// the fault is not on one line: reading the file, a MaxMind DB).
#[derive(Debug)]
pub struct EnrichError {
    /// The file, as given (a path, or the name given to in-memory text).
    pub file: PathBuf,
    /// The 1-based line, when the fault is on one.
    pub line: Option<usize>,
    /// What is wrong.
    pub what: String,
    /// The underlying I/O error, when reading failed.
    pub source: Option<std::io::Error>,
}

impl EnrichError {
    pub(crate) fn at_line(file: &str, line: usize, what: impl Into<String>) -> Self {
        EnrichError { file: file.into(), line: Some(line), what: what.into(), source: None }
    }

    pub(crate) fn in_file(file: impl Into<PathBuf>, what: impl Into<String>) -> Self {
        EnrichError { file: file.into(), line: None, what: what.into(), source: None }
    }
}

impl fmt::Display for EnrichError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.what)
    }
}

impl std::error::Error for EnrichError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}
