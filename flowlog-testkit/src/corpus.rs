//! Where the corpus of real captures is, for the tests that read it.
//!
//! The corpus lives outside the repository: `$FLOWLOG_CORPUS`, else `shared/corpus` beside the
//! repository's directory. On a developer's machine a missing corpus skips the tests that need
//! it; in CI (env `CI` set to anything non-empty) it fails them, so a misplaced corpus cannot turn
//! the acceptance tests into tests that pass without checking anything.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The corpus directory, or `None` when it is missing (the caller skips its test; a line on
/// stderr says so).
///
/// # Panics
///
/// When the directory is missing and env `CI` is set (non-empty).
pub fn corpus_dir() -> Option<PathBuf> {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    locate(std::env::var_os("FLOWLOG_CORPUS").as_deref(), ci)
}

fn locate(from_env: Option<&OsStr>, ci: bool) -> Option<PathBuf> {
    let dir = match from_env {
        Some(d) => PathBuf::from(d),
        // This crate sits one level below the repository's root.
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    if ci {
        panic!(
            "corpus not found at {} and CI is set: the corpus tests must run in CI \
             (set FLOWLOG_CORPUS to the corpus directory)",
            dir.display()
        );
    }
    eprintln!("corpus not found at {} (set FLOWLOG_CORPUS): what needs it is skipped", dir.display());
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOWHERE: &str = "/nonexistent/flowlog-corpus";

    #[test]
    fn a_present_directory_is_the_corpus() {
        let here = env!("CARGO_MANIFEST_DIR");
        assert_eq!(locate(Some(OsStr::new(here)), true), Some(PathBuf::from(here)));
    }

    #[test]
    fn a_missing_corpus_is_skipped_outside_ci() {
        assert_eq!(locate(Some(OsStr::new(NOWHERE)), false), None);
    }

    #[test]
    #[should_panic(expected = "corpus not found at /nonexistent/flowlog-corpus and CI is set")]
    fn a_missing_corpus_fails_in_ci() {
        locate(Some(OsStr::new(NOWHERE)), true);
    }
}
