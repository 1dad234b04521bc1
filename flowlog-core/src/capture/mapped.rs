//! A capture file mapped into memory, read front to back, and the batch framer that reads pcap
//! records straight from it.
//!
//! Frames point straight into the page cache, so nothing is copied. What a mapping costs instead
//! is the kernel's work on page tables: entering every page before it is read and removing the
//! pages behind (so that resident memory stays bounded however large the file). [`MappedFile`]
//! does both a window at a time, [`STEP`] bytes at a go, either on the reading thread or, once
//! handed off as a [`Pager`], on a thread the caller runs, so that on a machine with a spare core
//! the reader only reads. The thread is the caller's (the `flowlog` command starts one): a
//! library does not start threads in its host's process.

use std::fs::File;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::Thread;
use std::time::Duration;

use memmap2::{Advice, Mmap, UncheckedAdvice};

use super::pcap::{self, RecordHeader, RECORD_HEADER_LEN};
use super::{CaptureReader, CapturedFrame, Format, Order, MAX_CAPLEN};
use crate::frame::Frame;
use crate::mem::prefetch_at;

/// Cache lines of a mapped file are prefetched this far ahead of the record being read.
const PREFETCH_AHEAD: usize = 2048;

/// Bytes entered into (or removed from) the page tables at a go: a multiple of every page size in
/// use, so every range starts page aligned.
const STEP: usize = 1 << 20;
/// Pages are entered this far ahead of the read position. Nothing behind it is borrowed any more,
/// so pages are removed as soon as a whole step lies behind it: at most `AHEAD + STEP` of the
/// file is resident while the pages are released as the reader goes (see [`RELEASE_LAG`] for a
/// pager that falls behind). The lead is what lets the reader keep going while the pager waits for a
/// core: it must cover the time a busy core takes to schedule the pager, or the reader meets
/// pages not yet entered and takes the faults itself.
const AHEAD: usize = 4 * STEP;
/// With the paging handed off, the reader releases pages itself once this much lies unreleased
/// behind it: the pager may wait long for a core while the reader goes on faulting pages in, and
/// only releasing bounds the file's resident pages (to about `AHEAD + RELEASE_LAG + STEP`).
const RELEASE_LAG: usize = 8 * STEP;

impl<R: std::io::Read> CaptureReader<R> {
    /// Whether the next record is a whole, sane record of a mapped pcap file (and no error came
    /// before), so that [`CaptureReader::mapped_pcap_frames`] frames at least it.
    #[inline]
    pub(super) fn mapped_pcap_record_next(&self) -> bool {
        match (self.source.mapped_bytes(), self.format, self.failed) {
            (Some(bytes), Format::Pcap { order, record_header_len, .. }, None) => {
                whole_pcap_record(bytes, self.source.start(), order, record_header_len).is_some()
            }
            _ => false,
        }
    }

    /// The batch path for a mapped pcap file, where nearly all input is read: records are framed
    /// straight from the mapping into `frames`, with none of the general path's per-record
    /// bookkeeping (buffer refills, located frames, a second pass to borrow the bytes). It stops
    /// before the first record that is not whole and sane (end of file, truncation, an impossible
    /// length), which the general path then reads, so every error and its offset come from one
    /// place. Returns how many frames it wrote.
    #[inline]
    pub(super) fn mapped_pcap_frames<'s>(&'s mut self, frames: &mut [Frame<'s>]) -> usize {
        let CaptureReader {
            source,
            format: Format::Pcap { order, nanos, record_header_len, link },
            prefetched,
            ..
        } = self
        else {
            return 0;
        };
        let (order, nanos, header_len, link) = (*order, *nanos, *record_header_len, *link);
        let Some(mut cursor) = source.mapped_cursor() else { return 0 };
        let bytes: &'s [u8] = cursor.bytes;
        let mut at = cursor.start();
        let mut line = (*prefetched).max(at);
        let mut n = 0;
        for frame in frames.iter_mut() {
            let Some((h, data)) = whole_pcap_record(bytes, at, order, header_len) else {
                break;
            };
            let ts = pcap::timestamp(h.ts_sec, h.ts_frac, nanos);
            *frame = CapturedFrame { ts, link, orig_len: h.orig_len, data, interface: 0 }.to_frame();
            n += 1;
            at += header_len + data.len();
            line = prefetch_lines(bytes, line, (at + PREFETCH_AHEAD).min(bytes.len()));
        }
        *prefetched = line;
        cursor.advance(at);
        n
    }

    /// Prefetch a mapped file's cache lines up to [`PREFETCH_AHEAD`] bytes past the read
    /// position: record headers are read one after another, each a cache miss otherwise (the
    /// hardware prefetcher stops at page boundaries).
    #[inline]
    pub(super) fn prefetch_ahead(&mut self) {
        let Some(bytes) = self.source.mapped_bytes() else { return };
        let start = self.source.start();
        let upto = (start + PREFETCH_AHEAD).min(bytes.len());
        self.prefetched = prefetch_lines(bytes, self.prefetched.max(start), upto);
    }
}

