//! `flowlog.Record`: a light, immutable view of one core [`Record`] (a `Copy` struct).

use flowlog_core::Record;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3::IntoPyObjectExt;

/// One flow-log record. Attributes mirror the core's `Record`; `as_dict()` gives them all.
#[pyclass(module = "flowlog", name = "Record", frozen, eq)]
#[derive(Clone, Copy, PartialEq)]
pub struct PyRecord(pub Record);

/// Reads one attribute of a record as a Python object.
type Getter = for<'py> fn(&PyRecord, Python<'py>) -> PyResult<Bound<'py, PyAny>>;

/// Every attribute with its reader, in the order `as_dict()`, `to_pandas` and `to_arrow` use.
/// The readers call the getters below directly: no attribute lookup by name.
static FIELD_GETTERS: [(&str, Getter); 26] = [
    ("src_addr", |r, py| r.src_addr().into_bound_py_any(py)),
    ("dst_addr", |r, py| r.dst_addr().into_bound_py_any(py)),
    ("src_port", |r, py| r.src_port().into_bound_py_any(py)),
    ("dst_port", |r, py| r.dst_port().into_bound_py_any(py)),
    ("protocol", |r, py| r.protocol().into_bound_py_any(py)),
    ("ip_version", |r, py| r.ip_version().into_bound_py_any(py)),
    ("packets", |r, py| r.packets().into_bound_py_any(py)),
    ("bytes", |r, py| r.bytes().into_bound_py_any(py)),
    ("start", |r, py| r.start().into_bound_py_any(py)),
    ("end", |r, py| r.end().into_bound_py_any(py)),
    ("start_ns", |r, py| r.start_ns().into_bound_py_any(py)),
    ("end_ns", |r, py| r.end_ns().into_bound_py_any(py)),
    ("direction", |r, py| r.direction().into_bound_py_any(py)),
    ("action", |r, py| r.action().into_bound_py_any(py)),
    ("log_status", |r, py| r.log_status().into_bound_py_any(py)),
    ("tcp_flags", |r, py| r.tcp_flags().into_bound_py_any(py)),
    ("tcp_syn_ack", |r, py| r.tcp_syn_ack().into_bound_py_any(py)),
    ("icmp_type", |r, py| r.icmp_type().into_bound_py_any(py)),
    ("icmp_code", |r, py| r.icmp_code().into_bound_py_any(py)),
    ("window_start", |r, py| r.window_start().into_bound_py_any(py)),
    ("window_secs", |r, py| r.window_secs().into_bound_py_any(py)),
    ("end_reason", |r, py| r.end_reason().into_bound_py_any(py)),
    ("observation_point", |r, py| r.observation_point().into_bound_py_any(py)),
    ("vlan", |r, py| r.vlan().into_bound_py_any(py)),
    ("tunnel_id", |r, py| r.tunnel_id().into_bound_py_any(py)),
    ("has_icmp", |r, py| r.has_icmp().into_bound_py_any(py)),
];

/// The attribute names, in the order `as_dict()` and `to_pandas` use.
pub fn field_names() -> Vec<&'static str> {
    FIELD_GETTERS.iter().map(|(name, _)| *name).collect()
}

/// `records` as columns: attribute name → list of that attribute's values, in record order
/// (what `to_pandas` and `to_arrow` build their tables from). A `TypeError` for an item that is
/// not a `Record`.
pub fn columns<'py>(records: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = records.py();
    let mut all = Vec::new();
    for item in records.try_iter()? {
        all.push(*item?.cast::<PyRecord>()?.get());
    }
    let out = PyDict::new(py);
    for (name, get) in &FIELD_GETTERS {
        let values = all.iter().map(|r| get(r, py)).collect::<PyResult<Vec<_>>>()?;
        out.set_item(name, PyList::new(py, values)?)?;
    }
    Ok(out)
}

