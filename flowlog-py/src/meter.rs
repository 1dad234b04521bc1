//! `flowlog.Meter`: the core [`Meter`] with one-packet and batch entry points.

use flowlog_core::{Frame, LinkType, Meter, PacketColumns, PacketView, Record};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::arrays::read_u64s;
use crate::options::{self, exact_uint};
use crate::record::PyRecord;

/// Meters packets into flow-log records. One per thread: a second thread calling into the same
/// meter during a batch gets `RuntimeError` (already borrowed), never a data race.
#[pyclass(module = "flowlog", name = "Meter")]
pub struct PyMeter {
    /// `None` after `close()`.
    inner: Option<Meter>,
    /// Records emitted during the current call; reused.
    out: Vec<Record>,
    offsets: Vec<u64>,
    lengths: Vec<u64>,
    timestamps: Vec<u64>,
    orig_lens: Vec<u64>,
}

/// A C-contiguous byte buffer, or a `TypeError` naming `what`.
pub fn byte_buffer(v: &Bound<'_, PyAny>, what: &str) -> PyResult<PyBuffer<u8>> {
    let buf = PyBuffer::<u8>::get(v).map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a bytes-like object of bytes (bytes, bytearray, memoryview, uint8 array), not {}",
            v.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    if !buf.is_c_contiguous() {
        return Err(PyValueError::new_err(format!("{what} must be a contiguous buffer")));
    }
    Ok(buf)
}

/// An optional u32 argument; `None` (or absent) gives `default`.
fn opt_uint(v: Option<&Bound<'_, PyAny>>, what: &str, default: u32) -> PyResult<u32> {
    match v.filter(|v| !v.is_none()) {
        Some(v) => exact_uint::<u32>(v, what),
        None => Ok(default),
    }
}

fn to_records(py: Python<'_>, out: &mut Vec<Record>) -> PyResult<Vec<Py<PyRecord>>> {
    let list = out.iter().map(|r| Py::new(py, PyRecord(*r))).collect();
    out.clear();
    list
}

#[pymethods]
impl PyMeter {
    /// `Meter(**options)`: see `flowlog.MeterOptions` for the names; defaults are the core's.
    #[new]
    #[pyo3(signature = (**options))]
    fn new(options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let config = options::config(options)?;
        let inner = Meter::new(config).map_err(crate::error::CoreErr::from)?;
        Ok(PyMeter {
            inner: Some(inner),
            out: Vec::new(),
            offsets: Vec::new(),
            lengths: Vec::new(),
            timestamps: Vec::new(),
            orig_lens: Vec::new(),
        })
    }

    /// Meter one packet; returns the records it finished (window rollover, eviction).
    #[pyo3(
        signature = (data, ts_ns, *, link_type=None, orig_len=None, observation_point=None, direction=None, action=None),
        text_signature = "($self, data, ts_ns, *, link_type=1, orig_len=None, observation_point=0, direction=None, action=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn process(
        &mut self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        ts_ns: &Bound<'_, PyAny>,
        link_type: Option<&Bound<'_, PyAny>>,
        orig_len: Option<&Bound<'_, PyAny>>,
        observation_point: Option<&Bound<'_, PyAny>>,
        direction: Option<&Bound<'_, PyAny>>,
        action: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Py<PyRecord>>> {
        let ts = options::timestamp(ts_ns, "ts_ns")?;
        let link = LinkType(opt_uint(link_type, "link_type", 1)?);
        let observation_point = opt_uint(observation_point, "observation_point", 0)?;
        let direction = options::direction(direction)?;
        let action = options::action(action)?;
        let orig = orig_len.filter(|o| !o.is_none()).map(|o| exact_uint::<u32>(o, "orig_len")).transpose()?;
        let meter = self.inner.as_mut().ok_or_else(closed)?;
        let out = &mut self.out;
        let mut run = |bytes: &[u8]| {
            let frame = Frame {
                ts,
                link,
                orig_len: orig.unwrap_or(bytes.len().min(u32::MAX as usize) as u32),
                data: bytes,
                observation_point,
                direction,
                action,
            };
            meter_frame(meter, &frame, out);
        };
        if let Ok(b) = data.cast::<PyBytes>() {
            run(b.as_bytes());
        } else {
            let buf = byte_buffer(data, "data")?;
            let p = buf.as_slice_ptr().ok_or_else(|| PyValueError::new_err("data must be contiguous"))?;
            // SAFETY: exported, C-contiguous u8 buffer; we hold the GIL and run no Python code
            // while the slice lives.
            let bytes: &[u8] =
                unsafe { std::slice::from_raw_parts(p.as_ptr() as *const u8, buf.item_count()) };
            run(bytes);
        }
        to_records(py, &mut self.out)
    }

