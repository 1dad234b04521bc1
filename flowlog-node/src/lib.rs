//! flowlog for Node.js: a thin napi-rs wrapper over `flowlog-core`.
//!
//! It converts JavaScript values to core types and back and maps errors (see [`error`]); every
//! decision about packets, flows, windows and formats is the core's. The per-packet path borrows
//! the caller's `Buffer` and typed arrays without copying them and collects finished records in a
//! reused `Vec`; only the records handed back to JavaScript become objects. Every entry point is
//! `catch_unwind`: a panic (none is expected: every index is checked) becomes a JavaScript error
//! instead of aborting the process.

#![deny(missing_docs)]

mod convert;
mod error;
mod records;

use flowlog_core::capture::{CaptureReader, MeteredCapture, Part};
use flowlog_core::{
    Accounting, Config, ConfigError, ConfigField, Decap, Dissected, FlowKey, FormatKind, Formatter, Frame,
    LinkType, PacketColumns, PacketView, Record, Skip, Timestamp,
};
use napi::bindgen_prelude::Unknown;
use napi::{Env, JsValue, Result};
use napi_derive::napi;

use convert::Options;
use records::JsRecords;

/// Options of `new Meter(options)` and `readPcap(path, options)`; every one is optional.

#[napi(object, object_from_js = false, object_to_js = false)]
pub struct MeterOptions {
    /// Capture window in seconds (60, 300 or 600 in the clouds). Default 600.
    pub window_secs: Option<u32>,
    /// Session-table capacity in flows; all memory is reserved at construction. Default 65536.
    pub max_flows: Option<u32>,
    /// Capacity of the first-fragment table. Default 4096.
    pub max_fragments: Option<u32>,
    /// `'all'` keys tunnelled packets on the innermost IP header, `'none'` on the outermost.
    /// Default `'all'`.
    #[napi(ts_type = "'all' | 'none'")]
    pub decap: Option<String>,
    /// `'ip'` counts the IP length field, `'l2'` the frame's wire length. Default `'ip'`.
    #[napi(ts_type = "'ip' | 'l2'")]
    pub accounting: Option<String>,
    /// Write ICMP type × 256 + code into the destination port, as NetFlow does. Default false.
    pub icmp_in_ports: Option<bool>,
    /// Add the innermost VLAN id to the flow key. Default false.
    pub key_vlan: Option<bool>,
    /// Add the innermost tunnel id (VNI, GRE key, TEID) to the flow key. Default false.
    pub key_tunnel: Option<bool>,
    /// Seed of the session table's hash; random when absent. Output never depends on it.
    #[napi(ts_type = "bigint")]
    pub hash_seed: Option<String>,
}

const METER_KEYS: [&str; 9] = [
    "windowSecs",
    "maxFlows",
    "maxFragments",
    "decap",
    "accounting",
    "icmpInPorts",
    "keyVlan",
    "keyTunnel",
    "hashSeed",
];

/// Where and how one packet was captured (`meter.process`); every field is optional.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct FrameOptions {
    /// pcap LINKTYPE_* value of the bytes. Default 1 (Ethernet).
    pub link_type: Option<u32>,
    /// Length on the wire when the capture was cut at a snap length. Default `data.length`.
    pub orig_len: Option<u32>,
    /// Interface index or ENI the packet was seen on. Default 0.
    pub observation_point: Option<u32>,
    /// Direction relative to the ENI. Default `'unknown'`.
    #[napi(ts_type = "'unknown' | 'in' | 'out'")]
    pub direction: Option<String>,
    /// The verdict. Default `'accept'`.
    #[napi(ts_type = "'accept' | 'reject'")]
    pub action: Option<String>,
}

const FRAME_KEYS: [&str; 5] = ["linkType", "origLen", "observationPoint", "direction", "action"];

