//! Reading pcap and pcapng capture files (SPEC §6 for damaged files).
//!
//! [`CaptureReader`] yields [`CapturedFrame`]s that borrow one internal buffer: after the buffer
//! has grown to the largest record of the file, reading a frame never allocates.
//! [`CaptureReader::next_frames`] hands out many frames at once for
//! [`Meter::process_batch`](crate::Meter::process_batch).
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

use pcap_parser::{OptionCode, PcapNGOption};

use crate::mem::prefetch_at;
mod mapped;
mod metered;

use mapped::MappedFile;
pub use metered::MeteredCapture;

use crate::frame::Frame;
use crate::parse::LinkType;
use crate::window::{Timestamp, NS_PER_SEC};
use crate::{Action, Direction};

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

/// The largest pcapng block: a maximal packet plus room for its header and options.
const MAX_BLOCK_LEN: u32 = MAX_CAPLEN + (64 << 10);

/// The most interfaces one pcapng section may describe (a bound on the reader's memory).
const MAX_INTERFACES_PER_SECTION: usize = 1 << 16;

/// The buffer's first size; it grows to the largest record of the file.
const INITIAL_BUFFER: usize = 64 << 10;

/// Cache lines of a mapped file are prefetched this far ahead of the record being read.
const PREFETCH_AHEAD: usize = 2048;

// Magic numbers, read as little-endian u32.
const PCAP_LE_US: u32 = 0xa1b2_c3d4;
const PCAP_LE_NS: u32 = 0xa1b2_3c4d;
const PCAP_BE_US: u32 = 0xd4c3_b2a1;
const PCAP_BE_NS: u32 = 0x4d3c_b2a1;
const PCAP_LE_MODIFIED: u32 = 0xa1b2_cd34;
const PCAPNG_SHB: u32 = pcap_parser::SHB_MAGIC;

// pcapng block types (pcapng draft §11.1).
const IDB: u32 = pcap_parser::IDB_MAGIC;
const OBSOLETE_PB: u32 = 0x0000_0002;
const SPB: u32 = pcap_parser::SPB_MAGIC;
const EPB: u32 = pcap_parser::EPB_MAGIC;

/// pcap link-type field: bits 16–25 are reserved and must be zero (libpcap's `LT_RESERVED1`).
const PCAP_LINKTYPE_RESERVED: u32 = 0x03ff_0000;

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
    #[inline]
    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let bytes: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u32::from_le_bytes(bytes),
            Order::Big => u32::from_be_bytes(bytes),
        })
    }

    #[inline]
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let bytes: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u16::from_le_bytes(bytes),
            Order::Big => u16::from_be_bytes(bytes),
        })
    }
}

/// The timestamp resolution of a pcap file or pcapng interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolution {
    /// 10^n units per second, n ≤ 19.
    Decimal(u64),
    /// 2^n units per second, n ≤ 63.
    Binary(u32),
}

impl Resolution {
    /// From the `if_tsresol` byte (pcapng draft §4.2): bit 7 clear, 10^-n s; set, 2^-n s.
    /// pcap-parser's own `build_ts_resolution` rejects every power of 2, hence ours.
    fn from_tsresol(b: u8) -> Option<Resolution> {
        let n = b & 0x7f;
        if b & 0x80 == 0 {
            10u64.checked_pow(n as u32).map(Resolution::Decimal)
        } else if n <= 63 {
            Some(Resolution::Binary(n as u32))
        } else {
            None
        }
    }

    /// Seconds and nanoseconds of a count of units.
    #[inline]
    fn split(self, units: u64) -> (u64, u64) {
        match self {
            Resolution::Decimal(per_sec) => {
                let frac = units % per_sec;
                // frac < per_sec ≤ 10^19: the product fits in u128.
                let nanos = (frac as u128 * NS_PER_SEC as u128 / per_sec as u128) as u64;
                (units / per_sec, nanos)
            }
            Resolution::Binary(n) => {
                let frac = units & ((1u64 << n) - 1);
                let nanos = ((frac as u128 * NS_PER_SEC as u128) >> n) as u64;
                (units >> n, nanos)
            }
        }
    }
}

