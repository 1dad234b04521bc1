//! Reading pcap and pcapng capture files (SPEC §6 for damaged files).
//!
//! [`CaptureReader`] yields [`CapturedFrame`]s that borrow one internal buffer: after the buffer
//! has grown to the largest record of the file, reading a frame never allocates.
//! [`CaptureReader::next_frames`] hands out many frames at once for
//! [`Meter::process_batch`](crate::Meter::process_batch), and [`MeteredCapture`] is the one loop
//! that meters a capture that way.
//!
//! [`CaptureReader::open`] reads the file with `read()`. [`CaptureReader::open_mapped`] maps a
//! regular file into memory instead: frames then point straight into the page cache (no copy),
//! and pages already read are returned to the kernel as the reader moves on, so resident memory
//! does not grow with the file. Mapping is opt-in because a mapped file truncated by another
//! process while it is read (log rotation by `copytruncate`, for one) ends the whole process with
//! `SIGBUS`, where a read file gives a [`CaptureErrorKind::Truncated`] error or a clean end. A
//! program that owns its process and its input (the `flowlog` command) may opt in; a library
//! running inside someone else's process should not.
//!
//! The format is recognised by its magic number, never by the file name: pcap in either byte order
//! with microsecond or nanosecond timestamps (and the LE "modified" pcap of Kuznetzov's patches),
//! pcapng with any number of sections and interfaces, each interface with its own link type,
//! timestamp resolution (`if_tsresol`, powers of 10 and of 2) and offset (`if_tsoffset`).
//!
//! pcap-parser parses the file and section headers and the interface descriptions (cold path).
//! The per-record framing is ours: it decides the byte offset of every error, never waits for
//! bytes that cannot come (pcap-parser's stream reader reports `Incomplete` forever on a short
//! read, and its fixed buffer cannot hold a large record), and reads an enhanced packet block
//! without the `Vec` of options pcap-parser's block parser would allocate for every packet.
//!
//! The parts: this module holds the reader's API and its errors; `source` the bytes (a stream
//! read into a buffer, or a mapped file) and how they are filled and consumed; `pcap` and
//! `pcapng` the two formats' framing; `mapped` the mapped file and its batch framer; `metered` the
//! loop that meters a capture.
//!
//! ```
//! use flowlog_core::capture::CaptureReader;
//! // A little-endian microsecond pcap header (raw IP, link type 101) and one 4-byte record.
//! let mut file = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
//! file.extend_from_slice(&[0; 8]);
//! file.extend_from_slice(&65535u32.to_le_bytes());
//! file.extend_from_slice(&101u32.to_le_bytes());
//! for v in [1_700_000_000u32, 250_000, 4, 60] {
//!     file.extend_from_slice(&v.to_le_bytes());
//! }
//! file.extend_from_slice(&[0x45, 0, 0, 60]);
//! let mut reader = CaptureReader::new(&file[..]).unwrap();
//! let frame = reader.next_frame().unwrap().unwrap();
//! assert_eq!((frame.orig_len, frame.data.len()), (60, 4));
//! assert!(reader.next_frame().unwrap().is_none());
//! ```

use core::fmt;
use std::io::Read;

mod mapped;
mod metered;
mod pcap;
mod pcapng;
mod source;

pub use mapped::Pager;
pub use metered::{MeteredCapture, Part};

use mapped::MappedFile;
use pcapng::Interface;
use source::Source;

use crate::frame::{Action, Direction, Frame, LinkType};
use crate::window::Timestamp;

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

/// The largest captured length of one packet this reader accepts (256 MiB); a larger length is
/// damage, not data, and is reported as [`CaptureErrorKind::Malformed`] instead of allocated.
pub const MAX_CAPLEN: u32 = 256 << 20;

/// One frame read from a capture. Borrows the reader's buffer until the next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapturedFrame<'a> {
    /// Capture time (`Missing` for a pcapng simple packet block).
    pub ts: Timestamp,
    /// Link type of the interface it was captured on.
    pub link: LinkType,
    /// Length on the wire.
    pub orig_len: u32,
    /// The captured bytes.
    pub data: &'a [u8],
    /// Running interface index over all sections of the file (0 for pcap).
    pub interface: u32,
}