/// Options of `meter.processBatch`, shared by every packet of the batch; every field is optional.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct BatchOptions {
    /// pcap LINKTYPE_* value of the bytes. Default 1 (Ethernet).
    pub link_type: Option<u32>,
    /// Wire length of each packet when the capture was cut at a snap length. Default: `lengths`.
    #[napi(ts_type = "Uint32Array")]
    pub orig_lens: Option<Vec<u32>>,
    /// Interface index or ENI the packets were seen on. Default 0.
    pub observation_point: Option<u32>,
    /// Direction relative to the ENI. Default `'unknown'`.
    #[napi(ts_type = "'unknown' | 'in' | 'out'")]
    pub direction: Option<String>,
    /// The verdict. Default `'accept'`.
    #[napi(ts_type = "'accept' | 'reject'")]
    pub action: Option<String>,
}

const BATCH_KEYS: [&str; 5] = ["linkType", "origLens", "observationPoint", "direction", "action"];

// The type of the objects `records::JsRecords` builds in JavaScript (the struct converts nothing).
/// One flow-log record: one unidirectional flow at one observation point in one capture window.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct FlowRecord {
    /// Source address (`'10.0.0.1'`, `'2001:db8::1'`).
    pub src_addr: String,
    /// Destination address.
    pub dst_addr: String,
    /// Source port (0 when the protocol has none).
    pub src_port: u32,
    /// Destination port (or ICMP type × 256 + code with `icmpInPorts`).
    pub dst_port: u32,
    /// IP protocol number.
    pub protocol: u32,
    /// 4 or 6.
    pub ip_version: u32,
    /// Interface index or ENI the flow was seen on.
    pub observation_point: u32,
    /// VLAN id when `keyVlan` is on, else 0.
    pub vlan: u32,
    /// Tunnel id when `keyTunnel` is on, else 0.
    pub tunnel_id: u32,
    /// Direction relative to the ENI.
    #[napi(ts_type = "'unknown' | 'in' | 'out'")]
    pub direction: String,
    /// The verdict.
    #[napi(ts_type = "'accept' | 'reject'")]
    pub action: String,
    /// Packets in this record.
    pub packets: u64,
    /// Bytes in this record, by the configured accounting.
    pub bytes: u64,
    /// Earliest packet time, ns since the epoch.
    pub start_ns: u64,
    /// Latest packet time, ns since the epoch.
    pub end_ns: u64,
    /// OR of the TCP flags of its packets: bits 0–7 the flags byte, bit 8 NS.
    pub tcp_flags: u32,
    /// Whether one packet carried SYN and ACK together.
    pub tcp_syn_ack: bool,
    /// Whether `icmpType`/`icmpCode` are set.
    pub has_icmp: bool,
    /// ICMP type of the record's first packet.
    pub icmp_type: u32,
    /// ICMP code of the record's first packet.
    pub icmp_code: u32,
    /// Start of the capture window, seconds since the epoch.
    pub window_start: i64,
    /// Length of the capture window in seconds.
    pub window_secs: i64,
    /// Why the record was emitted.
    #[napi(ts_type = "'window' | 'evicted' | 'flush' | 'packet_limit'")]
    pub end_reason: String,
    /// `'OK'` for every record made from traffic.
    #[napi(ts_type = "'OK' | 'NODATA' | 'SKIPDATA'")]
    pub log_status: String,
}

fn to_js(records: &[Record]) -> JsRecords {
    JsRecords::new(records)
}

