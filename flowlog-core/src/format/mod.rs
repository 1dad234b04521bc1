//! Record writers (SPEC §5): each serializes a [`Record`] into a caller-owned buffer without
//! allocating.
//!
//! | format | what | header |
//! |---|---|---|
//! | [`FormatKind::Jsonl`] | one JSON object per line, Alibaba key names, numbers as numbers; lossless | none |
//! | [`FormatKind::Sls`] | Alibaba Simple Log Service: the same keys plus every Alibaba field, every value a string | none |
//! | [`FormatKind::Aws`] | AWS VPC flow-log text, default version 2 fields or a custom `${field}` list | field names |
//! | [`FormatKind::Csv`] | the JSON-lines columns as an RFC 4180 table | column names |
//!
//! Each module documents its choices where the SPEC leaves them open; in short:
//!
//! - **Unknown fields.** The engine has no VPC metadata yet, so account, region, VPC, vSwitch,
//!   subnet, ENI/interface, VM/instance, availability zone and `traffic_path` are unknown: `-` in
//!   the text formats (aws, sls), left out of JSON lines, and CSV has no column for them.
//! - **Times.** `start`/`end` are floor seconds of the first and last packet time (AWS semantics);
//!   only `sls` writes `end` in the Alibaba dialect (SPEC §4, [`Record::alibaba_end_secs`]).
//!   JSON lines add `start-ns`/`end-ns`.
//! - **TCP flags** are written for TCP records only (and for any record whose flags are not zero,
//!   which the engine never produces for another protocol); other records: absent in JSON lines,
//!   `-` in aws and sls, an empty CSV cell. `jsonl` writes the 9-bit OR (NS = 256), `sls` the low
//!   6 bits (FIN, SYN, RST, PSH, ACK, URG), `aws` what AWS reports (ACK only together with SYN).
//! - **NODATA / SKIPDATA rows** (SPEC §7) carry no flow: aws and sls write `-` for every traffic
//!   field (addresses, ports, protocol, packets, bytes, action, tcp-flags, type, direction), as
//!   AWS's own NODATA example does; JSON lines, being lossless, and CSV, their table, write the
//!   record as it is.
//!
//! Every writer fills the buffer from its start and returns the bytes written, a whole line
//! ending in `\n`. When the buffer is too small it returns [`FormatError::BufferTooSmall`] with
//! the exact size needed (the buffer's contents are then unspecified), so a caller can retry
//! with a buffer of that size; [`Formatter::MAX_RECORD_LEN`] bytes always suffice.

pub mod aws;
pub mod csv;
pub mod jsonl;
pub mod sls;
pub(crate) mod text;

use core::fmt;

use crate::config::ConfigError;
use crate::record::Record;
use aws::AwsFields;
use text::Out;

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

/// The record formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatKind {
    /// JSON lines with Alibaba key names: the lossless format.
    Jsonl,
    /// Alibaba Simple Log Service records (JSON, every value a string).
    Sls,
    /// AWS VPC flow-log text.
    Aws,
    /// Comma-separated values with a header row.
    Csv,
}

impl FormatKind {
    /// Every format, in documentation order.
    pub const ALL: [FormatKind; 4] = [FormatKind::Jsonl, FormatKind::Sls, FormatKind::Aws, FormatKind::Csv];

    /// `jsonl`, `sls`, `aws` or `csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            FormatKind::Jsonl => "jsonl",
            FormatKind::Sls => "sls",
            FormatKind::Aws => "aws",
            FormatKind::Csv => "csv",
        }
    }

    /// Parse a name as [`FormatKind::as_str`] writes it.
    pub fn from_name(s: &str) -> Option<FormatKind> {
        FormatKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A record writer: a format plus, for AWS, its field list. `Copy`; the field list is a fixed
/// array of field ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formatter {
    kind: FormatKind,
    aws: AwsFields,
}

