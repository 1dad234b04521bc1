//! Reading pcap and pcapng capture files (SPEC §6 for damaged files).

use core::fmt;

/// What went wrong reading a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureErrorKind {
    /// The operating system refused a read.
    Io(std::io::ErrorKind),
    /// The first bytes are neither a pcap nor a pcapng magic number.
    UnknownFormat,
    /// A pcap or pcapng version this reader does not know.
    UnsupportedVersion,
    /// The file ends inside a header, block or packet.
    Truncated,
    /// A header or block has impossible contents (length, reserved bits, interface id).
    Malformed,
}

impl CaptureErrorKind {
    /// A few words for the message.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureErrorKind::Io(_) => "read error",
            CaptureErrorKind::UnknownFormat => "not a pcap or pcapng file (unknown magic number)",
            CaptureErrorKind::UnsupportedVersion => "unsupported capture file version",
            CaptureErrorKind::Truncated => "file is truncated",
            CaptureErrorKind::Malformed => "malformed header or block",
        }
    }
}

/// A capture-file error: what, and at which byte offset of the file. `Copy`; the caller adds the
/// file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureError {
    /// Byte offset in the file where the problem starts.
    pub offset: u64,
    /// What is wrong.
    pub kind: CaptureErrorKind,
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            CaptureErrorKind::Io(k) => write!(f, "at byte {}: {}: {}", self.offset, self.kind.as_str(), k),
            kind => write!(f, "at byte {}: {}", self.offset, kind.as_str()),
        }
    }
}

impl std::error::Error for CaptureError {}
