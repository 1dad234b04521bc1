//! Index arrays of a batch (offsets, lengths, timestamps) from any buffer object or sequence.
//!
//! These are copied into reused `Vec<u64>`s of the meter: 8 bytes per packet of metadata, never
//! the packet bytes, and no allocation once the vectors have grown to the batch size.

use pyo3::buffer::{Element, PyBuffer, PyUntypedBuffer};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt};

/// Copy `v` (a 1-D integer buffer such as `numpy.ndarray` or `array.array`, or any iterable of
/// ints) into `out` as u64. Negative or non-integer items are errors naming `name[index]`.
pub fn read_u64s(py: Python<'_>, v: &Bound<'_, PyAny>, name: &str, out: &mut Vec<u64>) -> PyResult<()> {
    out.clear();
    if let Ok(buf) = PyUntypedBuffer::get(v) {
        if buf.dimensions() != 1 {
            return Err(PyValueError::new_err(format!("{name} must be one-dimensional")));
        }
        macro_rules! try_type {
            ($($t:ty),*) => {$(
                if let Ok(b) = buf.as_typed::<$t>() {
                    return copy(py, b, name, out);
                }
            )*};
        }
        try_type!(u64, i64, u32, i32, u16, i16, u8, i8);
        return Err(PyTypeError::new_err(format!(
            "{name} must hold integers (buffer format {:?})",
            buf.format().to_string_lossy()
        )));
    }
    let iter = v.try_iter().map_err(|_| {
        PyTypeError::new_err(format!("{name} must be a buffer of integers or an iterable of ints"))
    })?;
    for (i, item) in iter.enumerate() {
        let item = item?;
        if item.is_instance_of::<PyBool>() || !item.is_instance_of::<PyInt>() {
            return Err(PyTypeError::new_err(format!("{name}[{i}] must be an int")));
        }
        match item.extract::<u64>() {
            Ok(n) => out.push(n),
            Err(_) if item.lt(0)? => return Err(PyValueError::new_err(format!("{name}[{i}] is negative"))),
            Err(_) => return Err(PyValueError::new_err(format!("{name}[{i}] does not fit in 64 bits"))),
        }
    }
    Ok(())
}

fn copy<T: Element + Copy + TryInto<u64>>(
    py: Python<'_>,
    buf: &PyBuffer<T>,
    name: &str,
    out: &mut Vec<u64>,
) -> PyResult<()> {
    let conv =
        |i: usize, x: T| x.try_into().map_err(|_| PyValueError::new_err(format!("{name}[{i}] is negative")));
    match buf.as_slice_ptr() {
        Some(p) => {
            // SAFETY: the buffer is exported (kept alive and unresizable) for `buf`'s lifetime, it
            // is C-contiguous with `T`-compatible items (checked by `as_typed`), and we hold the
            // GIL without calling into Python while the slice lives, so no Python code mutates it.
            let items: &[T] = unsafe { p.as_ref() };
            out.reserve(items.len());
            for (i, &x) in items.iter().enumerate() {
                out.push(conv(i, x)?);
            }
        }
        None => {
            for (i, x) in buf.to_vec(py)?.into_iter().enumerate() {
                out.push(conv(i, x)?);
            }
        }
    }
    Ok(())
}
