//! `flowlog.read_pcap(path, **options)`: records of a capture file, streamed as windows close.

use std::collections::VecDeque;
use std::fs::File;
use std::path::PathBuf;

use flowlog_core::capture::{CaptureError, CaptureReader, MeteredCapture, Part};
use flowlog_core::{Meter, Record};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::{to_pyerr, CoreErr};
use crate::meter::counters_dict;
use crate::options;
use crate::record::PyRecord;

/// Packets metered per release of the GIL before records are handed back.
const CHUNK: usize = 4096;

/// Iterator over the records of one capture file; made by `flowlog.read_pcap`.
///
/// It reads with the core's capture reader through one meter, yields records as the meter emits
/// them (window rollovers, evictions) and, at the end of the file, the flushed flows. On a damaged
/// file it first yields the records of every packet before the damage (it flushes), then raises
/// the mapped `FlowlogError` naming the file and byte offset (SPEC §6).
#[pyclass(module = "flowlog", name = "PcapRecords")]
pub struct PcapRecords {
    path: PathBuf,
    /// `None` once the file has ended or failed (and the meter was flushed).
    capture: Option<MeteredCapture<File>>,
    meter: Meter,
    pending: VecDeque<Record>,
    error: Option<CaptureError>,
}

#[pyfunction]
#[pyo3(signature = (path, **options))]
pub fn read_pcap(path: PathBuf, options: Option<&Bound<'_, PyDict>>) -> PyResult<PcapRecords> {
    let meter = Meter::new(options::config(options)?).map_err(CoreErr::from)?;
    let reader =
        CaptureReader::open(&path).map_err(|e| Python::attach(|py| to_pyerr(py, &e.into(), Some(&path))))?;
    Ok(PcapRecords {
        path,
        capture: Some(MeteredCapture::new(reader)),
        meter,
        pending: VecDeque::new(),
        error: None,
    })
}

impl PcapRecords {
    /// Meter the next packets of the file: up to [`CHUNK`] of them, and at its end (or damage)
    /// flush the meter and keep the error.
    fn fill(&mut self) {
        let Some(capture) = self.capture.as_mut() else { return };
        let pending = &mut self.pending;
        let mut sink = |r: &Record| pending.push_back(*r);
        if let Part::Ended(result) = capture.meter_part(&mut self.meter, &mut sink, CHUNK) {
            self.error = result.err();
            self.capture = None;
        }
    }
}

#[pymethods]
impl PcapRecords {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<PyRecord>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Ok(Some(PyRecord(r)));
            }
            if self.capture.is_none() {
                return match self.error.take() {
                    Some(e) => Err(to_pyerr(py, &e.into(), Some(&self.path))),
                    None => Ok(None),
                };
            }
            py.detach(|| self.fill());
        }
    }

    /// The meter's counters so far.
    #[getter]
    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        counters_dict(py, &self.meter)
    }
}
