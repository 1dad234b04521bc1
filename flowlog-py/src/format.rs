//! `flowlog.format_records`: the core's record writers, into one `str`.

use flowlog_core::config::{ConfigError, ConfigField};
use flowlog_core::{FormatKind, Formatter};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::error::CoreErr;
use crate::record::PyRecord;

/// Write `records` in `format` (`"jsonl"`, `"sls"`, `"aws"` or `"csv"`), header line included;
/// `fields` is a custom AWS field list such as `"${srcaddr} ${dstaddr} ${packets}"`.
#[pyfunction]
#[pyo3(signature = (records, format, fields=None))]
pub fn format_records(records: &Bound<'_, PyAny>, format: &str, fields: Option<&str>) -> PyResult<String> {
    let kind = FormatKind::from_name(format).ok_or_else(|| {
        CoreErr(ConfigError::new(ConfigField::Format, "must be one of jsonl, sls, aws, csv").into())
    })?;
    let formatter = match (kind, fields) {
        (_, None) => Formatter::new(kind),
        (FormatKind::Aws, Some(spec)) => Formatter::aws_with_fields(spec).map_err(CoreErr::from)?,
        (_, Some(_)) => {
            return Err(CoreErr(
                ConfigError::new(ConfigField::Fields, "a field list applies to the aws format only").into(),
            )
            .into())
        }
    };
    let mut buf = [0u8; Formatter::MAX_RECORD_LEN];
    let mut text = Vec::new();
    let n = formatter.write_header(&mut buf).map_err(CoreErr::from)?;
    text.extend_from_slice(&buf[..n]);
    for (i, item) in records.try_iter()?.enumerate() {
        let item = item?;
        let rec = item
            .cast::<PyRecord>()
            .map_err(|_| PyTypeError::new_err(format!("records[{i}] is not a flowlog.Record")))?
            .get()
            .0;
        let n = formatter.write_record(&rec, &mut buf).map_err(CoreErr::from)?;
        text.extend_from_slice(&buf[..n]);
    }
    // The writers emit ASCII/UTF-8 only.
    String::from_utf8(text).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}