#[pymethods]
impl PyRecord {
    /// Source address (dotted quad or RFC 5952 IPv6).
    #[getter]
    fn src_addr(&self) -> String {
        self.0.key.src_addr().to_string()
    }
    /// Destination address.
    #[getter]
    fn dst_addr(&self) -> String {
        self.0.key.dst_addr().to_string()
    }
    /// Source port (0 when none).
    #[getter]
    fn src_port(&self) -> u16 {
        self.0.key.src_port
    }
    /// Destination port (0 when none; ICMP type × 256 + code with `icmp_in_ports`).
    #[getter]
    fn dst_port(&self) -> u16 {
        self.0.key.dst_port
    }
    /// IP protocol number.
    #[getter]
    fn protocol(&self) -> u8 {
        self.0.key.protocol
    }
    /// 4 or 6.
    #[getter]
    fn ip_version(&self) -> u8 {
        self.0.key.ip_version()
    }
    /// Interface index or ENI the flow was seen on.
    #[getter]
    fn observation_point(&self) -> u32 {
        self.0.key.observation_point
    }
    /// VLAN id when `key_vlan` is on, else 0.
    #[getter]
    fn vlan(&self) -> u16 {
        self.0.key.vlan
    }
    /// Tunnel id when `key_tunnel` is on, else 0.
    #[getter]
    fn tunnel_id(&self) -> u32 {
        self.0.key.tunnel_id
    }
    /// `"in"`, `"out"` or `"-"`.
    #[getter]
    fn direction(&self) -> &'static str {
        self.0.key.direction().as_str()
    }
    /// `"ACCEPT"` or `"REJECT"`.
    #[getter]
    fn action(&self) -> &'static str {
        self.0.key.action().as_str()
    }
    /// Packets in the record.
    #[getter]
    fn packets(&self) -> u64 {
        self.0.packets
    }
    /// Bytes in the record, by the configured accounting.
    #[getter]
    fn bytes(&self) -> u64 {
        self.0.bytes
    }
    /// Earliest packet time, ns since the epoch.
    #[getter]
    fn start_ns(&self) -> u64 {
        self.0.start_ns
    }
    /// Latest packet time, ns since the epoch.
    #[getter]
    fn end_ns(&self) -> u64 {
        self.0.end_ns
    }
    /// `start_ns` in floor seconds.
    #[getter]
    fn start(&self) -> u64 {
        self.0.start_secs()
    }
    /// `end_ns` in floor seconds.
    #[getter]
    fn end(&self) -> u64 {
        self.0.end_secs()
    }
    /// OR of the TCP flags (bits 0–7 the flags byte, bit 8 NS).
    #[getter]
    fn tcp_flags(&self) -> u16 {
        self.0.tcp_flags
    }
    /// Whether one packet carried SYN and ACK together.
    #[getter]
    fn tcp_syn_ack(&self) -> bool {
        self.0.tcp_syn_ack
    }
    /// Whether `icmp_type`/`icmp_code` are set.
    #[getter]
    fn has_icmp(&self) -> bool {
        self.0.has_icmp
    }
    /// ICMP type of the first packet, `None` for a non-ICMP record.
    #[getter]
    fn icmp_type(&self) -> Option<u8> {
        self.0.has_icmp.then_some(self.0.icmp_type)
    }
    /// ICMP code of the first packet, `None` for a non-ICMP record.
    #[getter]
    fn icmp_code(&self) -> Option<u8> {
        self.0.has_icmp.then_some(self.0.icmp_code)
    }
    /// Start of the capture window, seconds since the epoch.
    #[getter]
    fn window_start(&self) -> u64 {
        self.0.window_start_secs
    }
    /// Capture window length in seconds.
    #[getter]
    fn window_secs(&self) -> u64 {
        self.0.window_secs
    }
    /// `"window"`, `"evicted"`, `"flush"` or `"packet_limit"`.
    #[getter]
    fn end_reason(&self) -> &'static str {
        self.0.end_reason.as_str()
    }
    /// `"OK"`, `"NODATA"` or `"SKIPDATA"`.
    #[getter]
    fn log_status(&self) -> &'static str {
        self.0.log_status.as_str()
    }

    /// Every attribute as a dict, keys in a stable order.
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, get) in &FIELD_GETTERS {
            d.set_item(name, get(self, py)?)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let r = &self.0;
        format!(
            "Record({} {}:{} -> {}:{} proto={} packets={} bytes={} start={} end={} {} {} {})",
            r.key.observation_point,
            r.key.src_addr(),
            r.key.src_port,
            r.key.dst_addr(),
            r.key.dst_port,
            r.key.protocol,
            r.packets,
            r.bytes,
            r.start_secs(),
            r.end_secs(),
            r.key.action().as_str(),
            r.log_status.as_str(),
            r.end_reason.as_str(),
        )
    }
}
