//! The crate's error type and the flat, numbered [`ErrorKind`] every binding maps one to one.

#[cfg(feature = "capture")]
use crate::capture::{CaptureError, CaptureErrorKind};
use crate::config::ConfigError;
use crate::format::FormatError;

/// Any error flowlog returns. `Copy`: no heap, so it crosses every binding boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A configuration was rejected.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A record did not fit the output buffer.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A capture file could not be read.
    #[cfg(feature = "capture")]
    #[error(transparent)]
    Capture(#[from] CaptureError),
}

/// The kind of an [`Error`]: flat, with stable numbers that the C status codes, Python exception
/// classes and JS `error.code` strings follow. Numbers are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ErrorKind {
    /// A configuration field was rejected.
    InvalidConfig = 1,
    /// An output buffer was too small.
    BufferTooSmall = 2,
    /// A capture file ends inside a header, block or packet.
    CaptureTruncated = 3,
    /// A capture file has impossible contents.
    CaptureMalformed = 4,
    /// A capture file is neither pcap nor pcapng, or of an unknown version.
    CaptureUnsupported = 5,
    /// The operating system refused a read.
    Io = 6,
}

impl ErrorKind {
    /// Every kind, in number order.
    pub const ALL: [ErrorKind; 6] = [
        ErrorKind::InvalidConfig,
        ErrorKind::BufferTooSmall,
        ErrorKind::CaptureTruncated,
        ErrorKind::CaptureMalformed,
        ErrorKind::CaptureUnsupported,
        ErrorKind::Io,
    ];

    /// The stable number.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// The name in snake case (`invalid_config`), from which each binding derives its own.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::BufferTooSmall => "buffer_too_small",
            ErrorKind::CaptureTruncated => "capture_truncated",
            ErrorKind::CaptureMalformed => "capture_malformed",
            ErrorKind::CaptureUnsupported => "capture_unsupported",
            ErrorKind::Io => "io",
        }
    }
}

impl Error {
    /// The flat kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(_) => ErrorKind::InvalidConfig,
            Error::Format(FormatError::BufferTooSmall { .. }) => ErrorKind::BufferTooSmall,
            #[cfg(feature = "capture")]
            Error::Capture(e) => match e.kind {
                CaptureErrorKind::Io(_) => ErrorKind::Io,
                CaptureErrorKind::UnknownFormat | CaptureErrorKind::UnsupportedVersion => {
                    ErrorKind::CaptureUnsupported
                }
                CaptureErrorKind::Truncated => ErrorKind::CaptureTruncated,
                CaptureErrorKind::Malformed => ErrorKind::CaptureMalformed,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_stable_numbers_and_names() {
        let codes: Vec<u32> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, [1, 2, 3, 4, 5, 6]);
        let mut names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn config_error_message_names_the_field() {
        let e: Error = crate::Config { max_flows: 0, ..Default::default() }.validate().unwrap_err().into();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(e.to_string().contains("max_flows"));
    }
}
