//! Where records go: a `flowlog_core::format` writer over a buffered stdout or file.

use std::io::{BufWriter, Write};

use flowlog_core::format::Formatter;
use flowlog_core::{Record, Sink};

/// The meter's sink: formats each record into a fixed buffer and writes it through a
/// `BufWriter`. Never allocates per record. The first write error is kept and stops further
/// writes; the caller checks [`Output::failed`] after each packet.
pub struct Output {
    formatter: Formatter,
    out: BufWriter<Box<dyn Write>>,
    buf: Box<[u8; Formatter::MAX_RECORD_LEN]>,
    error: Option<std::io::Error>,
    records: u64,
}

impl Output {
    /// Write the format's header (if it has one) to `out`.
    ///
    /// # Errors
    /// The header could not be written.
    pub fn new(formatter: Formatter, out: Box<dyn Write>) -> std::io::Result<Output> {
        let mut output = Output {
            formatter,
            out: BufWriter::with_capacity(256 << 10, out),
            buf: Box::new([0; Formatter::MAX_RECORD_LEN]),
            error: None,
            records: 0,
        };
        let n = formatter.write_header(&mut output.buf[..]).map_err(std::io::Error::other)?;
        output.out.write_all(output.buf.get(..n).unwrap_or_default())?;
        Ok(output)
    }

    /// Whether a write has failed.
    #[inline]
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Records written.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flush everything written.
    ///
    /// # Errors
    /// The first error of any write, or of the flush.
    pub fn finish(&mut self) -> std::io::Result<()> {
        match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        }
    }

    fn write(&mut self, record: &Record) -> std::io::Result<()> {
        let n = self.formatter.write_record(record, &mut self.buf[..]).map_err(std::io::Error::other)?;
        self.out.write_all(self.buf.get(..n).unwrap_or_default())
    }
}

impl Sink for Output {
    #[inline]
    fn record(&mut self, record: &Record) {
        if self.error.is_none() {
            match self.write(record) {
                Ok(()) => self.records += 1,
                Err(e) => self.error = Some(e),
            }
        }
    }
}
