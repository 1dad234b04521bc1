//! Serializing records into a caller buffer, in any format, with the two-call size pattern.

use core::fmt;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use flowlog_core::format::aws::{AwsFields, AwsFieldsError};
use flowlog_core::format::{FormatError, FormatKind, Formatter};
use flowlog_core::ConfigError;

use crate::error::{write_message, Failure, FlowlogStatus};
use crate::panic::boundary;
use crate::ptr::{bytes_mut, check_out, put, slice};
use crate::types::FlowlogRecord;

/// The longest line (record or header) any format writes, `\n` included: a buffer of this many
/// bytes per record always suffices. The core's `Formatter::MAX_RECORD_LEN`.
pub const FLOWLOG_MAX_RECORD_LEN: usize = 790;
const _: () = assert!(Formatter::MAX_RECORD_LEN == FLOWLOG_MAX_RECORD_LEN);

fn formatter(format: u32) -> Result<Formatter, Failure> {
    let kind = match format {
        0 => FormatKind::Jsonl,
        1 => FormatKind::Sls,
        2 => FormatKind::Aws,
        3 => FormatKind::Csv,
        _ => return Err(Failure::Invalid("format is not a flowlog_format value")),
    };
    Ok(Formatter::new(kind))
}

/// Report a failure, or the size needed, through the status.
fn finish(result: Result<usize, Failure>, written: *mut usize) -> FlowlogStatus {
    match result {
        Ok(n) => {
            // SAFETY: checked by the caller of finish.
            unsafe { put(written, n) };
            FlowlogStatus::Ok
        }
        Err(Failure::Core(flowlog_core::Error::Format(FormatError::BufferTooSmall { required }))) => {
            // SAFETY: as above.
            unsafe { put(written, required) };
            FlowlogStatus::BufferTooSmall
        }
        Err(e) => e.status(),
    }
}

/// Write `f`'s header line into the caller's buffer.
///
/// # Safety
/// `buf` writable for `buf_len` bytes.
unsafe fn header_into(f: &Formatter, buf: *mut u8, buf_len: usize) -> Result<usize, Failure> {
    // SAFETY: caller's contract.
    let buf = unsafe { bytes_mut(buf, buf_len, "buf") }?;
    Ok(f.write_header(buf)?)
}

/// Write `n` records with `f` into the caller's buffer; when they do not all fit, the size needed
/// for all of them (as `BufferTooSmall`).
///
/// # Safety
/// `recs` valid for `n` records; `buf` writable for `buf_len` bytes.
unsafe fn records_into(
    f: &Formatter,
    recs: *const FlowlogRecord,
    n: usize,
    buf: *mut u8,
    buf_len: usize,
) -> Result<usize, Failure> {
    // SAFETY: caller's contract.
    let recs = unsafe { slice(recs, n, "recs") }?;
    let buf = unsafe { bytes_mut(buf, buf_len, "buf") }?;
    let mut pos = 0usize;
    let mut required: Option<usize> = None;
    for rec in recs {
        let rec = rec.core().map_err(Failure::Invalid)?;
        match required {
            None => match f.write_record(&rec, &mut buf[pos..]) {
                Ok(k) => pos += k,
                Err(FormatError::BufferTooSmall { required: r }) => required = Some(pos + r),
            },
            // Past the end: only measure (the core reports the exact size of a record that does
            // not fit, here into an empty buffer).
            Some(total) => match f.write_record(&rec, &mut []) {
                Ok(k) => required = Some(total + k),
                Err(FormatError::BufferTooSmall { required: r }) => required = Some(total + r),
            },
        }
    }
    match required {
        None => Ok(pos),
        Some(r) => Err(Failure::from(FormatError::BufferTooSmall { required: r })),
    }
}