impl<'a> CapturedFrame<'a> {
    /// The meter's frame: observation point = interface, direction unknown, action accept.
    #[inline]
    pub fn to_frame(&self) -> Frame<'a> {
        Frame {
            ts: self.ts,
            link: self.link,
            orig_len: self.orig_len,
            data: self.data,
            observation_point: self.interface,
            direction: Direction::Unknown,
            action: Action::Accept,
        }
    }
}

/// Byte order of the current pcap file or pcapng section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

impl Order {
    /// The `u32` at `at` of `b`, `None` when `b` is too short.
    #[inline]
    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let bytes: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(self.u32_of(bytes))
    }

    #[inline(always)]
    fn u16_of(self, bytes: [u8; 2]) -> u16 {
        match self {
            Order::Little => u16::from_le_bytes(bytes),
            Order::Big => u16::from_be_bytes(bytes),
        }
    }

    #[inline(always)]
    fn u32_of(self, bytes: [u8; 4]) -> u32 {
        match self {
            Order::Little => u32::from_le_bytes(bytes),
            Order::Big => u32::from_be_bytes(bytes),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Pcap { order: Order, nanos: bool, record_header_len: usize, link: LinkType },
    PcapNg { order: Order },
}

/// A frame located in the reader's bytes but not yet borrowed from them: what a frame is, and
/// where its captured bytes lie, so that a batch can be located first and borrowed after.
#[derive(Debug, Clone, Copy)]
struct LocatedFrame {
    ts: Timestamp,
    link: LinkType,
    orig_len: u32,
    data_at: usize,
    data_len: usize,
    interface: u32,
}

impl LocatedFrame {
    /// The frame, given its bytes (`data_len` of them, at `data_at` in the buffer).
    #[inline]
    fn with_data(self, data: &[u8]) -> CapturedFrame<'_> {
        CapturedFrame {
            ts: self.ts,
            link: self.link,
            orig_len: self.orig_len,
            data,
            interface: self.interface,
        }
    }
}

/// Reads frames from a pcap or pcapng stream, one buffer reused for every frame.
///
/// ```no_run
/// use flowlog_core::capture::CaptureReader;
/// let mut reader = CaptureReader::open(std::path::Path::new("trace.pcapng"))?;
/// while let Some(frame) = reader.next_frame()? {
///     println!("{} bytes on interface {}", frame.data.len(), frame.interface);
/// }
/// # Ok::<(), flowlog_core::capture::CaptureError>(())
/// ```
pub struct CaptureReader<R: Read> {
    /// The file's bytes and the read position in them.
    source: Source<R>,
    /// Mapped files: bytes before this offset have been prefetched into the CPU cache.
    prefetched: usize,
    /// Frames located by [`CaptureReader::next_frames`] (reserved once, reused).
    pending: Vec<LocatedFrame>,
    format: Format,
    /// Interfaces of the current pcapng section.
    interfaces: Vec<Interface>,
    /// Running index the next interface description gets.
    next_interface: u32,
    /// Once an error is returned, every later call returns it again.
    failed: Option<CaptureError>,
}

impl CaptureReader<std::fs::File> {
    /// Open a capture file and read its header; the file is read with `read()`, never mapped, so
    /// a file truncated while it is read gives an error (or a clean end), never `SIGBUS`.
    ///
    /// # Errors
    /// [`CaptureErrorKind::Io`] when the file cannot be opened, else as [`CaptureReader::new`].
    pub fn open(path: &std::path::Path) -> Result<Self, CaptureError> {
        CaptureReader::new(std::fs::File::open(path).map_err(open_error)?)
    }