/// A record object back into a core record (for `formatRecords`).
fn record_from_js(env: &Env, v: &Unknown<'_>, what: &str) -> Result<Record> {
    let o = Options::new(env, Some(v), what, None)?;
    let addr = |key: &str| -> Result<std::net::IpAddr> {
        let s = o.require(env, key, convert::string)?;
        s.parse().map_err(|_| error::range_error(env, &format!("{what}.{key} is not an IP address: '{s}'")))
    };
    let (src, dst) = (addr("srcAddr")?, addr("dstAddr")?);
    let octets = |a: std::net::IpAddr| -> [u8; 16] {
        let mut b = [0u8; 16];
        match a {
            std::net::IpAddr::V4(a) => b[..4].copy_from_slice(&a.octets()),
            std::net::IpAddr::V6(a) => b = a.octets(),
        }
        b
    };
    if src.is_ipv4() != dst.is_ipv4() {
        return Err(error::range_error(
            env,
            &format!("{what}: srcAddr and dstAddr are of different IP versions"),
        ));
    }
    let u16_of = |key: &str| -> Result<u16> {
        Ok(convert::uint(env, &o.get_required(env, key)?, &o.name(key), 65535.0)? as u16)
    };
    let u8_of = |key: &str| -> Result<u8> {
        Ok(convert::uint(env, &o.get_required(env, key)?, &o.name(key), 255.0)? as u8)
    };
    let d = Dissected {
        ip_version: if src.is_ipv4() { 4 } else { 6 },
        src: octets(src),
        dst: octets(dst),
        protocol: u8_of("protocol")?,
        src_port: u16_of("srcPort")?,
        dst_port: u16_of("dstPort")?,
        vlan: u16_of("vlan")?,
        tunnel_id: o.require(env, "tunnelId", convert::u32_num)?,
        ..Dissected::EMPTY
    };
    let direction = o.require(env, "direction", |e, v, w| {
        convert::choice(e, v, w, &convert::DIRECTIONS, convert::direction_name)
    })?;
    let action = o.require(env, "action", |e, v, w| {
        convert::choice(e, v, w, &convert::ACTIONS, convert::action_name)
    })?;
    let observation_point = o.require(env, "observationPoint", convert::u32_num)?;
    Ok(Record {
        // Both flags on: the record's vlan and tunnel id are kept as they are.
        key: FlowKey::new(&d, observation_point, direction, action, true, true),
        packets: o.require(env, "packets", convert::u64_bigint)?,
        bytes: o.require(env, "bytes", convert::u64_bigint)?,
        start_ns: o.require(env, "startNs", convert::u64_bigint)?,
        end_ns: o.require(env, "endNs", convert::u64_bigint)?,
        tcp_flags: convert::uint(env, &o.get_required(env, "tcpFlags")?, &o.name("tcpFlags"), 65535.0)?
            as u16,
        tcp_syn_ack: o.require(env, "tcpSynAck", convert::boolean)?,
        has_icmp: o.require(env, "hasIcmp", convert::boolean)?,
        icmp_type: u8_of("icmpType")?,
        icmp_code: u8_of("icmpCode")?,
        window_start_secs: o.require(env, "windowStart", convert::u64_num)?,
        window_secs: o.require(env, "windowSecs", convert::u64_num)?,
        end_reason: o.require(env, "endReason", |e, v, w| {
            convert::choice(e, v, w, &convert::END_REASONS, flowlog_core::EndReason::as_str)
        })?,
        log_status: o.require(env, "logStatus", |e, v, w| {
            convert::choice(e, v, w, &convert::LOG_STATUSES, flowlog_core::LogStatus::as_str)
        })?,
    })
}

/// Every counter of a meter (SPEC §2): `packetsIn = metered + unsupportedLink + truncatedL2 +
/// nonIp + badIpHeader`.
// The core's `Counters::NAMES` in its order, in camel case (checked by a test).
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct Counters {
    /// Packets given to the meter.
    pub packets_in: u64,
    /// Packets that updated a flow.
    pub metered: u64,
    /// Not metered: link type not decoded.
    pub unsupported_link: u64,
    /// Not metered: link-layer or shim headers cut off before an IP header.
    pub truncated_l2: u64,
    /// Not metered: no IP in the frame.
    pub non_ip: u64,
    /// Not metered: the only IP header is unusable.
    pub bad_ip_header: u64,
    /// Metered packets with fewer than 4 bytes of L4 header (ports 0).
    pub truncated_l4: u64,
    /// Metered IPv6 packets whose extension chain did not fit.
    pub bad_ipv6_chain: u64,
    /// Metered non-first fragments whose first fragment was not seen.
    pub orphan_fragments: u64,
    /// Metered packets whose IP length field was unusable.
    pub bad_length: u64,
    /// Metered packets older than the current window.
    pub late_packets: u64,
    /// Packets whose timestamp did not fit.
    pub bad_timestamp: u64,
    /// Flows emitted early because the table was full.
    pub evictions: u64,
    /// Window rollovers.
    pub rollovers: u64,
    /// Records emitted.
    pub records: u64,
    /// Packets in emitted records (equals `metered` after a flush).
    pub record_packets: u64,
}

