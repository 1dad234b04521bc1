//! Python bindings of flowlog-core: the native module `flowlog._flowlog`, re-exported by the
//! pure-Python package `flowlog`.
//!
//! A thin wrapper: conversions between Python objects and core types, the GIL released around
//! batch work, and core errors mapped one to one onto exception classes ([`error`]). Every
//! behaviour is the core's.

mod arrays;
mod capture;
mod error;
mod format;
mod meter;
mod options;
mod record;

use pyo3::prelude::*;

/// The native part of the `flowlog` package.
#[pymodule]
mod _flowlog {
    use flowlog_core::config::{ConfigError, ConfigField};
    use flowlog_core::format::FormatError;
    use flowlog_core::{Error, ErrorKind};
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::capture::{read_pcap, PcapRecords};
    #[pymodule_export]
    use crate::format::format_records;
    #[pymodule_export]
    use crate::meter::PyMeter;
    #[pymodule_export]
    use crate::record::PyRecord;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let py = m.py();
        let types = crate::error::types(py)?;
        m.add("FlowlogError", types.base.bind(py))?;
        for (_, cls) in &types.kinds {
            let cls = cls.bind(py);
            m.add(cls.name()?, cls)?;
        }
        m.add("MAX_RECORD_LEN", flowlog_core::Formatter::MAX_RECORD_LEN)?;
        m.add("OPTION_NAMES", crate::options::OPTION_NAMES.to_vec())?;
        m.add("TUNNEL_NAMES", crate::options::TUNNEL_NAMES.to_vec())?;
        m.add("RECORD_FIELDS", crate::record::field_names())?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }

    /// `records` as a dict of columns, attribute name → list of values (for `to_pandas` and
    /// `to_arrow`: one native pass instead of an attribute lookup per value).
    #[pyfunction]
    fn _record_columns<'py>(records: &Bound<'py, PyAny>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        crate::record::columns(records)
    }

    /// `(code, name)` of every core error kind, in number order (for tests and docs).
    #[pyfunction]
    fn _error_kinds() -> Vec<(u32, &'static str)> {
        ErrorKind::ALL.iter().map(|k| (k.code(), k.as_str())).collect()
    }

    /// The exception the binding raises for a sample core error of kind `code` (for tests: it
    /// lets the suite walk every kind, including those no public call can provoke).
    #[pyfunction]
    fn _sample_error(py: Python<'_>, code: u32) -> PyResult<Py<PyAny>> {
        use flowlog_core::capture::{CaptureError, CaptureErrorKind};
        let capture = |kind| Error::Capture(CaptureError { offset: 24, kind });
        let err = match ErrorKind::ALL.into_iter().find(|k| k.code() == code) {
            Some(ErrorKind::InvalidConfig) => {
                Error::Config(ConfigError::new(ConfigField::MaxFlows, "sample"))
            }
            Some(ErrorKind::BufferTooSmall) => Error::Format(FormatError::BufferTooSmall { required: 99 }),
            Some(ErrorKind::CaptureTruncated) => capture(CaptureErrorKind::Truncated),
            Some(ErrorKind::CaptureMalformed) => capture(CaptureErrorKind::Malformed),
            Some(ErrorKind::CaptureUnsupported) => capture(CaptureErrorKind::UnknownFormat),
            Some(ErrorKind::Io) => capture(CaptureErrorKind::Io(std::io::ErrorKind::PermissionDenied)),
            None => return Err(pyo3::exceptions::PyValueError::new_err(format!("no error kind {code}"))),
        };
        Ok(crate::error::to_pyerr(py, &err, None).into_value(py).into_any())
    }
}