    /// Meter many packets held in one buffer: packet `i` is `data[offsets[i] : offsets[i] +
    /// lengths[i]]` at `timestamps[i]` ns. Index arrays may be any 1-D integer buffer (numpy,
    /// `array.array`) or a sequence of ints. Every index is checked before any packet is metered.
    /// The packets are not copied, and the GIL is released while they are metered; the buffer must
    /// not be modified meanwhile. Returns the records the batch finished, in emission order.
    #[pyo3(
        signature = (data, offsets, lengths, timestamps, *, link_type=None, orig_lens=None, observation_point=None, direction=None, action=None),
        text_signature = "($self, data, offsets, lengths, timestamps, *, link_type=1, orig_lens=None, observation_point=0, direction=None, action=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn process_batch(
        &mut self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        offsets: &Bound<'_, PyAny>,
        lengths: &Bound<'_, PyAny>,
        timestamps: &Bound<'_, PyAny>,
        link_type: Option<&Bound<'_, PyAny>>,
        orig_lens: Option<&Bound<'_, PyAny>>,
        observation_point: Option<&Bound<'_, PyAny>>,
        direction: Option<&Bound<'_, PyAny>>,
        action: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Py<PyRecord>>> {
        let link = LinkType(opt_uint(link_type, "link_type", 1)?);
        let observation_point = opt_uint(observation_point, "observation_point", 0)?;
        let direction = options::direction(direction)?;
        let action = options::action(action)?;
        let buf = byte_buffer(data, "data")?;
        read_u64s(py, offsets, "offsets", &mut self.offsets)?;
        read_u64s(py, lengths, "lengths", &mut self.lengths)?;
        read_u64s(py, timestamps, "timestamps", &mut self.timestamps)?;
        let have_orig = match orig_lens.filter(|o| !o.is_none()) {
            Some(o) => {
                read_u64s(py, o, "orig_lens", &mut self.orig_lens)?;
                true
            }
            None => false,
        };
        let base = buf.buf_ptr() as *const u8;
        let data_len = buf.item_count();
        // SAFETY: `buf` keeps the export alive (the object cannot be freed or resized) until it is
        // dropped after the call, and it is C-contiguous u8 of `item_count` bytes. The GIL is
        // released while we read it: the documented contract is that the caller does not write to
        // the buffer during the call (bytes and read-only buffers cannot be written at all).
        let data: &[u8] =
            if data_len == 0 { &[] } else { unsafe { std::slice::from_raw_parts(base, data_len) } };
        let packets = PacketView::new(PacketColumns {
            data,
            offsets: &self.offsets,
            lengths: &self.lengths,
            timestamps: &self.timestamps,
            orig_lens: have_orig.then_some(self.orig_lens.as_slice()),
            link,
            observation_point,
            direction,
            action,
        })
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let meter = self.inner.as_mut().ok_or_else(closed)?;
        let out = &mut self.out;
        // Skipped packets are counted under their reasons; they are not errors.
        py.detach(|| meter.process_frames(&packets, &mut |r: &Record| out.push(*r)));
        drop(buf);
        to_records(py, &mut self.out)
    }

    /// Emit every flow still in the table (end of input); the meter stays usable.
    fn flush(&mut self, py: Python<'_>) -> PyResult<Vec<Py<PyRecord>>> {
        let meter = self.inner.as_mut().ok_or_else(closed)?;
        let out = &mut self.out;
        meter.flush(&mut |r: &Record| out.push(*r));
        to_records(py, &mut self.out)
    }

    /// Every counter by name, in the core's stable order.
    #[getter]
    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        counters_dict(py, self.meter()?)
    }

    /// Flows in the table now.
    #[getter]
    fn active_flows(&self) -> PyResult<u32> {
        Ok(self.meter()?.active_flows())
    }

    /// Start of the capture window being filled, in ns since the epoch; `None` before the first
    /// packet. A packet at or after its end (start + `window_secs`) closes it.
    #[getter]
    fn window_start_ns(&self) -> PyResult<Option<u64>> {
        Ok(self.meter()?.window_start_ns())
    }

    /// Heap bytes the meter holds.
    #[getter]
    fn heap_bytes(&self) -> PyResult<usize> {
        Ok(self.meter()?.heap_bytes())
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_none()
    }

    /// Free the meter's tables now rather than when it is garbage-collected. Flows still in the
    /// table are dropped (call `flush()` first to keep them). Every later call raises
    /// `ValueError`; closing twice is allowed.
    fn close(&mut self) {
        self.inner = None;
        self.out = Vec::new();
        self.offsets = Vec::new();
        self.lengths = Vec::new();
        self.timestamps = Vec::new();
        self.orig_lens = Vec::new();
    }

    /// `with flowlog.Meter() as meter:` closes the meter at the end of the block.
    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&mut self, _args: &Bound<'_, PyTuple>) {
        self.close();
    }

    fn __repr__(&self) -> String {
        let Some(m) = &self.inner else { return "Meter(closed)".to_string() };
        let c = m.config();
        format!(
            "Meter(window_secs={}, max_flows={}, active_flows={}, packets_in={})",
            c.window_secs,
            c.max_flows,
            m.active_flows(),
            m.counters().packets_in
        )
    }
}

impl PyMeter {
    /// The meter, or `ValueError` once closed.
    fn meter(&self) -> PyResult<&Meter> {
        self.inner.as_ref().ok_or_else(closed)
    }
}

/// The error of any call on a closed meter (as Python's own closed files raise).
fn closed() -> PyErr {
    PyValueError::new_err("the meter is closed")
}

/// Meter one frame, collecting finished records into `out`: the binding's only call of
/// [`Meter::process`] (`process` and `read_pcap` come through here; the batch uses
/// [`Meter::process_frames`]). One
/// instantiation with one call site lets the compiler inline the core's parser into it exactly as
/// it does for a Rust caller's loop; per packet, the binding then costs one call.
#[inline(never)]
pub fn meter_frame(meter: &mut Meter, frame: &Frame<'_>, out: &mut Vec<Record>) {
    // A skipped packet is counted under its reason; it is not an error.
    let _ = meter.process(frame, &mut |r: &Record| out.push(*r));
}

/// A meter's counters as a dict.
pub fn counters_dict<'py>(py: Python<'py>, m: &Meter) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, value) in m.counters().fields() {
        d.set_item(name, value)?;
    }
    Ok(d)
}