    /// Open a capture file mapped into memory (see the module notes for what this buys and why
    /// it is opt-in: a file truncated by another process while it is mapped ends the process
    /// with `SIGBUS`). Anything that is not a regular file (a pipe, a device) or cannot be mapped
    /// is read as [`CaptureReader::open`] reads it. The file is closed once mapped.
    ///
    /// # Errors
    /// As [`CaptureReader::open`].
    pub fn open_mapped(path: &std::path::Path) -> Result<Self, CaptureError> {
        let file = std::fs::File::open(path).map_err(open_error)?;
        let regular = file.metadata().map_err(open_error)?.is_file();
        match regular.then(|| MappedFile::open(&file)).flatten() {
            Some(map) => CaptureReader::start(Source::mapped(map)),
            None => CaptureReader::new(file),
        }
    }

    /// For a mapped file, hand the kernel's page-table work (entering the pages ahead of the
    /// read position, releasing those behind) to `pager`, a thread of the caller's that runs the
    /// returned [`Pager`]: the reader wakes that thread (`unpark`) as it moves on, so that on a
    /// machine with a spare core the reading thread only reads. `None`, and nothing changes, for
    /// a file read as a stream or paging handed off already.
    pub fn hand_off_paging(&mut self, pager: std::thread::Thread) -> Option<Pager> {
        self.source.mapped_mut()?.hand_off_paging(pager)
    }
}

impl<R: Read> CaptureReader<R> {
    /// Read the file header (pcap) or the first section header (pcapng) from `reader`.
    ///
    /// # Errors
    /// `Truncated` (offset 0) for a stream shorter than its header, `UnknownFormat` for an unknown
    /// magic number, `UnsupportedVersion` for pcap major ≠ 2 or pcapng major ≠ 1, `Malformed` for
    /// impossible header fields, `Io` when a read fails.
    pub fn new(reader: R) -> Result<Self, CaptureError> {
        CaptureReader::start(Source::stream(reader))
    }

    /// A reader over `source`; reads the header.
    fn start(source: Source<R>) -> Result<Self, CaptureError> {
        let mut r = CaptureReader {
            source,
            prefetched: 0,
            pending: Vec::new(),
            format: Format::PcapNg { order: Order::Little },
            interfaces: Vec::new(),
            next_interface: 0,
            failed: None,
        };
        if !r.fill(4)? {
            let have = r.source.avail();
            let prefix_of_magic =
                pcap::MAGICS.iter().chain([&pcapng::SHB_MAGIC]).any(|m| m.to_le_bytes().starts_with(have));
            return Err(r.error_at(
                0,
                if prefix_of_magic { CaptureErrorKind::Truncated } else { CaptureErrorKind::UnknownFormat },
            ));
        }
        let magic = r.source.avail().first_chunk::<4>().map_or(0, |m| u32::from_le_bytes(*m));
        if pcap::MAGICS.contains(&magic) {
            r.pcap_header()?;
        } else if magic == pcapng::SHB_MAGIC {
            // The first block must be a section header; `next_frame` reads every later one.
            if !r.fill(pcapng::field::MIN_BLOCK_LEN)? {
                return Err(r.error_at(0, CaptureErrorKind::Truncated));
            }
            r.section_header()?;
        } else {
            return Err(r.error_at(0, CaptureErrorKind::UnknownFormat));
        }
        Ok(r)
    }