/// A pcapng interface of the current section.
#[derive(Debug, Clone, Copy)]
struct Interface {
    link: LinkType,
    snaplen: u32,
    resolution: Resolution,
    /// `if_tsoffset`: seconds added to every timestamp.
    offset_secs: i64,
    /// Running index over all sections.
    index: u32,
}

impl Interface {
    /// A pcapng 64-bit timestamp in this interface's units, as a [`Timestamp`].
    #[inline]
    fn timestamp(&self, high: u32, low: u32) -> Timestamp {
        let (secs, nanos) = self.resolution.split(((high as u64) << 32) | low as u64);
        match secs.checked_add_signed(self.offset_secs) {
            Some(secs) => Timestamp::from_parts(secs, nanos),
            // Before the epoch: not representable in u64 ns either.
            None => Timestamp::OutOfRange,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Pcap { order: Order, nanos: bool, record_header_len: usize, link: LinkType },
    PcapNg { order: Order },
}

/// The position of a frame found in the buffer, without borrowing it.
#[derive(Debug, Clone, Copy)]
struct Found {
    ts: Timestamp,
    link: LinkType,
    orig_len: u32,
    data_at: usize,
    data_len: usize,
    interface: u32,
}

impl Found {
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
    reader: R,
    /// Unconsumed bytes are `buf[start..end]`.
    buf: Buffer,
    /// Mapped files: bytes before this offset have been prefetched into the CPU cache.
    prefetched: usize,
    /// Frames found by [`CaptureReader::next_frames`] (reserved once, reused).
    pending: Vec<Found>,
    start: usize,
    end: usize,
    /// The reader returned 0.
    eof: bool,
    /// File offset of `buf[start]`.
    consumed: u64,
    format: Format,
    /// Interfaces of the current pcapng section.
    interfaces: Vec<Interface>,
    /// Running index the next interface description gets.
    next_interface: u32,
    /// Once an error is returned, every later call returns it again.
    failed: Option<CaptureError>,
}

/// Where the reader's bytes are.
enum Buffer {
    /// Read from a stream into a buffer that grows to the largest record.
    Heap(Vec<u8>),
    /// A whole file mapped read-only: `end` is its length from the start, and nothing is read.
    Mapped(MappedFile),
}

impl Buffer {
    #[inline]
    fn bytes(&self) -> &[u8] {
        match self {
            Buffer::Heap(v) => v,
            Buffer::Mapped(m) => m.bytes(),
        }
    }
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
    /// is read as [`CaptureReader::open`] reads it.
    ///
    /// # Errors
    /// As [`CaptureReader::open`].
    pub fn open_mapped(path: &std::path::Path) -> Result<Self, CaptureError> {
        let io_error = open_error;
        let file = std::fs::File::open(path).map_err(io_error)?;
        let regular = file.metadata().map_err(io_error)?.is_file();
        match regular.then(|| MappedFile::open(&file)).flatten() {
            Some(map) => {
                let len = map.bytes().len();
                CaptureReader::start(file, Buffer::Mapped(map), len, true)
            }
            None => CaptureReader::new(file),
        }
    }

    /// For a mapped file, do the kernel's page-table work (entering the pages ahead of the read
    /// position, removing those behind) on a thread of its own, so that on a machine with a
    /// spare core the reading thread only reads. Nothing changes for a file read as a stream.
    pub fn page_in_background(&mut self) {
        if let Buffer::Mapped(map) = &mut self.buf {
            map.page_in_background();
        }
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
        CaptureReader::start(reader, Buffer::Heap(vec![0; INITIAL_BUFFER]), 0, false)
    }

    /// A reader over `buf` holding `end` bytes already (`eof`: and no more to read); reads the
    /// header.
    fn start(reader: R, buf: Buffer, end: usize, eof: bool) -> Result<Self, CaptureError> {
        let mut r = CaptureReader {
            reader,
            buf,
            prefetched: 0,
            pending: Vec::new(),
            start: 0,
            end,
            eof,
            consumed: 0,
            format: Format::PcapNg { order: Order::Little },
            interfaces: Vec::new(),
            next_interface: 0,
            failed: None,
        };
        if !r.fill(4)? {
            let have = r.buf.bytes().get(..r.end).unwrap_or_default();
            let prefix_of_magic =
                [PCAP_LE_US, PCAP_LE_NS, PCAP_BE_US, PCAP_BE_NS, PCAP_LE_MODIFIED, PCAPNG_SHB]
                    .iter()
                    .any(|m| m.to_le_bytes().starts_with(have));
            return Err(r.error_at(
                0,
                if prefix_of_magic { CaptureErrorKind::Truncated } else { CaptureErrorKind::UnknownFormat },
            ));
        }
        let magic = Order::Little.u32(r.buf.bytes(), 0).unwrap_or(0);
        match magic {
            PCAP_LE_US | PCAP_LE_NS | PCAP_BE_US | PCAP_BE_NS | PCAP_LE_MODIFIED => r.pcap_header()?,
            PCAPNG_SHB => {
                // The first block must be a section header; `next_frame` reads every later one.
                if !r.fill(12)? {
                    return Err(r.error_at(0, CaptureErrorKind::Truncated));
                }
                r.section_header()?;
            }
            _ => return Err(r.error_at(0, CaptureErrorKind::UnknownFormat)),
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
        self.follow_mapping();
        let found = self.next_found()?;
        Ok(found.map(|f| f.with_data(self.data(&f))))
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
        self.follow_mapping();
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
            match self.next_found() {
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
            *frame = f.with_data(self.data(f)).to_frame();
        }
        Ok(self.pending.len())
    }

    /// Whether the next record is a whole, sane record of a mapped pcap file (and no error came
    /// before), so that [`CaptureReader::mapped_pcap_frames`] frames at least it.
    #[inline]
    fn mapped_pcap_record_next(&self) -> bool {
        match (&self.buf, self.format, self.failed) {
            (Buffer::Mapped(map), Format::Pcap { order, record_header_len, .. }, None) => {
                whole_pcap_record(map.bytes(), self.start, order, record_header_len).is_some()
            }
            _ => false,
        }
    }

    /// The batch path for a mapped pcap file, where nearly all input is read: records are framed
    /// straight from the mapping into `frames`, with none of the general path's per-record
    /// bookkeeping (buffer refills, pending positions, a second pass to borrow the bytes). It
    /// stops before the first record that is not whole and sane (end of file, truncation, an
    /// impossible length), which the general path then reads, so every error and its offset
    /// come from one place. Returns how many frames it wrote.
    #[inline]
    fn mapped_pcap_frames<'s>(&'s mut self, frames: &mut [Frame<'s>]) -> usize {
        let CaptureReader {
            buf: Buffer::Mapped(map),
            format: Format::Pcap { order, nanos, record_header_len, link },
            start,
            consumed,
            prefetched,
            ..
        } = self
        else {
            return 0;
        };
        let (order, nanos, header_len, link) = (*order, *nanos, *record_header_len, *link);
        let bytes: &'s [u8] = map.bytes();
        let first = *start;
        let mut at = first;
        let mut line = (*prefetched).max(at);
        let mut n = 0;
        for frame in frames.iter_mut() {
            let Some((header, data)) = whole_pcap_record(bytes, at, order, header_len) else {
                break;
            };
            let ts = pcap_timestamp(header[0], header[1], nanos);
            *frame = CapturedFrame { ts, link, orig_len: header[3], data, interface: 0 }.to_frame();
            n += 1;
            at += header_len + data.len();
            line = prefetch_lines(bytes, line, (at + PREFETCH_AHEAD).min(bytes.len()));
        }
        *prefetched = line;
        *consumed += (at - first) as u64;
        *start = at;
        n
    }

    /// The next frame's position, reading as needed.
    #[inline]
    fn next_found(&mut self) -> Result<Option<Found>, CaptureError> {
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
        if self.eof {
            // Nothing more to read: `fill` never moves or grows the buffer again.
            return true;
        }
        match self.format {
            Format::Pcap { order, record_header_len, .. } => {
                let h = self.avail();
                match order.u32(h, 8) {
                    Some(caplen) if h.len() >= record_header_len => {
                        (caplen as usize).saturating_add(record_header_len) <= h.len()
                    }
                    _ => false,
                }
            }
            // Blocks before the next packet may be of any number and kind: read one at a time.
            Format::PcapNg { .. } => false,
        }
    }

    /// The bytes of a frame found in the buffer.
    #[inline]
    fn data(&self, f: &Found) -> &[u8] {
        // In bounds: `fill` made these bytes available before `Found` was built.
        self.buf.bytes().get(f.data_at..f.data_at + f.data_len).unwrap_or(&[])
    }

    /// Let a mapped file keep the pages around the read position in the page tables. Called only
    /// between frames, when no frame borrows the buffer.
    #[inline]
    fn follow_mapping(&mut self) {
        if let Buffer::Mapped(map) = &mut self.buf {
            map.follow(self.start);
        }
    }

    /// Prefetch a mapped file's cache lines up to [`PREFETCH_AHEAD`] bytes past the read
    /// position: record headers are read one after another, each a cache miss otherwise (the
    /// hardware prefetcher stops at page boundaries).
    #[inline]
    fn prefetch_ahead(&mut self) {
        let Buffer::Mapped(map) = &self.buf else { return };
        let upto = (self.start + PREFETCH_AHEAD).min(self.end);
        self.prefetched = prefetch_lines(map.bytes(), self.prefetched.max(self.start), upto);
    }

    /// Bytes of the file consumed so far.
    pub fn offset(&self) -> u64 {
        self.consumed
    }

    /// Interfaces described so far: 1 for a pcap file; for pcapng, the running count over all
    /// sections read. A caller reading several files offsets the next file's interfaces by it.
    pub fn interfaces(&self) -> u32 {
        match self.format {
            Format::Pcap { .. } => 1,
            Format::PcapNg { .. } => self.next_interface,
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
        self.error_at(self.consumed, kind)
    }

    /// Make `n` unconsumed bytes available in `buf[start..]`. `Ok(false)` when the stream ends
    /// first. Every loop turn either reads at least one byte or reaches the end, so it cannot
    /// spin. The buffer doubles only when it is full of bytes actually read, so a damaged length
    /// field in a small file never reserves the 256 MiB it claims: memory stays within twice the
    /// largest record really present.
    #[inline]
    fn fill(&mut self, n: usize) -> Result<bool, CaptureError> {
        if self.end - self.start >= n {
            return Ok(true);
        }
        self.fill_slow(n)
    }

    /// The part of [`CaptureReader::fill`] that reads (or finds the end).
    #[inline(never)]
    fn fill_slow(&mut self, n: usize) -> Result<bool, CaptureError> {
        while self.end - self.start < n {
            if self.eof {
                return Ok(false);
            }
            // A mapped file starts at end of file, so only a stream gets here.
            let Buffer::Heap(buf) = &mut self.buf else {
                self.eof = true;
                continue;
            };
            if buf.len() - self.start < n && self.start > 0 {
                buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == buf.len() {
                // Full of unconsumed bytes and still short of `n` (callers bound `n`).
                let grown = buf.len().saturating_mul(2).max(INITIAL_BUFFER).min(self.start + n);
                buf.resize(grown, 0);
            }
            match self.reader.read(&mut buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k.min(buf.len() - self.end),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.error(CaptureErrorKind::Io(e.kind()))),
            }
        }
        Ok(true)
    }

    /// Mark `n` available bytes as read.
    #[inline]
    fn consume(&mut self, n: usize) {
        self.start += n;
        self.consumed += n as u64;
    }

    /// The unconsumed bytes.
    #[inline]
    fn avail(&self) -> &[u8] {
        self.buf.bytes().get(self.start..self.end).unwrap_or_default()
    }

    /// Read the 24-byte pcap file header (parsed by pcap-parser).
    fn pcap_header(&mut self) -> Result<(), CaptureError> {
        if !self.fill(24)? {
            return Err(self.error(CaptureErrorKind::Truncated));
        }
        let header = match pcap_parser::parse_pcap_header(self.avail()) {
            Ok((_, h)) => h,
            Err(_) => return Err(self.error(CaptureErrorKind::UnknownFormat)),
        };
        if header.version_major != 2 {
            return Err(self.error(CaptureErrorKind::UnsupportedVersion));
        }
        let link_field = header.network.0 as u32;
        if link_field & PCAP_LINKTYPE_RESERVED != 0 {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        self.format = Format::Pcap {
            order: if header.is_bigendian() { Order::Big } else { Order::Little },
            nanos: header.is_nanosecond_precision(),
            record_header_len: if header.is_modified_format() { 24 } else { 16 },
            // The low 16 bits are the link type; the top bits carry the FCS length.
            link: LinkType(link_field & 0xffff),
        };
        self.consume(24);
        Ok(())
    }

    /// One pcap record.
    fn pcap_record(
        &mut self,
        order: Order,
        nanos: bool,
        header_len: usize,
        link: LinkType,
    ) -> Result<Option<Found>, CaptureError> {
        if !self.fill(header_len)? {
            return if self.end == self.start {
                Ok(None)
            } else {
                Err(self.error(CaptureErrorKind::Truncated))
            };
        }
        // `fill` made the header available.
        let h = self.avail().first_chunk::<16>().copied().unwrap_or_default();
        let [ts_sec, ts_frac, caplen, orig_len] = pcap_fields(&h, order);
        if caplen > MAX_CAPLEN {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let total = header_len + caplen as usize;
        if !self.fill(total)? {
            return Err(self.error(CaptureErrorKind::Truncated));
        }
        let found = Found {
            ts: pcap_timestamp(ts_sec, ts_frac, nanos),
            link,
            orig_len,
            data_at: self.start + header_len,
            data_len: caplen as usize,
            interface: 0,
        };
        self.consume(total);
        Ok(Some(found))
    }

    /// Make the next pcapng block available: `Ok(None)` at a clean end, else (type, length).
    fn pcapng_block(&mut self, order: Order) -> Result<Option<(u32, usize)>, CaptureError> {
        if !self.fill(12)? {
            return if self.end == self.start {
                Ok(None)
            } else {
                Err(self.error(CaptureErrorKind::Truncated))
            };
        }
        let block_type = Order::Little.u32(self.avail(), 0).unwrap_or(0);
        if block_type == PCAPNG_SHB {
            // A new section may change the byte order: its own header says which.
            return Ok(Some((block_type, 0)));
        }
        let block_len = order.u32(self.avail(), 4).unwrap_or(0);
        if block_len < 12 || !block_len.is_multiple_of(4) || block_len > MAX_BLOCK_LEN {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let len = block_len as usize;
        if !self.fill(len)? {
            return Err(self.error(CaptureErrorKind::Truncated));
        }
        if order.u32(self.avail(), len - 4) != Some(block_len) {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        Ok(Some((order.u32(self.avail(), 0).unwrap_or(0), len)))
    }

    /// Read pcapng blocks until a packet.
    fn pcapng_packet(&mut self) -> Result<Option<Found>, CaptureError> {
        loop {
            let Format::PcapNg { order } = self.format else { return Ok(None) };
            let Some((block_type, len)) = self.pcapng_block(order)? else { return Ok(None) };
            let found = match block_type {
                PCAPNG_SHB => {
                    self.section_header()?;
                    continue;
                }
                IDB => {
                    self.interface_description(order, len)?;
                    None
                }
                EPB => Some(self.enhanced_packet(order, len)?),
                OBSOLETE_PB => Some(self.obsolete_packet(order, len)?),
                SPB => Some(self.simple_packet(order, len)?),
                // Statistics, name resolution, custom, decryption secrets, journal, unknown:
                // not packets (SPEC §2: not counted).
                _ => None,
            };
            self.consume(len);
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    /// A section header block at `buf[start..]` (12 bytes available): check it, switch byte
    /// order, start a new list of interfaces.
    fn section_header(&mut self) -> Result<(), CaptureError> {
        let order = match Order::Little.u32(self.avail(), 8) {
            Some(0x1a2b_3c4d) => Order::Little,
            Some(0x4d3c_2b1a) => Order::Big,
            _ => return Err(self.error(CaptureErrorKind::Malformed)),
        };
        let block_len = order.u32(self.avail(), 4).unwrap_or(0);
        if block_len < 28 || block_len % 4 != 0 || block_len > MAX_BLOCK_LEN {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let len = block_len as usize;
        if !self.fill(len)? {
            return Err(self.error(CaptureErrorKind::Truncated));
        }
        if order.u32(self.avail(), len - 4) != Some(block_len) {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let shb = match pcap_parser::parse_sectionheaderblock(&self.avail()[..len]) {
            Ok((_, shb)) => shb,
            Err(_) => return Err(self.error(CaptureErrorKind::Malformed)),
        };
        if shb.major_version != 1 {
            return Err(self.error(CaptureErrorKind::UnsupportedVersion));
        }
        self.format = Format::PcapNg { order };
        self.interfaces.clear();
        self.consume(len);
        Ok(())
    }

    /// An interface description block of `len` bytes (parsed by pcap-parser).
    fn interface_description(&mut self, order: Order, len: usize) -> Result<(), CaptureError> {
        let block = &self.avail()[..len];
        let parsed = match order {
            Order::Little => pcap_parser::parse_interfacedescriptionblock_le(block),
            Order::Big => pcap_parser::parse_interfacedescriptionblock_be(block),
        };
        let Ok((_, idb)) = parsed else { return Err(self.error(CaptureErrorKind::Malformed)) };
        let mut tsresol = 6;
        let mut offset_secs = 0i64;
        for opt in &idb.options {
            // pcap-parser reads if_tsoffset as little-endian in every section; read both here.
            match option_value(opt) {
                Some(v) if opt.code == OptionCode::IfTsresol && !v.is_empty() => tsresol = v[0],
                Some(v) if opt.code == OptionCode::IfTsoffset && v.len() == 8 => {
                    let bytes: [u8; 8] = v.try_into().unwrap_or([0; 8]);
                    offset_secs = match order {
                        Order::Little => i64::from_le_bytes(bytes),
                        Order::Big => i64::from_be_bytes(bytes),
                    };
                }
                _ => {}
            }
        }
        let link = LinkType(idb.linktype.0 as u16 as u32);
        let snaplen = idb.snaplen;
        drop(idb);
        let Some(resolution) = Resolution::from_tsresol(tsresol) else {
            return Err(self.error(CaptureErrorKind::Malformed));
        };
        if self.interfaces.len() >= MAX_INTERFACES_PER_SECTION {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let Some(after) = self.next_interface.checked_add(1) else {
            return Err(self.error(CaptureErrorKind::Malformed));
        };
        self.interfaces.push(Interface {
            link,
            snaplen,
            resolution,
            offset_secs,
            index: self.next_interface,
        });
        self.next_interface = after;
        Ok(())
    }

    /// The interface a packet block names, or `Malformed`.
    fn interface(&mut self, id: u32) -> Result<Interface, CaptureError> {
        match self.interfaces.get(id as usize) {
            Some(i) => Ok(*i),
            None => Err(self.error(CaptureErrorKind::Malformed)),
        }
    }

    /// An enhanced packet block (pcapng draft §4.3): 28 bytes of header, data, options, length.
    fn enhanced_packet(&mut self, order: Order, len: usize) -> Result<Found, CaptureError> {
        let b = self.avail();
        let field = |at: usize| order.u32(b, at).unwrap_or(0);
        let (if_id, ts_high, ts_low, caplen, orig_len) =
            (field(8), field(12), field(16), field(20), field(24));
        if len < 32 || caplen as usize > len - 32 {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let iface = self.interface(if_id)?;
        Ok(Found {
            ts: iface.timestamp(ts_high, ts_low),
            link: iface.link,
            orig_len,
            data_at: self.start + 28,
            data_len: caplen as usize,
            interface: iface.index,
        })
    }

    /// An obsolete packet block (pcapng draft, appendix): like an enhanced packet block with a
    /// 16-bit interface id and a 16-bit drop count.
    fn obsolete_packet(&mut self, order: Order, len: usize) -> Result<Found, CaptureError> {
        let b = self.avail();
        let if_id = order.u16(b, 8).unwrap_or(0);
        let field = |at: usize| order.u32(b, at).unwrap_or(0);
        let (ts_high, ts_low, caplen, orig_len) = (field(12), field(16), field(20), field(24));
        if len < 32 || caplen as usize > len - 32 {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let iface = self.interface(if_id as u32)?;
        Ok(Found {
            ts: iface.timestamp(ts_high, ts_low),
            link: iface.link,
            orig_len,
            data_at: self.start + 28,
            data_len: caplen as usize,
            interface: iface.index,
        })
    }

    /// A simple packet block (pcapng draft §4.4): interface 0, no timestamp, captured length =
    /// min(original length, snaplen, what the block holds).
    fn simple_packet(&mut self, order: Order, len: usize) -> Result<Found, CaptureError> {
        if len < 16 {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let orig_len = order.u32(self.avail(), 8).unwrap_or(0);
        let iface = self.interface(0)?;
        let mut caplen = (orig_len as usize).min(len - 16);
        if iface.snaplen != 0 {
            caplen = caplen.min(iface.snaplen as usize);
        }
        Ok(Found {
            ts: Timestamp::Missing,
            link: iface.link,
            orig_len,
            data_at: self.start + 12,
            data_len: caplen,
            interface: iface.index,
        })
    }
}

/// An error opening a capture file.
fn open_error(e: std::io::Error) -> CaptureError {
    CaptureError { offset: 0, kind: CaptureErrorKind::Io(e.kind()) }
}

/// The four fields of a pcap record header: seconds, fraction, captured length, wire length.
#[inline(always)]
fn pcap_fields(h: &[u8; 16], order: Order) -> [u32; 4] {
    core::array::from_fn(|i| {
        let b = [h[4 * i], h[4 * i + 1], h[4 * i + 2], h[4 * i + 3]];
        match order {
            Order::Little => u32::from_le_bytes(b),
            Order::Big => u32::from_be_bytes(b),
        }
    })
}

/// The pcap record at `at` of `bytes` when it is whole and its length sane: the four header fields
/// (seconds, fraction, captured length, wire length) and the captured bytes.
#[inline(always)]
fn whole_pcap_record(bytes: &[u8], at: usize, order: Order, header_len: usize) -> Option<([u32; 4], &[u8])> {
    let header = pcap_fields(bytes.get(at..)?.first_chunk::<16>()?, order);
    if header[2] > MAX_CAPLEN {
        return None;
    }
    let data_at = at.checked_add(header_len)?;
    let data = bytes.get(data_at..data_at.checked_add(header[2] as usize)?)?;
    Some((header, data))
}

/// Prefetch `bytes` every 64 bytes (a cache line) from `from` up to `upto` (at most
/// `bytes.len()`); returns where the next call starts.
///
/// A plain loop of address hints, about 3 instructions a line: a `step_by` iterator over the
/// slice cost about 8, some 30 instructions per record of a typical capture.
#[inline]
fn prefetch_lines(bytes: &[u8], from: usize, upto: usize) -> usize {
    debug_assert!(upto <= bytes.len());
    let mut line = from;
    while line < upto {
        prefetch_at(bytes, line, 0);
        line += 64;
    }
    line
}

/// A pcap record's time: seconds and a fraction in µs or, for `nanos` files, ns.
#[inline]
fn pcap_timestamp(secs: u32, frac: u32, nanos: bool) -> Timestamp {
    let frac_ns = if nanos { frac as u64 } else { frac as u64 * 1_000 };
    Timestamp::from_parts(secs as u64, frac_ns)
}

/// An option's value without its padding.
fn option_value<'a>(opt: &'a PcapNGOption<'_>) -> Option<&'a [u8]> {
    opt.value().get(..opt.len as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_of_two_resolution_converts_fractions_to_nanoseconds() {
        let r = Resolution::from_tsresol(0x80 | 10).unwrap();
        assert_eq!(r.split(3 * 1024 + 512), (3, 500_000_000));
        assert_eq!(Resolution::from_tsresol(0x80 | 64), None);
        assert_eq!(Resolution::from_tsresol(20), None);
        assert_eq!(Resolution::from_tsresol(9).unwrap().split(1_500_000_001), (1, 500_000_001));
    }
}
