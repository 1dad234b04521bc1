//! Where records go: a `flowlog_core::format` writer over a buffered stdout or file, on a thread
//! of its own.
//!
//! Formatting a record costs about as much as metering several packets, so the meter's thread
//! only copies each finished record into a chunk, and a writer thread formats and writes whole
//! chunks while the meter reads on: on two cores, reading and writing overlap. Records keep their
//! order. A fixed set of chunks circulates between the two threads, so memory stays bounded and
//! nothing is allocated per record; when the writer falls behind, the meter waits for a free chunk.

use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use flowlog_core::format::Formatter;
use flowlog_core::{Record, Sink};

/// Records per chunk handed to the writer.
const CHUNK_RECORDS: usize = 1024;
/// Chunks in circulation (one being filled, the rest queued or being written): 16 384 records,
/// 1.7 MB. A window's rollover hands the writer all its flows at once, and the writer shares a
/// core with the pager, so it falls behind in bursts; 16 chunks hold those bursts of the
/// realistic corpus without the meter waiting for a free chunk, where 4 or 8 did not.
const CHUNKS: usize = 16;
/// Bytes the writer formats before it writes them to the stream.
const WRITE_BUFFER: usize = 256 << 10;

/// Where the writer thread writes.
pub enum Target {
    Stdout,
    File(File),
}

/// What the writer thread reports when it ends: records written and the first write error.
type WriterResult = (u64, std::io::Result<()>);

/// The meter's sink: fills chunks of records and hands them to the writer thread.
pub struct Output {
    chunk: Vec<Record>,
    full: Option<SyncSender<Vec<Record>>>,
    empty: Receiver<Vec<Record>>,
    failed: Arc<AtomicBool>,
    writer: Option<JoinHandle<WriterResult>>,
}

impl Output {
    /// Start the writer thread, with the format's header (if it has one) formatted as the
    /// output's first line (it reaches `target` with the first records, or at the end).
    ///
    /// # Errors
    /// The header could not be formatted, or the thread could not be started.
    pub fn new(formatter: Formatter, target: Target) -> std::io::Result<Output> {
        let (full_tx, full_rx) = sync_channel::<Vec<Record>>(CHUNKS);
        let (empty_tx, empty_rx) = sync_channel::<Vec<Record>>(CHUNKS);
        for _ in 1..CHUNKS {
            let _ = empty_tx.send(Vec::with_capacity(CHUNK_RECORDS));
        }
        let failed = Arc::new(AtomicBool::new(false));
        let stream: Box<dyn Write + Send> = match target {
            Target::Stdout => Box::new(std::io::stdout()),
            Target::File(f) => Box::new(f),
        };
        let mut writer = Writer::new(formatter, stream)?;
        let flag = Arc::clone(&failed);
        let handle = std::thread::Builder::new()
            .name("flowlog-writer".into())
            .spawn(move || writer.run(&full_rx, &empty_tx, &flag))?;
        Ok(Output {
            chunk: Vec::with_capacity(CHUNK_RECORDS),
            full: Some(full_tx),
            empty: empty_rx,
            failed,
            writer: Some(handle),
        })
    }

    /// Whether a write has failed (the meter stops reading then).
    #[inline]
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// Hand the current chunk to the writer and take a free one.
    fn send_chunk(&mut self) {
        let Some(full) = &self.full else { return };
        let next = match self.empty.recv() {
            Ok(v) => v,
            // The writer is gone (it panicked): keep the chunk's memory and drop its records;
            // `finish` reports the failure.
            Err(_) => {
                self.failed.store(true, Ordering::Relaxed);
                self.chunk.clear();
                return;
            }
        };
        let chunk = std::mem::replace(&mut self.chunk, next);
        if full.send(chunk).is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
    }

    /// Write every record handed over so far, flush, stop the writer: records written and the
    /// first error of any write.
    pub fn finish(&mut self) -> WriterResult {
        if !self.chunk.is_empty() {
            self.send_chunk();
        }
        // Closing the channel ends the writer's loop.
        self.full = None;
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => (0, Err(std::io::Error::other("the output thread panicked"))),
            None => (0, Ok(())),
        }
    }
}

impl Sink for Output {
    #[inline]
    fn record(&mut self, record: &Record) {
        self.chunk.push(*record);
        if self.chunk.len() == CHUNK_RECORDS {
            self.send_chunk();
        }
    }
}

/// The writer thread's state: formats each record straight into its output buffer, which it
/// writes to the stream once it holds [`WRITE_BUFFER`] bytes; there is no copy of each line into
/// a `BufWriter`. The first write error is kept and stops further writes.
struct Writer {
    formatter: Formatter,
    stream: Box<dyn Write + Send>,
    /// [`WRITE_BUFFER`] bytes and room for one more record after them: a record always starts
    /// before `WRITE_BUFFER`, so it finds [`Formatter::MAX_RECORD_LEN`] bytes free and is written
    /// on the formatter's fast path.
    buf: Box<[u8]>,
    /// Bytes of `buf` formatted and not yet written.
    len: usize,
    records: u64,
}

impl Writer {
    fn new(formatter: Formatter, stream: Box<dyn Write + Send>) -> std::io::Result<Writer> {
        let mut buf = vec![0; WRITE_BUFFER + Formatter::MAX_RECORD_LEN].into_boxed_slice();
        let len = formatter.write_header(&mut buf).map_err(std::io::Error::other)?;
        Ok(Writer { formatter, stream, buf, len, records: 0 })
    }

    /// Write chunks until the meter closes the channel; after an error, keep returning chunks
    /// (so the meter never waits forever) without writing them.
    fn run(
        &mut self,
        full: &Receiver<Vec<Record>>,
        empty: &SyncSender<Vec<Record>>,
        failed: &AtomicBool,
    ) -> WriterResult {
        let mut error = None;
        while let Ok(mut chunk) = full.recv() {
            if error.is_none() {
                if let Err(e) = self.write_all(&chunk) {
                    failed.store(true, Ordering::Relaxed);
                    error = Some(e);
                }
            }
            chunk.clear();
            // The meter may have finished and dropped its receiver: nothing to return then.
            let _ = empty.send(chunk);
        }
        let result = match error {
            Some(e) => Err(e),
            None => self.drain().and_then(|()| self.stream.flush()),
        };
        (self.records, result)
    }

    fn write_all(&mut self, records: &[Record]) -> std::io::Result<()> {
        for record in records {
            let free = self.buf.get_mut(self.len..).unwrap_or_default();
            self.len += self.formatter.write_record(record, free).map_err(std::io::Error::other)?;
            self.records += 1;
            if self.len >= WRITE_BUFFER {
                self.drain()?;
            }
        }
        Ok(())
    }

    /// Write the formatted bytes to the stream and empty the buffer.
    fn drain(&mut self) -> std::io::Result<()> {
        let pending = self.buf.get(..self.len).unwrap_or_default();
        self.len = 0;
        self.stream.write_all(pending)
    }
}
