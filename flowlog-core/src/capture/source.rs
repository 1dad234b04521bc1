//! The reader's bytes: a stream read into a buffer that grows to the largest record, or a whole
//! file mapped into memory; which of them are not yet consumed, and how more are made available.

use std::io::Read;

use super::mapped::MappedFile;
use super::LocatedFrame;

/// The buffer's first size; it grows to the largest record of the file.
const INITIAL_BUFFER: usize = 64 << 10;

/// The bytes of a capture and the read position in them.
pub(super) struct Source<R> {
    bytes: Bytes<R>,
    /// Unconsumed bytes are `bytes[start..end]`.
    start: usize,
    end: usize,
    /// Nothing more will come: the stream returned 0, or the file is mapped whole.
    eof: bool,
    /// File offset of `bytes[start]`.
    consumed: u64,
}

/// Where a capture's bytes are.
enum Bytes<R> {
    /// Read from a stream into a buffer that grows to the largest record.
    Stream { reader: R, buf: Vec<u8> },
    /// A whole file mapped read-only (the file itself is closed): nothing is read.
    Mapped(MappedFile),
}

impl<R: Read> Source<R> {
    /// Bytes read from `reader`.
    pub(super) fn stream(reader: R) -> Self {
        let bytes = Bytes::Stream { reader, buf: vec![0; INITIAL_BUFFER] };
        Source { bytes, start: 0, end: 0, eof: false, consumed: 0 }
    }

    /// The bytes of a mapped file, all available from the start.
    pub(super) fn mapped(map: MappedFile) -> Self {
        let end = map.bytes().len();
        Source { bytes: Bytes::Mapped(map), start: 0, end, eof: true, consumed: 0 }
    }

    /// Every byte held, consumed or not.
    #[inline]
    fn all(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Stream { buf, .. } => buf,
            Bytes::Mapped(m) => m.bytes(),
        }
    }

    /// The unconsumed bytes.
    #[inline]
    pub(super) fn avail(&self) -> &[u8] {
        debug_assert!(self.start <= self.end && self.end <= self.all().len());
        self.all().get(self.start..self.end).unwrap_or_default()
    }

    /// Where the unconsumed bytes start among every byte held (frames are located from here).
    #[inline]
    pub(super) fn start(&self) -> usize {
        self.start
    }

    /// File offset of the first unconsumed byte.
    #[inline]
    pub(super) fn offset(&self) -> u64 {
        self.consumed
    }

    /// Whether every byte has been consumed and no more will come: a clean end of file.
    #[inline]
    pub(super) fn at_end(&self) -> bool {
        self.start == self.end
    }

    /// The bytes of a frame located in them.
    #[inline]
    pub(super) fn data(&self, f: &LocatedFrame) -> &[u8] {
        let range = f.data_at..f.data_at + f.data_len;
        // The framing made these bytes available before it located the frame.
        debug_assert!(range.end <= self.end, "frame bytes {range:?} past the bytes held ({})", self.end);
        self.all().get(range).unwrap_or_default()
    }

    /// Mark `n` available bytes as read.
    #[inline]
    pub(super) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.end - self.start);
        self.start += n;
        self.consumed += n as u64;
    }

    /// Whether the next record can be framed without reading the stream (so without moving the
    /// bytes earlier frames of a batch point into): at the end of the stream, or when
    /// `record_len` says how long it is and that many bytes are held.
    #[inline]
    pub(super) fn holds_next(&self, record_len: impl FnOnce(&[u8]) -> Option<usize>) -> bool {
        // Once nothing more is to be read, `fill` never moves or grows the buffer again.
        self.eof || record_len(self.avail()).is_some_and(|len| len <= self.end - self.start)
    }

    /// A mapped file's bytes, the whole file.
    #[inline]
    pub(super) fn mapped_bytes(&self) -> Option<&[u8]> {
        match &self.bytes {
            Bytes::Mapped(map) => Some(map.bytes()),
            Bytes::Stream { .. } => None,
        }
    }

    /// A mapped file, to hand its paging to another thread.
    pub(super) fn mapped_mut(&mut self) -> Option<&mut MappedFile> {
        match &mut self.bytes {
            Bytes::Mapped(map) => Some(map),
            Bytes::Stream { .. } => None,
        }
    }

    /// For a mapped file, its bytes and the read position, to frame records straight from the
    /// mapping: the position is moved with [`MappedCursor::advance`].
    #[inline]
    pub(super) fn mapped_cursor(&mut self) -> Option<MappedCursor<'_>> {
        match &self.bytes {
            Bytes::Mapped(map) => Some(MappedCursor {
                bytes: map.bytes(),
                start: &mut self.start,
                consumed: &mut self.consumed,
            }),
            Bytes::Stream { .. } => None,
        }
    }

    /// Let a mapped file keep the pages around the read position in the page tables. Called only
    /// between frames, when no frame borrows the bytes.
    #[inline]
    pub(super) fn follow_mapping(&mut self) {
        if let Bytes::Mapped(map) = &mut self.bytes {
            map.follow(self.start);
        }
    }

    /// Make `n` unconsumed bytes available in `avail()`. `Ok(false)` when the stream ends first;
    /// `Err` with the kind of a failed read. Every loop turn either reads at least one byte or
    /// reaches the end, so it cannot spin. The buffer doubles only when it is full of bytes
    /// actually read, so a damaged length field in a small file never reserves the 256 MiB it
    /// claims: memory stays within twice the largest record really present.
    #[inline]
    pub(super) fn fill(&mut self, n: usize) -> Result<bool, std::io::ErrorKind> {
        if self.end - self.start >= n {
            return Ok(true);
        }
        self.fill_slow(n)
    }

    /// The part of [`Source::fill`] that reads (or finds the end).
    #[inline(never)]
    fn fill_slow(&mut self, n: usize) -> Result<bool, std::io::ErrorKind> {
        while self.end - self.start < n {
            if self.eof {
                return Ok(false);
            }
            // A mapped file starts at end of file, so only a stream gets here.
            let Bytes::Stream { reader, buf } = &mut self.bytes else {
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
            match reader.read(&mut buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k.min(buf.len() - self.end),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.kind()),
            }
        }
        Ok(true)
    }
}

/// A mapped file's bytes and the reader's position in them, borrowed together.
pub(super) struct MappedCursor<'a> {
    /// The whole file.
    pub(super) bytes: &'a [u8],
    start: &'a mut usize,
    consumed: &'a mut u64,
}

impl MappedCursor<'_> {
    /// Where the unconsumed bytes start.
    #[inline]
    pub(super) fn start(&self) -> usize {
        *self.start
    }

    /// Mark the bytes up to `to` as read.
    #[inline]
    pub(super) fn advance(&mut self, to: usize) {
        debug_assert!(*self.start <= to && to <= self.bytes.len());
        *self.consumed += (to - *self.start) as u64;
        *self.start = to;
    }
}