impl From<&flowlog_core::Counters> for Counters {
    fn from(c: &flowlog_core::Counters) -> Counters {
        Counters {
            packets_in: c.packets_in,
            metered: c.metered,
            unsupported_link: c.skipped(Skip::UnsupportedLink),
            truncated_l2: c.skipped(Skip::TruncatedL2),
            non_ip: c.skipped(Skip::NonIp),
            bad_ip_header: c.skipped(Skip::BadIpHeader),
            truncated_l4: c.truncated_l4,
            bad_ipv6_chain: c.bad_ipv6_chain,
            orphan_fragments: c.orphan_fragments,
            bad_length: c.bad_length,
            late_packets: c.late_packets,
            bad_timestamp: c.bad_timestamp,
            evictions: c.evictions,
            rollovers: c.rollovers,
            records: c.records,
            record_packets: c.record_packets,
        }
    }
}

/// The core configuration from meter options.
fn config_from_js(env: &Env, v: Option<&Unknown<'_>>) -> Result<Config> {
    let o = Options::new(env, v, "options", Some(&METER_KEYS[..]))?;
    let mut c = Config::default();
    if let Some(x) = o.read(env, "windowSecs", convert::u64_num)? {
        c.window_secs = x;
    }
    if let Some(x) = o.read(env, "maxFlows", convert::u32_num)? {
        c.max_flows = x;
    }
    if let Some(x) = o.read(env, "maxFragments", convert::u32_num)? {
        c.max_fragments = x;
    }
    if let Some(s) = o.read(env, "decap", convert::string)? {
        c.decap = Decap::from_name(&s).ok_or_else(|| {
            error::core(env, ConfigError::new(ConfigField::Decap, "must be 'all' or 'none'"))
        })?;
    }
    if let Some(s) = o.read(env, "accounting", convert::string)? {
        c.accounting = Accounting::from_name(&s).ok_or_else(|| {
            error::core(env, ConfigError::new(ConfigField::Accounting, "must be 'ip' or 'l2'"))
        })?;
    }
    if let Some(x) = o.read(env, "icmpInPorts", convert::boolean)? {
        c.icmp_in_ports = x;
    }
    if let Some(x) = o.read(env, "keyVlan", convert::boolean)? {
        c.key_vlan = x;
    }
    if let Some(x) = o.read(env, "keyTunnel", convert::boolean)? {
        c.key_tunnel = x;
    }
    if let Some(x) = o.read(env, "hashSeed", convert::u64_bigint)? {
        c.hash_seed = Some(x);
    }
    c.validate().map_err(|e| error::core(env, e))?;
    Ok(c)
}

/// What every packet of a call shares: link type, observation point, direction, action.
struct Shared {
    link: LinkType,
    observation_point: u32,
    direction: flowlog_core::Direction,
    action: flowlog_core::Action,
}

fn shared_from_js(env: &Env, o: &Options<'_>) -> Result<Shared> {
    Ok(Shared {
        link: LinkType(o.read(env, "linkType", convert::u32_num)?.unwrap_or(LinkType::ETHERNET.0)),
        observation_point: o.read(env, "observationPoint", convert::u32_num)?.unwrap_or(0),
        direction: o
            .read(env, "direction", |e, v, w| {
                convert::choice(e, v, w, &convert::DIRECTIONS, convert::direction_name)
            })?
            .unwrap_or_default(),
        action: o
            .read(env, "action", |e, v, w| convert::choice(e, v, w, &convert::ACTIONS, convert::action_name))?
            .unwrap_or_default(),
    })
}

