//! Record writers (SPEC §5): each serializes into a caller-owned buffer without allocating.

use core::fmt;

/// A record could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatError {
    /// The output buffer is smaller than the record; `required` bytes would do.
    BufferTooSmall {
        /// Bytes needed.
        required: usize,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::BufferTooSmall { required } => {
                write!(f, "output buffer too small: a record needs {required} bytes")
            }
        }
    }
}

impl std::error::Error for FormatError {}