impl Formatter {
    /// An upper bound for a record or header line in any format and any AWS field list.
    ///
    /// Derived, per format, as the sum of every key or separator and the widest text of every
    /// value, as if each value were at its widest at once (see `jsonl::MAX_LEN`, `sls::MAX_LEN`,
    /// `aws::MAX_LEN`, `csv::MAX_LEN`): 20 digits for a `u64`, 11 for a time in seconds
    /// (`u64::MAX` ns is 18446744073 s), 10 for a `u32`, 5 for a `u16`, 3 for a `u8`, 39
    /// characters for an IPv6 address (eight 4-digit groups and 7 colons; `::` and the
    /// `::ffff:a.b.c.d` form are shorter), the longest enum name; the AWS bound takes all 29
    /// supported fields (a list cannot repeat one). Then the largest of these and of the header
    /// lines. Tests and the `format` fuzz target check every writer against its bound.
    pub const MAX_RECORD_LEN: usize = max(
        max(jsonl::MAX_LEN, sls::MAX_LEN),
        max(max(aws::MAX_LEN, aws::MAX_HEADER_LEN), max(csv::MAX_LEN, csv::MAX_HEADER_LEN)),
    );

    /// A writer for `kind`; for AWS, the default version 2 field order.
    pub fn new(kind: FormatKind) -> Formatter {
        Formatter { kind, aws: AwsFields::DEFAULT }
    }

    /// An AWS writer with a custom field list, e.g. `"${srcaddr} ${dstaddr} ${tcp-flags}"`.
    ///
    /// Accepts any AWS field of versions 2–5, each once, written `${name}` and separated by
    /// spaces; `version` is then the highest version among them.
    ///
    /// # Errors
    /// [`ConfigError`] on [`ConfigField::Fields`](crate::ConfigField::Fields) when the list is
    /// empty, a token is not `${name}`, a name is unknown or of a later version, or a field is
    /// listed twice. [`AwsFields::parse`] gives the same error with the offending token's
    /// position, to show the user which one.
    pub fn aws_with_fields(spec: &str) -> Result<Formatter, ConfigError> {
        let aws = AwsFields::parse(spec).map_err(ConfigError::from)?;
        Ok(Formatter::aws(aws))
    }

    /// An AWS writer with a parsed field list.
    pub fn aws(fields: AwsFields) -> Formatter {
        Formatter { kind: FormatKind::Aws, aws: fields }
    }

    /// The format.
    pub fn kind(&self) -> FormatKind {
        self.kind
    }

    /// The AWS field list (the default version 2 list for other formats).
    pub fn aws_fields(&self) -> &AwsFields {
        &self.aws
    }

    /// Write the header line: AWS field names, or the CSV header row; nothing (0 bytes) for
    /// JSON lines and SLS.
    ///
    /// # Errors
    /// [`FormatError::BufferTooSmall`] with the exact size needed.
    pub fn write_header(&self, out: &mut [u8]) -> Result<usize, FormatError> {
        let mut o = Out::new(out);
        match self.kind {
            FormatKind::Jsonl | FormatKind::Sls => {}
            FormatKind::Aws => aws::header(&self.aws, &mut o),
            FormatKind::Csv => csv::header(&mut o),
        }
        o.finish()
    }

    /// Write one record as one line, `\n` included. Never allocates.
    ///
    /// # Errors
    /// [`FormatError::BufferTooSmall`] with the exact size needed; a buffer of
    /// [`Formatter::MAX_RECORD_LEN`] bytes never gives it.
    #[inline]
    pub fn write_record(&self, rec: &Record, out: &mut [u8]) -> Result<usize, FormatError> {
        // Fast path when the buffer holds the format's worst case (always, with a buffer of
        // MAX_RECORD_LEN): no per-piece room checks, which would cost 9 to 19 % more
        // instructions per record. Otherwise count, to report the exact size.
        // SAFETY: `record_len_bound` is the format's MAX_LEN, which bounds what `record` appends:
        // each format module derives it as the sum of the widest text of every key, separator
        // and value its writer may write for any value of the record's types (`u64` 20 digits,
        // IPv6 39 characters, the longest name of each enum, ...; for AWS, all 29 fields of which
        // a list holds each at most once). `spec_5_formats` and the `format` fuzz target count
        // the lines of the widest and of arbitrary records, in every format and AWS field list,
        // against it.
        match unsafe { Out::fast(out, self.record_len_bound()) } {
            Some(mut o) => {
                self.record(rec, &mut o);
                o.finish()
            }
            None => {
                let mut o = Out::new(out);
                self.record(rec, &mut o);
                o.finish()
            }
        }
    }