/// Turns packets into flow-log records. All memory is reserved by the constructor; one meter per
/// thread (JavaScript calls it from one thread anyway).
#[napi]
pub struct Meter {
    /// `None` after `close()`.
    inner: Option<flowlog_core::Meter>,
    /// Records finished during the current call, reused from call to call.
    out: Vec<Record>,
}

#[napi]
impl Meter {
    /// Build a meter. Throws `ERR_FLOWLOG_INVALID_CONFIG` naming the field the core rejects,
    /// `ERR_FLOWLOG_INVALID_ARG` (TypeError/RangeError) for an unknown option, a value of the
    /// wrong type or a number that is not a non-negative integer.
    #[napi(constructor, catch_unwind, ts_args_type = "options?: MeterOptions")]
    pub fn new(env: &Env, options: Option<Unknown<'_>>) -> Result<Self> {
        let config = config_from_js(env, options.as_ref())?;
        let inner = flowlog_core::Meter::new(config).map_err(|e| error::core(env, e))?;
        Ok(Meter { inner: Some(inner), out: Vec::new() })
    }

    /// Meter one packet; returns the records this packet finished (a window rollover, an
    /// eviction), usually none. `tsNs` is nanoseconds since the epoch, or `null` for a packet
    /// without a timestamp (it takes the meter's clock). A packet that cannot be parsed is counted
    /// under its reason in `counters`, not thrown.
    #[napi(
        catch_unwind,
        ts_args_type = "data: Uint8Array, tsNs: bigint | null, options?: FrameOptions",
        ts_return_type = "FlowRecord[]"
    )]
    pub fn process(
        &mut self,
        env: &Env,
        data: Unknown<'_>,
        ts_ns: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<JsRecords> {
        let data = convert::bytes(env, &data, "data")?;
        let ts = match ts_ns.get_type()? {
            napi::ValueType::Null => Timestamp::Missing,
            napi::ValueType::BigInt => Timestamp::Ns(convert::u64_bigint(env, &ts_ns, "tsNs")?),
            _ => return Err(error::type_error(env, "tsNs must be a bigint or null")),
        };
        let o = Options::new(env, options.as_ref(), "options", Some(&FRAME_KEYS[..]))?;
        let shared = shared_from_js(env, &o)?;
        let orig_len = o.read(env, "origLen", convert::u32_num)?;
        let meter = self.inner.as_mut().ok_or_else(|| error::closed(env))?;
        let out = &mut self.out;
        out.clear();
        let frame = Frame {
            ts,
            link: shared.link,
            orig_len: orig_len.unwrap_or(data.len().min(u32::MAX as usize) as u32),
            data,
            observation_point: shared.observation_point,
            direction: shared.direction,
            action: shared.action,
        };
        // A skipped packet is counted by the core; the reason is not an error.
        let _ = meter.process(&frame, &mut |r: &Record| out.push(*r));
        Ok(to_js(out))
    }

    /// Meter many packets held in one buffer, in order, without copying any: packet `i` is
    /// `buffer.subarray(offsets[i], offsets[i] + lengths[i])` captured at `timestamps[i]` ns. The
    /// arrays must have the same length and every packet must lie inside `buffer`; both are
    /// checked before the first packet is metered, so a bad batch changes nothing. Returns the
    /// records the batch finished.
    #[napi(
        catch_unwind,
        ts_args_type = "buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, timestamps: BigUint64Array, options?: BatchOptions",
        ts_return_type = "FlowRecord[]"
    )]
    pub fn process_batch(
        &mut self,
        env: &Env,
        buffer: Unknown<'_>,
        offsets: Unknown<'_>,
        lengths: Unknown<'_>,
        timestamps: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<JsRecords> {
        let buffer = convert::bytes(env, &buffer, "buffer")?;
        let offsets = convert::u32_array(env, &offsets, "offsets")?;
        let lengths = convert::u32_array(env, &lengths, "lengths")?;
        let timestamps = convert::u64_array(env, &timestamps, "timestamps")?;
        let o = Options::new(env, options.as_ref(), "options", Some(&BATCH_KEYS[..]))?;
        let shared = shared_from_js(env, &o)?;
        let orig_lens = o.read(env, "origLens", convert::u32_array)?;
        let packets = PacketView::new(PacketColumns {
            data: buffer,
            offsets,
            lengths,
            timestamps,
            orig_lens,
            link: shared.link,
            observation_point: shared.observation_point,
            direction: shared.direction,
            action: shared.action,
        })
        .map_err(|e| error::range_error(env, &e.to_string()))?;
        let meter = self.inner.as_mut().ok_or_else(|| error::closed(env))?;
        let out = &mut self.out;
        out.clear();
        // Skipped packets are counted under their reasons; they are not errors.
        meter.process_frames(&packets, &mut |r: &Record| out.push(*r));
        Ok(to_js(out))
    }

    /// Emit every flow still in the table (end of input); the meter stays usable.
    #[napi(catch_unwind, ts_return_type = "FlowRecord[]")]
    pub fn flush(&mut self, env: &Env) -> Result<JsRecords> {
        let meter = self.inner.as_mut().ok_or_else(|| error::closed(env))?;
        let out = &mut self.out;
        out.clear();
        meter.flush(&mut |r: &Record| out.push(*r));
        Ok(to_js(out))
    }

    /// Every counter so far, as bigints.
    #[napi(getter)]
    pub fn counters(&self, env: &Env) -> Result<Counters> {
        let meter = self.inner.as_ref().ok_or_else(|| error::closed(env))?;
        Ok(Counters::from(meter.counters()))
    }

    /// Flows in the session table now.
    #[napi(getter)]
    pub fn active_flows(&self, env: &Env) -> Result<u32> {
        let meter = self.inner.as_ref().ok_or_else(|| error::closed(env))?;
        Ok(meter.active_flows())
    }

    /// Start of the capture window being filled, in ns since the epoch (a bigint); `null` before
    /// the first packet. A packet at or after its end (start + `windowSecs`) closes it.
    #[napi(getter)]
    pub fn window_start_ns(&self, env: &Env) -> Result<Option<u64>> {
        let meter = self.inner.as_ref().ok_or_else(|| error::closed(env))?;
        Ok(meter.window_start_ns())
    }

    /// Heap bytes the meter holds (session table, index, fragment table).
    #[napi(getter)]
    pub fn heap_bytes(&self, env: &Env) -> Result<f64> {
        let meter = self.inner.as_ref().ok_or_else(|| error::closed(env))?;
        Ok(meter.heap_bytes() as f64)
    }

    /// Whether `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.inner.is_none()
    }

    /// Free the meter's tables now rather than at garbage collection. Flows still in the table
    /// are dropped (call `flush()` first to keep them). Every later call throws
    /// `ERR_FLOWLOG_CLOSED`; closing twice is allowed.
    #[napi]
    pub fn close(&mut self) {
        self.inner = None;
        self.out = Vec::new();
    }
}