/// The pcap record at `at` of `bytes` when it is whole and its length sane: its header and its
/// captured bytes.
#[inline(always)]
fn whole_pcap_record(
    bytes: &[u8],
    at: usize,
    order: Order,
    header_len: usize,
) -> Option<(RecordHeader, &[u8])> {
    let header = RecordHeader::read(bytes.get(at..)?.first_chunk::<RECORD_HEADER_LEN>()?, order);
    if header.caplen > MAX_CAPLEN {
        return None;
    }
    let data_at = at.checked_add(header_len)?;
    let data = bytes.get(data_at..data_at.checked_add(header.caplen as usize)?)?;
    Some((header, data))
}

/// Prefetch `bytes` every 64 bytes (a cache line) from `from` up to `upto` (at most
/// `bytes.len()`); returns where the next call starts. A plain loop of address hints: an
/// iterator (`step_by`) over the slice costs several times the instructions per line.
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

/// A read-only mapping of a whole file and the window of it kept in the page tables.
pub(super) struct MappedFile {
    map: Arc<Mmap>,
    paging: Paging,
}

enum Paging {
    /// The reading thread maps and releases pages itself.
    Inline(Window),
    /// A [`Pager`] on another thread does, following the position the reader publishes.
    HandedOff(Reader),
}

/// The window of pages in the page tables: `[released, populated)`.
#[derive(Default)]
struct Window {
    /// Shared with the reader once the paging is handed off: either may release.
    released: Arc<AtomicUsize>,
    populated: usize,
}

/// The reader's side of handed-off paging.
struct Reader {
    /// Where the reader is, for the pager.
    position: Arc<AtomicUsize>,
    /// The pager's window's `released`.
    released: Arc<AtomicUsize>,
    /// The pager's thread, woken at every step the reader moves.
    pager: Thread,
    /// The step of the last position the pager was woken for.
    step: usize,
}

/// The page-table work of a mapped capture (entering the pages ahead of the reader, releasing
/// those behind it), to be done on a thread of the caller's: see
/// [`CaptureReader::hand_off_paging`](super::CaptureReader::hand_off_paging).
pub struct Pager {
    map: Arc<Mmap>,
    window: Window,
    position: Arc<AtomicUsize>,
}

impl Pager {
    /// Keep the window around the reader's latest position in the page tables: enter the pages
    /// up to a few MiB ahead of it, release the whole steps behind it. The pager's thread calls
    /// it whenever it is woken (the reader wakes it each time it moves a MiB) and, in case a wake
    /// is missed, every few milliseconds ([`Pager::NAP`]).
    pub fn follow_reader(&mut self) {
        self.window.follow(&self.map, self.position.load(Ordering::Acquire));
    }

    /// How long the pager's thread may sleep between two calls when it is not woken.
    pub const NAP: Duration = Duration::from_millis(2);
}

impl MappedFile {
    /// Map `file` read-only, or `None` when it cannot be mapped or is empty (read it instead).
    pub(super) fn open(file: &File) -> Option<MappedFile> {
        // SAFETY: the map is read-only and private to this reader; its bytes are only read
        // through bounds-checked slices. The one hazard of any file mapping, another process
        // truncating the file while it is mapped, raises SIGBUS rather than undefined reads;
        // that is why mapping is opt-in (`CaptureReader::open_mapped`, see its notes).
        let map = unsafe { Mmap::map(file) }.ok()?;
        if map.is_empty() {
            return None;
        }
        let _ = map.advise(Advice::Sequential);
        Some(MappedFile { map: Arc::new(map), paging: Paging::Inline(Window::default()) })
    }

    /// The file's bytes.
    #[inline]
    pub(super) fn bytes(&self) -> &[u8] {
        &self.map
    }

    /// The reader is at `position` and no frame before it is borrowed any more: keep the window
    /// around it in the page tables.
    #[inline]
    pub(super) fn follow(&mut self, position: usize) {
        match &mut self.paging {
            Paging::Inline(window) => window.follow(&self.map, position),
            Paging::HandedOff(reader) => {
                reader.position.store(position, Ordering::Release);
                if position.saturating_sub(reader.released.load(Ordering::Relaxed)) > RELEASE_LAG {
                    release_behind(&self.map, &reader.released, position);
                }
                if position / STEP != reader.step {
                    reader.step = position / STEP;
                    reader.pager.unpark();
                }
            }
        }
    }

    /// Hand the page-table work to `pager`, a thread that runs the returned [`Pager`]; `None`
    /// when it was handed off already.
    pub(super) fn hand_off_paging(&mut self, pager: Thread) -> Option<Pager> {
        let Paging::Inline(window) = &mut self.paging else { return None };
        let position = Arc::new(AtomicUsize::new(window.released.load(Ordering::Relaxed)));
        let window = std::mem::take(window);
        let released = Arc::clone(&window.released);
        let reader = Reader { position: Arc::clone(&position), released, pager, step: 0 };
        self.paging = Paging::HandedOff(reader);
        Some(Pager { map: Arc::clone(&self.map), window, position })
    }
}

