//! Serializing records into a caller buffer, in any format, with the two-call size pattern.

use flowlog_core::format::{FormatError, FormatKind, Formatter};

use crate::error::{Failure, FlowlogStatus};
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

/// Write the header line of `format` (a `flowlog_format` value) into `buf`: the AWS field names
/// or the CSV column names, `\n` included; nothing for JSON lines and SLS. The text is not
/// NUL-terminated.
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
        let result = (|| {
            let f = formatter(format)?;
            // SAFETY: caller's contract.
            let buf = unsafe { bytes_mut(buf, buf_len, "buf") }?;
            Ok(f.write_header(buf)?)
        })();
        finish(result, written)
    })
}

/// Write `n` records in `format` (a `flowlog_format` value) into `buf`, one line each (`\n`
/// included), no header (see `flowlog_format_header`). The text is not NUL-terminated.
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
        let result = (|| {
            let f = formatter(format)?;
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
                    // Past the end: only measure (the core reports the exact size of a record
                    // that does not fit, here into an empty buffer).
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
        })();
        finish(result, written)
    })
}