/// Meter a whole pcap or pcapng file and return its records (flushed at the end of the file).
/// Each interface of the file is its own observation point. A damaged file throws an error with
/// the code of the damage (`ERR_FLOWLOG_CAPTURE_TRUNCATED`, ...), a message naming the file and
/// byte offset, and `err.records` (the records of every packet before the damage, flushed),
/// `err.counters` and `err.offset`.
#[napi(catch_unwind, ts_args_type = "path: string, options?: MeterOptions", ts_return_type = "FlowRecord[]")]
pub fn read_pcap(env: &Env, path: Unknown<'_>, options: Option<Unknown<'_>>) -> Result<JsRecords> {
    let path = convert::string(env, &path, "path")?;
    let config = config_from_js(env, options.as_ref())?;
    let mut meter = flowlog_core::Meter::new(config).map_err(|e| error::core(env, e))?;
    let mut records: Vec<Record> = Vec::new();
    let mut sink = |r: &Record| records.push(*r);
    let failure = match CaptureReader::open(std::path::Path::new(&path)) {
        // A meter that has seen no packet has nothing to flush.
        Err(e) => Some(e),
        Ok(reader) => MeteredCapture::new(reader).meter_to_end(&mut meter, &mut sink).err(),
    };
    match failure {
        None => Ok(to_js(&records)),
        Some(e) => Err(error::core_with(env, &path, e, |err| {
            err.set("records", to_js(&records))?;
            err.set("counters", Counters::from(meter.counters()))?;
            err.set("offset", e.offset as f64)
        })),
    }
}

