//! `flowlog.Record`: a light, immutable view of one core [`Record`] (a `Copy` struct).

use flowlog_core::Record;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// One flow-log record. Attributes mirror the core's `Record`; `as_dict()` gives them all.
#[pyclass(module = "flowlog", name = "Record", frozen, eq)]
#[derive(Clone, Copy, PartialEq)]
pub struct PyRecord(pub Record);

/// The attribute names, in the order `as_dict()` and `to_pandas` use.
pub const FIELDS: [&str; 26] = [
    "src_addr",
    "dst_addr",
    "src_port",
    "dst_port",
    "protocol",
    "ip_version",
    "packets",
    "bytes",
    "start",
    "end",
    "start_ns",
    "end_ns",
    "direction",
    "action",
    "log_status",
    "tcp_flags",
    "tcp_syn_ack",
    "icmp_type",
    "icmp_code",
    "window_start",
    "window_secs",
    "end_reason",
    "observation_point",
    "vlan",
    "tunnel_id",
    "has_icmp",
];

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
        self.0.window_start
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
    fn as_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(slf.py());
        for name in FIELDS {
            d.set_item(name, slf.getattr(name)?)?;
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
