//! `flowlog.read_pcap(path, **options)`: records of a capture file, streamed as windows close.

use std::collections::VecDeque;
use std::fs::File;
use std::path::PathBuf;

use flowlog_core::capture::{CaptureError, CaptureReader};
use flowlog_core::{Meter, Record};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::{to_pyerr, CoreErr};
use crate::meter::{counters_dict, meter_frame};
use crate::options;
use crate::record::PyRecord;

/// Packets read per release of the GIL before records are handed back.
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
    reader: Option<CaptureReader<File>>,
    meter: Meter,
    pending: VecDeque<Record>,
    /// Records of the packet being metered; reused.
    out: Vec<Record>,
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
        reader: Some(reader),
        meter,
        pending: VecDeque::new(),
        out: Vec::new(),
        error: None,
    })
}

impl PcapRecords {
    /// Read until a record is pending or the file ends (flush) or fails (flush, keep the error).
    fn fill(&mut self) {
        let Some(reader) = self.reader.as_mut() else { return };
        let (meter, pending, out) = (&mut self.meter, &mut self.pending, &mut self.out);
        let mut done = false;
        for _ in 0..CHUNK {
            match reader.next_frame() {
                Ok(Some(frame)) => {
                    meter_frame(meter, &frame.to_frame(), out);
                    pending.extend(out.drain(..));
                }
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    self.error = Some(e);
                    done = true;
                    break;
                }
            }
        }
        if done {
            meter.flush(&mut |r: &Record| pending.push_back(*r));
            self.reader = None;
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
            if self.reader.is_none() {
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