/// Write the header line of `format` (a `flowlog_format` value) into `buf`: the AWS field names
/// (AWS's default version 2 list) or the CSV column names, `\n` included; nothing for JSON lines
/// and SLS. The text is not NUL-terminated. For a custom AWS field list see
/// `flowlog_format_header_aws_fields`.
///
/// `*written` gets the bytes written; on `FLOWLOG_STATUS_BUFFER_TOO_SMALL` it gets the bytes needed
/// instead (`buf` may be NULL with `buf_len` 0 to ask for the size). `INVALID_ARG` for an unknown
/// format.
///
/// # Safety
/// `buf` writable for `buf_len` bytes; `written` writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_format_header(
    format: u32,
    buf: *mut u8,
    buf_len: usize,
    written: *mut usize,
) -> FlowlogStatus {
    boundary(|| {
        if let Err(e) = check_out(written, "written") {
            return e.status();
        }
        // SAFETY: caller's contract.
        let result = formatter(format).and_then(|f| unsafe { header_into(&f, buf, buf_len) });
        finish(result, written)
    })
}

/// Write `n` records in `format` (a `flowlog_format` value) into `buf`, one line each (`\n`
/// included), no header (see `flowlog_format_header`). The text is not NUL-terminated. AWS uses
/// its default version 2 field list; for a custom one see `flowlog_format_records_aws_fields`.
///
/// `*written` gets the bytes written. When they do not all fit, returns
/// `FLOWLOG_STATUS_BUFFER_TOO_SMALL` with `*written` = the bytes needed for all `n` records (the
/// buffer's contents are then unspecified): allocate that and call again. `buf` may be NULL with
/// `buf_len` 0 to ask for the size. `INVALID_ARG` for an unknown format or a record whose enum
/// fields hold no valid value; `NULL_ARG` for `recs` NULL with `n` > 0.
///
/// # Safety
/// `recs` valid for `n` records; `buf` writable for `buf_len` bytes; `written` writable.
#[no_mangle]
pub unsafe extern "C" fn flowlog_format_records(
    format: u32,
    recs: *const FlowlogRecord,
    n: usize,
    buf: *mut u8,
    buf_len: usize,
    written: *mut usize,
) -> FlowlogStatus {
    boundary(|| {
        if let Err(e) = check_out(written, "written") {
            return e.status();
        }
        // SAFETY: caller's contract.
        let result = formatter(format).and_then(|f| unsafe { records_into(&f, recs, n, buf, buf_len) });
        finish(result, written)
    })
}

/// Why an `_aws_fields` call failed: its field list, kept with the list to name the offending
/// token in the message, or any other failure.
enum FieldsFailure<'a> {
    /// The core rejected the field list `spec`.
    List(AwsFieldsError, &'a str),
    /// Anything else.
    Other(Failure),
}

impl From<Failure> for FieldsFailure<'_> {
    fn from(f: Failure) -> Self {
        FieldsFailure::Other(f)
    }
}

impl FieldsFailure<'_> {
    /// The failure, without the token: a rejected list is the core's `ConfigError`, exactly what
    /// `Formatter::aws_with_fields` returns.
    fn failure(&self) -> Failure {
        match self {
            FieldsFailure::List(e, _) => Failure::from(ConfigError::from(*e)),
            FieldsFailure::Other(f) => *f,
        }
    }
}

impl fmt::Display for FieldsFailure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The core's message followed by the offending token.
            FieldsFailure::List(e, spec) => write!(f, "{}", e.display(spec)),
            FieldsFailure::Other(x) => write!(f, "{x}"),
        }
    }
}

/// The AWS writer for the field list `fields`: `Formatter::aws_with_fields`, with the parse error
/// kept whole so the message can show the token.
///
/// # Safety
/// `fields` NULL or a NUL-terminated string valid for `'a`.
unsafe fn aws_formatter<'a>(fields: *const c_char) -> Result<Formatter, FieldsFailure<'a>> {
    if fields.is_null() {
        return Err(Failure::Null("fields").into());
    }
    // SAFETY: NUL-terminated by the caller's contract.
    let spec =
        unsafe { CStr::from_ptr(fields) }.to_str().map_err(|_| Failure::Invalid("fields is not UTF-8"))?;
    let list = AwsFields::parse(spec).map_err(|e| FieldsFailure::List(e, spec))?;
    Ok(Formatter::aws(list))
}