    /// The longest record line this writer can write, `\n` included: its format's bound, derived
    /// as [`Formatter::MAX_RECORD_LEN`] says (for AWS, that of all supported fields, which bounds
    /// every list). At most [`Formatter::MAX_RECORD_LEN`]; a buffer this long never gives
    /// [`FormatError::BufferTooSmall`].
    #[inline]
    pub fn record_len_bound(&self) -> usize {
        match self.kind {
            FormatKind::Jsonl => jsonl::MAX_LEN,
            FormatKind::Sls => sls::MAX_LEN,
            FormatKind::Aws => aws::MAX_LEN,
            FormatKind::Csv => csv::MAX_LEN,
        }
    }

    /// Write one record to a cursor; `o` is the fast path only if it has room for
    /// [`Formatter::record_len_bound`] bytes.
    #[inline(always)]
    fn record<const FAST: bool>(&self, rec: &Record, o: &mut Out<'_, FAST>) {
        match self.kind {
            FormatKind::Jsonl => jsonl::record(rec, o),
            FormatKind::Sls => sls::record(rec, o),
            FormatKind::Aws => aws::record(&self.aws, rec, o),
            FormatKind::Csv => csv::record(rec, o),
        }
    }
}

/// Streams records to an [`io::Write`](std::io::Write) through one reused fixed buffer, held in
/// the struct itself; never allocates per record. Wrap `out` in a `BufWriter` to batch writes.
pub struct RecordWriter<W: std::io::Write> {
    formatter: Formatter,
    out: W,
    buf: [u8; Formatter::MAX_RECORD_LEN],
}

impl<W: std::io::Write> RecordWriter<W> {
    /// A writer that writes the format's header line (if any) to `out` at once.
    ///
    /// # Errors
    /// The error of writing the header.
    pub fn new(formatter: Formatter, out: W) -> std::io::Result<Self> {
        let mut w = RecordWriter { formatter, out, buf: [0; Formatter::MAX_RECORD_LEN] };
        let n = formatter.write_header(&mut w.buf).map_err(std::io::Error::other)?;
        w.out.write_all(w.buf.get(..n).unwrap_or_default())?;
        Ok(w)
    }

    /// Write one record. Never allocates (unless `out` does).
    ///
    /// # Errors
    /// The error of writing to `out`.
    pub fn write(&mut self, rec: &Record) -> std::io::Result<()> {
        // MAX_RECORD_LEN bounds every record, so this cannot fail; map it rather than panic.
        let n = self.formatter.write_record(rec, &mut self.buf).map_err(std::io::Error::other)?;
        self.out.write_all(self.buf.get(..n).unwrap_or_default())
    }

    /// The formatter.
    pub fn formatter(&self) -> Formatter {
        self.formatter
    }

    /// Give back the output.
    pub fn into_inner(self) -> W {
        self.out
    }
}

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// Whether a record carries `tcp-flags`: TCP records, and any record with flags set (which the
/// engine only produces for TCP). Shared by every writer so they agree.
#[inline]
pub(crate) fn has_tcp_flags(rec: &Record) -> bool {
    rec.key.protocol == crate::protocol::TCP || rec.tcp_flags != 0
}

/// Whether a record describes traffic (`OK`), as opposed to a NODATA/SKIPDATA row whose flow
/// fields are meaningless.
#[inline]
pub(crate) fn has_traffic(rec: &Record) -> bool {
    rec.log_status == crate::record::LogStatus::Ok
}

/// The widest time in seconds: `u64::MAX` ns, floored.
pub(crate) const SECS_DIGITS: usize = text::decimal_len(u64::MAX / crate::window::NS_PER_SEC);
