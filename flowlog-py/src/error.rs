//! The one place where flowlog's errors become Python exceptions.
//!
//! Every [`ErrorKind`] has one exception class (a `match` with no catch-all arm, so a new kind
//! fails to compile until it is mapped). All of them derive from `flowlog.FlowlogError`; the
//! configuration error is also a `ValueError` and the I/O error an `OSError`, so code that catches
//! the built-in classes keeps working. The message is always the core's `Display` text.

use std::path::Path;

use flowlog_core::{Error, ErrorKind};
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

/// A core error on its way to Python (the orphan rule forbids `From<Error> for PyErr`).
pub struct CoreErr(pub Error);

impl<E: Into<Error>> From<E> for CoreErr {
    fn from(e: E) -> Self {
        CoreErr(e.into())
    }
}

impl From<CoreErr> for PyErr {
    fn from(e: CoreErr) -> PyErr {
        Python::attach(|py| to_pyerr(py, &e.0, None))
    }
}

/// A built-in exception class an error class also derives from.
type Builtin = fn(Python<'_>) -> Bound<'_, PyType>;

/// The exception class of a kind, and the built-in class it also derives from.
fn class_spec(kind: ErrorKind) -> (&'static str, Option<Builtin>) {
    match kind {
        ErrorKind::InvalidConfig => ("InvalidConfigError", Some(|py| py.get_type::<PyValueError>())),
        ErrorKind::BufferTooSmall => ("BufferTooSmallError", None),
        ErrorKind::CaptureTruncated => ("CaptureTruncatedError", None),
        ErrorKind::CaptureMalformed => ("CaptureMalformedError", None),
        ErrorKind::CaptureUnsupported => ("CaptureUnsupportedError", None),
        ErrorKind::Io => ("FlowlogIOError", Some(|py| py.get_type::<PyOSError>())),
    }
}

/// `FlowlogError` and one class per kind, in [`ErrorKind::ALL`] order.
pub struct ErrorTypes {
    pub base: Py<PyType>,
    pub kinds: Vec<(ErrorKind, Py<PyType>)>,
}

static TYPES: PyOnceLock<ErrorTypes> = PyOnceLock::new();

fn new_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: Bound<'py, PyTuple>,
    attrs: &[(&str, Bound<'py, PyAny>)],
    doc: &str,
) -> PyResult<Bound<'py, PyType>> {
    let dict = PyDict::new(py);
    dict.set_item("__module__", "flowlog")?;
    dict.set_item("__doc__", doc)?;
    for (k, v) in attrs {
        dict.set_item(*k, v)?;
    }
    let cls = py.get_type::<PyType>().call1((name, bases, dict))?;
    Ok(cls.cast_into::<PyType>()?)
}

/// The exception classes, created once per interpreter.
pub fn types(py: Python<'_>) -> PyResult<&ErrorTypes> {
    TYPES.get_or_try_init(py, || {
        let none = py.None().into_bound(py);
        let base = new_class(
            py,
            "FlowlogError",
            PyTuple::new(py, [py.get_type::<PyException>()])?,
            &[
                ("code", 0u32.into_pyobject(py)?.into_any()),
                ("kind", none.clone()),
                ("offset", none.clone()),
                ("path", none.clone()),
                ("field", none.clone()),
                ("required", none.clone()),
            ],
            "Base class of every flowlog error. `code` is the core's ErrorKind number, `kind` its name.",
        )?;
        let mut kinds = Vec::with_capacity(ErrorKind::ALL.len());
        for kind in ErrorKind::ALL {
            let (name, builtin) = class_spec(kind);
            let bases = match builtin {
                Some(b) => PyTuple::new(py, [base.clone(), b(py)])?,
                None => PyTuple::new(py, [base.clone()])?,
            };
            let cls = new_class(
                py,
                name,
                bases,
                &[
                    ("code", kind.code().into_pyobject(py)?.into_any()),
                    ("kind", kind.as_str().into_pyobject(py)?.into_any()),
                ],
                &format!("flowlog error kind `{}` (code {}).", kind.as_str(), kind.code()),
            )?;
            kinds.push((kind, cls.unbind()));
        }
        Ok(ErrorTypes { base: base.unbind(), kinds })
    })
}

/// The Python exception for a core error; `path` names the capture file it came from, if any
/// (SPEC §6: the error names the file), and is put before the core's message.
pub fn to_pyerr(py: Python<'_>, err: &Error, path: Option<&Path>) -> PyErr {
    match build(py, err, path) {
        Ok(e) => e,
        Err(e) => e,
    }
}

fn build(py: Python<'_>, err: &Error, path: Option<&Path>) -> PyResult<PyErr> {
    let kind = err.kind();
    let types = types(py)?;
    let cls = types
        .kinds
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, c)| c.bind(py))
        .ok_or_else(|| pyo3::exceptions::PySystemError::new_err("unmapped flowlog error kind"))?;
    let message = match path {
        Some(p) => format!("{}: {err}", p.display()),
        None => err.to_string(),
    };
    let exc = cls.call1((message,))?;
    if let Some(p) = path {
        exc.setattr("path", p.to_string_lossy().into_owned())?;
    }
    match err {
        Error::Config(c) => exc.setattr("field", c.field.name())?,
        Error::Format(flowlog_core::format::FormatError::BufferTooSmall { required }) => {
            exc.setattr("required", *required)?
        }
        Error::Capture(c) => exc.setattr("offset", c.offset)?,
    }
    Ok(PyErr::from_value(exc))
}