/// The body shared by the `_aws_fields` calls: build the writer, run `body` with it, report
/// through `written`, the status and the optional error buffer.
///
/// # Safety
/// As the exported functions: `fields` NULL or NUL-terminated, `written` NULL or writable, `err`
/// NULL or writable for `err_len` bytes; `body`'s own pointers per their contract.
unsafe fn with_aws_fields(
    fields: *const c_char,
    written: *mut usize,
    err: *mut c_char,
    err_len: usize,
    body: impl FnOnce(&Formatter) -> Result<usize, Failure>,
) -> FlowlogStatus {
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<usize, FieldsFailure<'_>> {
        check_out(written, "written")?;
        // SAFETY: caller's contract.
        let f = unsafe { aws_formatter(fields) }?;
        Ok(body(&f)?)
    }))
    .unwrap_or(Err(FieldsFailure::Other(Failure::Panic)));
    if let Err(e) = &result {
        // SAFETY: caller's contract on err/err_len.
        unsafe { write_message(e, err, err_len) };
    }
    finish(result.map_err(|e| e.failure()), written)
}

/// `flowlog_format_header` for the AWS format with a custom field list `fields`, such as
/// `"${version} ${srcaddr} ${dstaddr} ${tcp-flags} ${flow-direction}"`: `${name}` tokens of AWS
/// versions 2–5, each once, separated by spaces. Writes the field names, `\n` included, not
/// NUL-terminated; the same two-call size pattern.
///
/// On failure, when `err` is not NULL, a NUL-terminated message goes into `err` (at most `err_len`
/// bytes; `FLOWLOG_ERROR_MAX` suffice for the core's text, a long bad token may be cut).
/// `FLOWLOG_STATUS_INVALID_CONFIG` for a bad list: empty, a token that is not `${name}`, an
/// unknown field or one of version 6 or later, a field listed twice; the message is the core's,
/// followed by the offending token. `INVALID_ARG` when `fields` is not UTF-8; `NULL_ARG` when
/// `fields` or `written` is NULL.
///
/// # Safety
/// `fields` NULL or a NUL-terminated string; `buf` writable for `buf_len` bytes; `written`
/// writable; `err` NULL or writable for `err_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flowlog_format_header_aws_fields(
    fields: *const c_char,
    buf: *mut u8,
    buf_len: usize,
    written: *mut usize,
    err: *mut c_char,
    err_len: usize,
) -> FlowlogStatus {
    // SAFETY: caller's contract, forwarded.
    unsafe { with_aws_fields(fields, written, err, err_len, |f| header_into(f, buf, buf_len)) }
}

/// `flowlog_format_records` for the AWS format with a custom field list `fields` (see
/// `flowlog_format_header_aws_fields`): `n` records, one line each, the fields in the list's
/// order, `version` the highest version among them. The same two-call size pattern, the same
/// statuses as `flowlog_format_records` and, for the list, as
/// `flowlog_format_header_aws_fields`, with the message in the optional `err` buffer.
///
/// # Safety
/// `fields` NULL or a NUL-terminated string; `recs` valid for `n` records; `buf` writable for
/// `buf_len` bytes; `written` writable; `err` NULL or writable for `err_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flowlog_format_records_aws_fields(
    fields: *const c_char,
    recs: *const FlowlogRecord,
    n: usize,
    buf: *mut u8,
    buf_len: usize,
    written: *mut usize,
    err: *mut c_char,
    err_len: usize,
) -> FlowlogStatus {
    // SAFETY: caller's contract, forwarded.
    unsafe { with_aws_fields(fields, written, err, err_len, |f| records_into(f, recs, n, buf, buf_len)) }
}