/// Packets metered by one `PcapRecords.next()` call at most, when records are slow to come.
const PCAP_RECORDS_CHUNK: usize = 4096;

/// The records of a capture file, metered through a meter of their own and handed out as they
/// come: what `readPcap` returns, a part at a time, for a file too large to hold all its records.
/// The file is read, never memory-mapped, so a file another process truncates while it is read
/// throws `ERR_FLOWLOG_CAPTURE_TRUNCATED` or ends cleanly, never kills the process with `SIGBUS`.
#[napi]
pub struct PcapRecords {
    path: String,
    /// `None` once the file has ended or failed (and the meter was flushed), or after `close()`.
    capture: Option<MeteredCapture<std::fs::File>>,
    /// `None` after `close()`.
    meter: Option<flowlog_core::Meter>,
    /// Records metered and not yet handed out.
    pending: Vec<Record>,
    /// The file's damage, thrown once every record before it is handed out.
    damage: Option<flowlog_core::capture::CaptureError>,
}

#[napi]
impl PcapRecords {
    /// Open a pcap or pcapng file to meter it (`options` as for `Meter`). Throws as `readPcap`
    /// does for a file that cannot be opened or is not a capture, and for bad options.
    #[napi(constructor, catch_unwind, ts_args_type = "path: string, options?: MeterOptions")]
    pub fn new(env: &Env, path: Unknown<'_>, options: Option<Unknown<'_>>) -> Result<Self> {
        let path = convert::string(env, &path, "path")?;
        let config = config_from_js(env, options.as_ref())?;
        let meter = flowlog_core::Meter::new(config).map_err(|e| error::core(env, e))?;
        let reader = CaptureReader::open(std::path::Path::new(&path))
            .map_err(|e| error::core_with(env, &path, e, |err| err.set("offset", e.offset as f64)))?;
        Ok(PcapRecords {
            path,
            capture: Some(MeteredCapture::new(reader)),
            meter: Some(meter),
            pending: Vec::new(),
            damage: None,
        })
    }

    /// The next records of the file, oldest first, metering as much of it as that takes (and
    /// flushing at its end); an empty array only at the end. A damaged file first gives the
    /// records of every packet before the damage, then the call throws as `readPcap` does (code,
    /// message naming the file and byte offset, `err.offset`), and every later call throws again.
    #[napi(catch_unwind, ts_return_type = "FlowRecord[]")]
    pub fn next(&mut self, env: &Env) -> Result<JsRecords> {
        let meter = self.meter.as_mut().ok_or_else(|| error::closed(env))?;
        self.pending.clear();
        while let Some(capture) = self.capture.as_mut() {
            let pending = &mut self.pending;
            let mut sink = |r: &Record| pending.push(*r);
            // At the end or the damage the meter is flushed: the records of every packet before the
            // damage come out first (SPEC §6).
            if let Part::Ended(result) = capture.meter_part(meter, &mut sink, PCAP_RECORDS_CHUNK) {
                self.damage = result.err();
                self.capture = None;
            }
            if !self.pending.is_empty() {
                break;
            }
        }
        match self.damage {
            Some(e) if self.pending.is_empty() => {
                Err(error::core_with(env, &self.path, e, |err| err.set("offset", e.offset as f64)))
            }
            _ => Ok(to_js(&self.pending)),
        }
    }

    /// The counters of the meter the file goes through, so far, as bigints.
    #[napi(getter)]
    pub fn counters(&self, env: &Env) -> Result<Counters> {
        let meter = self.meter.as_ref().ok_or_else(|| error::closed(env))?;
        Ok(Counters::from(meter.counters()))
    }