/// Enter the pages of `map[from..to]` into the page tables by reading a byte every 16 KiB.
///
/// A read fault enters the page and, by the kernel's fault-around, the rest of its 64 KiB
/// (the default), so one read in four faults and the others find their page present. That costs
/// the kernel less than `MADV_POPULATE_READ`, which walks the range page by page. Reading every
/// 16 KiB rather than every 64 KiB still
/// enters most pages where fault-around is set smaller. A page that cannot be read (the file was
/// truncated under the map) raises the same SIGBUS here as in the reader, which reads it anyway.
fn enter_pages(map: &[u8], from: usize, to: usize) {
    const STRIDE: usize = 16 << 10;
    for at in (from..to).step_by(STRIDE) {
        std::hint::black_box(map[at]);
    }
}

impl Window {
    /// Enter the pages up to [`AHEAD`] past `position` and remove the whole steps behind it.
    fn follow(&mut self, map: &Mmap, position: usize) {
        let end = map.len();
        // After a long wait the pager starts at the reader, not where it stopped: pages the reader
        // has passed are no use entered.
        self.populated = self.populated.max(position);
        while self.populated < end && self.populated < position + AHEAD {
            let upto = (self.populated + STEP).min(end);
            enter_pages(map, self.populated, upto);
            self.populated = upto;
        }
        release_behind(map, &self.released, position);
    }
}

/// Remove from the page tables the whole steps of `map` before `position` that are not yet
/// released, and move `released` past them. The reader and the pager may both call it: each
/// range is claimed by one of them (`fetch_max`), so none is released twice.
fn release_behind(map: &Mmap, released: &AtomicUsize, position: usize) {
    let upto = position - position % STEP;
    let from = released.fetch_max(upto, Ordering::AcqRel);
    if upto > from {
        // SAFETY: the map is a read-only shared file mapping, so after MADV_DONTNEED any later
        // read of these pages faults them back in from the file with the same bytes: the
        // advice never changes what a slice of the map reads, it only frees page tables.
        let _ = unsafe { map.unchecked_advise_range(UncheckedAdvice::DontNeed, from, upto - from) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A file of `len` bytes, byte `i` being `i % 251`, mapped; removed when dropped.
    struct TempMap {
        path: std::path::PathBuf,
        mapped: MappedFile,
    }

    impl TempMap {
        fn new(name: &str, len: usize) -> TempMap {
            let path = std::env::temp_dir().join(format!("flowlog-mapped-{}-{name}", std::process::id()));
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::File::create(&path).unwrap().write_all(&bytes).unwrap();
            let mapped = MappedFile::open(&std::fs::File::open(&path).unwrap()).unwrap();
            TempMap { path, mapped }
        }
    }

    impl Drop for TempMap {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    #[test]
    fn each_step_behind_the_reader_is_released_once_by_whoever_comes_first() {
        let t = TempMap::new("claims", 6 * STEP);
        let released = AtomicUsize::new(0);
        release_behind(&t.mapped.map, &released, 3 * STEP + 5);
        assert_eq!(released.load(Ordering::Relaxed), 3 * STEP);
        // A caller that is behind (the pager, woken late) claims nothing and moves nothing back.
        release_behind(&t.mapped.map, &released, 2 * STEP);
        assert_eq!(released.load(Ordering::Relaxed), 3 * STEP);
        release_behind(&t.mapped.map, &released, 5 * STEP + STEP / 2);
        assert_eq!(released.load(Ordering::Relaxed), 5 * STEP);
        // Released pages read back the file's bytes.
        let bytes = t.mapped.bytes();
        assert!((0..5 * STEP).step_by(4093).all(|i| bytes[i] == (i % 251) as u8));
    }

    #[test]
    fn a_reader_ahead_of_a_pager_that_never_runs_releases_pages_itself() {
        let mut t = TempMap::new("stalled", 40 * STEP);
        // Paging handed off to a pager that never gets a core: only the reader can release.
        let pager = t.mapped.hand_off_paging(std::thread::current()).unwrap();
        let released = Arc::clone(&pager.window.released);
        assert!(t.mapped.hand_off_paging(std::thread::current()).is_none(), "handed off once");
        let mut sum = 0u64;
        for position in (0..40 * STEP).step_by(STEP / 4) {
            sum += u64::from(t.mapped.bytes()[position]);
            t.mapped.follow(position);
            let behind = position - released.load(Ordering::Relaxed);
            assert!(behind <= RELEASE_LAG + STEP, "{behind} bytes unreleased behind {position}");
        }
        assert!(released.load(Ordering::Relaxed) >= 40 * STEP - RELEASE_LAG - 2 * STEP);
        let expected: u64 = (0..40 * STEP).step_by(STEP / 4).map(|i| (i % 251) as u64).sum();
        assert_eq!(sum, expected);
    }
}