    /// The next frame; `Ok(None)` at a clean end of file. Non-packet pcapng blocks are skipped.
    /// Never allocates once the buffer holds the file's largest record.
    ///
    /// # Errors
    /// A [`CaptureError`] with the offset of the damaged header, record or block; every call after
    /// an error returns the same error.
    pub fn next_frame(&mut self) -> Result<Option<CapturedFrame<'_>>, CaptureError> {
        self.source.follow_mapping();
        let located = self.next_located()?;
        Ok(located.map(|f| f.with_data(self.source.data(&f))))
    }

    /// Up to `frames.len()` next frames at once, as [`CapturedFrame::to_frame`] gives them, for
    /// [`Meter::process_batch`](crate::Meter::process_batch); how many were written, 0 at a clean
    /// end of file (or when `frames` is empty). They all borrow the reader until the next call.
    ///
    /// The first frame is read as [`CaptureReader::next_frame`] reads it; more follow only while
    /// they are already in memory (always for a mapped file; for a stream, records already
    /// buffered), so a batch never waits on a slow stream.
    ///
    /// # Errors
    /// As [`CaptureReader::next_frame`]. When damage follows some good frames, those are
    /// returned first and the error comes from the next call.
    pub fn next_frames<'s>(&'s mut self, frames: &mut [Frame<'s>]) -> Result<usize, CaptureError> {
        self.source.follow_mapping();
        if !frames.is_empty() && self.mapped_pcap_record_next() {
            return Ok(self.mapped_pcap_frames(frames));
        }
        // Otherwise the next record is at the end, damaged or truncated (or the file is not a
        // mapped pcap file): the general path below says which, with the offset.
        let mut pending = core::mem::take(&mut self.pending);
        pending.clear();
        pending.reserve(frames.len());
        let mut result = Ok(());
        while pending.len() < frames.len() {
            if !pending.is_empty() && !self.next_is_in_memory() {
                break;
            }
            match self.next_located() {
                Ok(Some(f)) => {
                    pending.push(f);
                    self.prefetch_ahead();
                }
                Ok(None) => break,
                // Kept in `failed`: the next call reports it after these frames are metered.
                Err(e) => {
                    if pending.is_empty() {
                        result = Err(e);
                    }
                    break;
                }
            }
        }
        self.pending = pending;
        result?;
        for (frame, f) in frames.iter_mut().zip(&self.pending) {
            *frame = f.with_data(self.source.data(f)).to_frame();
        }
        Ok(self.pending.len())
    }

    /// The next frame's place, reading as needed.
    #[inline]
    fn next_located(&mut self) -> Result<Option<LocatedFrame>, CaptureError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        match self.format {
            Format::Pcap { order, nanos, record_header_len, link } => {
                self.pcap_record(order, nanos, record_header_len, link)
            }
            Format::PcapNg { .. } => self.pcapng_packet(),
        }
    }

    /// Whether the next record can be read without reading the stream, so without moving the
    /// buffered bytes that earlier frames of a batch point into.
    #[inline]
    fn next_is_in_memory(&self) -> bool {
        match self.format {
            Format::Pcap { order, record_header_len, .. } => {
                self.source.holds_next(|avail| pcap::record_len(avail, order, record_header_len))
            }
            // Blocks before the next packet may be of any number and kind: read one at a time.
            Format::PcapNg { .. } => self.source.holds_next(|_| None),
        }
    }

    /// Bytes of the file consumed so far.
    pub fn offset(&self) -> u64 {
        self.source.offset()
    }

    /// Interfaces described so far: 1 for a pcap file; for pcapng, the running count over all
    /// sections read. A caller reading several files offsets the next file's interfaces by it.
    pub fn interfaces(&self) -> u32 {
        match self.format {
            Format::Pcap { .. } => 1,
            Format::PcapNg { .. } => self.next_interface,
        }
    }

    /// Make `n` unconsumed bytes available (see [`Source::fill`]); a read error is the capture's
    /// error at the current record.
    #[inline]
    fn fill(&mut self, n: usize) -> Result<bool, CaptureError> {
        match self.source.fill(n) {
            Ok(whole) => Ok(whole),
            Err(kind) => Err(self.error(CaptureErrorKind::Io(kind))),
        }
    }

    /// Record an error at file offset `offset` and return it.
    #[cold]
    fn error_at(&mut self, offset: u64, kind: CaptureErrorKind) -> CaptureError {
        let e = CaptureError { offset, kind };
        self.failed = Some(e);
        e
    }

    /// An error at the current record.
    #[cold]
    fn error(&mut self, kind: CaptureErrorKind) -> CaptureError {
        self.error_at(self.source.offset(), kind)
    }
}

/// An error opening a capture file.
fn open_error(e: std::io::Error) -> CaptureError {
    CaptureError { offset: 0, kind: CaptureErrorKind::Io(e.kind()) }
}