    /// Close the file and free the meter now rather than at garbage collection; every later call
    /// throws `ERR_FLOWLOG_CLOSED`. Closing twice is allowed.
    #[napi]
    pub fn close(&mut self) {
        self.capture = None;
        self.meter = None;
        self.pending = Vec::new();
    }
}

/// Write records in one of the core's formats, header line included: `'jsonl'` (JSON lines,
/// lossless), `'sls'` (Alibaba Simple Log Service), `'aws'` (AWS VPC flow-log text; `fields`
/// picks a custom `${field}` list) or `'csv'`.
#[napi(
    catch_unwind,
    ts_args_type = "records: FlowRecord[], format: 'jsonl' | 'sls' | 'aws' | 'csv', fields?: string",
    ts_return_type = "string"
)]
pub fn format_records(
    env: &Env,
    records: Unknown<'_>,
    format: Unknown<'_>,
    fields: Option<Unknown<'_>>,
) -> Result<String> {
    if !records.is_array().unwrap_or(false) {
        return Err(error::type_error(env, "records must be an Array of records"));
    }
    // SAFETY: `records` is an array (checked above).
    let array = unsafe { records.cast::<napi::bindgen_prelude::Array<'_>>() }?;
    let name = convert::string(env, &format, "format")?;
    let kind = FormatKind::from_name(&name).ok_or_else(|| {
        error::core(env, ConfigError::new(ConfigField::Format, "must be 'jsonl', 'sls', 'aws' or 'csv'"))
    })?;
    let fields = match fields.as_ref().filter(|v| !convert::is_nullish(v)) {
        Some(v) => Some(convert::string(env, v, "fields")?),
        None => None,
    };
    let formatter = match (kind, fields) {
        (_, None) => Formatter::new(kind),
        (FormatKind::Aws, Some(spec)) => {
            Formatter::aws_with_fields(&spec).map_err(|e| error::core(env, e))?
        }
        (_, Some(_)) => {
            return Err(error::core(
                env,
                ConfigError::new(ConfigField::Fields, "a field list needs the 'aws' format"),
            ))
        }
    };
    let mut line = [0u8; Formatter::MAX_RECORD_LEN];
    let mut text: Vec<u8> = Vec::new();
    let n = formatter.write_header(&mut line).map_err(|e| error::core(env, e))?;
    text.extend_from_slice(line.get(..n).unwrap_or_default());
    for i in 0..array.len() {
        let v: Unknown<'_> =
            array.get(i)?.ok_or_else(|| error::type_error(env, &format!("records[{i}] is missing")))?;
        let record = record_from_js(env, &v, &format!("records[{i}]"))?;
        let n = formatter.write_record(&record, &mut line).map_err(|e| error::core(env, e))?;
        text.extend_from_slice(line.get(..n).unwrap_or_default());
    }
    String::from_utf8(text).map_err(|_| error::type_error(env, "a record wrote text that is not UTF-8"))
}

/// The `error.code` of every core error kind, in the core's number order (kind 1 first), for
/// programs that switch on codes.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    flowlog_core::ErrorKind::ALL.iter().map(|&k| error::code(k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The object's fields, as `Debug` lists them (napi turns them into camel case), are the
    /// core's counter names in the core's order, each with the core's value of that name.
    #[test]
    fn counters_are_the_core_counters_by_name_and_order() {
        let values: [u64; flowlog_core::Counters::LEN] = core::array::from_fn(|i| i as u64 + 1);
        let debug = format!("{:?}", Counters::from(&flowlog_core::Counters::from_values(values)));
        let fields: Vec<(&str, u64)> = debug
            .trim_start_matches("Counters { ")
            .trim_end_matches(" }")
            .split(", ")
            .map(|f| f.split_once(": ").map(|(n, v)| (n, v.parse().unwrap())).unwrap())
            .collect();
        assert_eq!(fields, flowlog_core::Counters::NAMES.into_iter().zip(values).collect::<Vec<_>>());
    }
}
