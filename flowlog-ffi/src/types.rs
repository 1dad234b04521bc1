//! The plain C structs and enums of the ABI and their conversions to and from the core's types.
//! Conversions only: every value the core accepts passes through unchanged, every enum read from
//! C memory is a `uint8_t`/`uint32_t` checked before use (an invalid Rust enum would be UB).

use flowlog_core::{
    Accounting, Action, Config, ConfigError, ConfigField, Counters, Decap, Direction, Dissected, EndReason,
    FlowKey, Frame, LinkType, LogStatus, PortList, Record, Skip, Timestamp, TunnelPorts,
};

use crate::error::Failure;

/// How a packet's capture time is given (`flowlog_packet.ts_kind`, `flowlog_frame.ts_kind`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogTsKind {
    /// `ts_ns` holds nanoseconds since the Unix epoch.
    Ns = 0,
    /// No timestamp (a pcapng simple packet block): the packet takes the meter's clock.
    Missing = 1,
    /// A timestamp beyond u64 nanoseconds (after 2554): takes the meter's clock and is counted in
    /// `bad_timestamp`.
    OutOfRange = 2,
}

/// Which way a packet crossed its observation point (`direction` fields).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogDirection {
    /// Not known (written `-`).
    Unknown = 0,
    /// Received by the ENI.
    In = 1,
    /// Sent by the ENI.
    Out = 2,
}

/// The verdict on a packet (`action` fields).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogAction {
    /// Allowed (default).
    Accept = 0,
    /// Dropped.
    Reject = 1,
}

/// Why a record was emitted (`flowlog_record.end_reason`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogEndReason {
    /// Its capture window closed.
    Window = 0,
    /// The session table was full and this flow was the least recently updated.
    Evicted = 1,
    /// `flowlog_meter_flush`.
    Flush = 2,
    /// Its packet count reached 2^32 - 1 in one window; the flow goes on in a new record.
    PacketLimit = 3,
}

/// `flowlog_record.log_status`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogLogStatus {
    /// Traffic was recorded.
    Ok = 0,
    /// No traffic in the window.
    NoData = 1,
    /// Records were skipped.
    SkipData = 2,
}

/// `flowlog_config.decap`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogDecap {
    /// Key tunnelled packets on the innermost usable IP header (default).
    All = 0,
    /// Key on the outermost IP header.
    None = 1,
}

/// `flowlog_config.accounting`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogAccounting {
    /// Count the keyed IP packet's length field (default).
    Ip = 0,
    /// Count the frame's wire length.
    L2 = 1,
}

/// Why `flowlog_meter_process` did not meter a packet. Not an error: the packet is counted in the
/// counter of the same name.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogSkip {
    /// The packet was metered.
    None = 0,
    /// The link type is not one flowlog decodes (`unsupported_link`).
    UnsupportedLink = 1,
    /// The link-layer or shim headers are cut off before an IP header (`truncated_l2`).
    TruncatedL2 = 2,
    /// The frame carries no IP (`non_ip`).
    NonIp = 3,
    /// The only IP header is unusable (`bad_ip_header`).
    BadIpHeader = 4,
}

impl From<Skip> for FlowlogSkip {
    fn from(s: Skip) -> FlowlogSkip {
        match s {
            Skip::UnsupportedLink => FlowlogSkip::UnsupportedLink,
            Skip::TruncatedL2 => FlowlogSkip::TruncatedL2,
            Skip::NonIp => FlowlogSkip::NonIp,
            Skip::BadIpHeader => FlowlogSkip::BadIpHeader,
        }
    }
}

/// The record formats of `flowlog_format_header` / `flowlog_format_records`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowlogFormat {
    /// JSON lines with Alibaba key names: the lossless format. No header.
    Jsonl = 0,
    /// Alibaba Simple Log Service records (JSON, every value a string). No header.
    Sls = 1,
    /// AWS VPC flow-log text, default version 2 fields. Header: the field names.
    Aws = 2,
    /// Comma-separated values. Header: the column names.
    Csv = 3,
}

/// How many ports one tunnel port list holds.
pub const FLOWLOG_MAX_PORTS: usize = 8;
const _: () = assert!(FLOWLOG_MAX_PORTS == PortList::CAPACITY);

/// A list of UDP ports: the first `len` entries of `ports` count.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowlogPortList {
    /// The ports.
    pub ports: [u16; FLOWLOG_MAX_PORTS],
    /// How many of `ports` are used (at most `FLOWLOG_MAX_PORTS`).
    pub len: u32,
}

/// UDP ports that mark each tunnel, by destination port (Teredo: either port).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowlogTunnelPorts {
    /// VXLAN (default 4789, 8472).
    pub vxlan: FlowlogPortList,
    /// Geneve (default 6081).
    pub geneve: FlowlogPortList,
    /// GTP-U (default 2152).
    pub gtp_u: FlowlogPortList,
    /// Teredo (default 3544).
    pub teredo: FlowlogPortList,
    /// MPLS over UDP (default 6635).
    pub mpls_udp: FlowlogPortList,
    /// GRE over UDP (default 4754).
    pub gre_udp: FlowlogPortList,
}

/// A meter's configuration. Fill it with `flowlog_config_default`, then change fields.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowlogConfig {
    /// Capture window in seconds (1 ..= 3162240000). Default 600.
    pub window_secs: u64,
    /// Seed of the session table's hash, used when `use_hash_seed` is true; otherwise each meter
    /// draws a random one. Output never depends on it.
    pub hash_seed: u64,
    /// Session-table capacity in flows (1 ..= 2^28), reserved at construction. Default 65536.
    pub max_flows: u32,
    /// First-fragment table capacity (1 ..= 2^28). Default 4096.
    pub max_fragments: u32,
    /// A `flowlog_decap` value. Default `FLOWLOG_DECAP_ALL`.
    pub decap: u32,
    /// A `flowlog_accounting` value. Default `FLOWLOG_ACCOUNTING_IP`.
    pub accounting: u32,
    /// Write ICMP type * 256 + code into the destination port. Default false.
    pub icmp_in_ports: bool,
    /// Add the innermost VLAN id to the flow key. Default false.
    pub key_vlan: bool,
    /// Add the innermost tunnel id to the flow key. Default false.
    pub key_tunnel: bool,
    /// Use `hash_seed` instead of a random seed. Default false.
    pub use_hash_seed: bool,
    /// UDP tunnel ports.
    pub tunnel_ports: FlowlogTunnelPorts,
}

fn ports_to_c(l: &PortList) -> FlowlogPortList {
    let mut c = FlowlogPortList { ports: [0; FLOWLOG_MAX_PORTS], len: l.as_slice().len() as u32 };
    c.ports[..l.as_slice().len()].copy_from_slice(l.as_slice());
    c
}

fn ports_from_c(c: &FlowlogPortList) -> Result<PortList, Failure> {
    let bad = ConfigError::new(ConfigField::TunnelPorts, "a port list holds at most 8 ports");
    let ports = c.ports.get(..c.len as usize).ok_or(bad)?;
    PortList::new(ports).ok_or(Failure::from(bad))
}

impl From<&Config> for FlowlogConfig {
    fn from(c: &Config) -> FlowlogConfig {
        let t = &c.tunnel_ports;
        FlowlogConfig {
            window_secs: c.window_secs,
            hash_seed: c.hash_seed.unwrap_or(0),
            max_flows: c.max_flows,
            max_fragments: c.max_fragments,
            decap: match c.decap {
                Decap::All => FlowlogDecap::All as u32,
                Decap::None => FlowlogDecap::None as u32,
            },
            accounting: match c.accounting {
                Accounting::Ip => FlowlogAccounting::Ip as u32,
                Accounting::L2 => FlowlogAccounting::L2 as u32,
            },
            icmp_in_ports: c.icmp_in_ports,
            key_vlan: c.key_vlan,
            key_tunnel: c.key_tunnel,
            use_hash_seed: c.hash_seed.is_some(),
            tunnel_ports: FlowlogTunnelPorts {
                vxlan: ports_to_c(&t.vxlan),
                geneve: ports_to_c(&t.geneve),
                gtp_u: ports_to_c(&t.gtp_u),
                teredo: ports_to_c(&t.teredo),
                mpls_udp: ports_to_c(&t.mpls_udp),
                gre_udp: ports_to_c(&t.gre_udp),
            },
        }
    }
}

impl FlowlogConfig {
    /// The core configuration; an unknown `decap`/`accounting` value or an over-long port list is
    /// a core [`ConfigError`] on that field, like every other bad option. Ranges are checked by
    /// the core (`Meter::new`).
    pub(crate) fn core(&self) -> Result<Config, Failure> {
        let decap = match self.decap {
            0 => Decap::All,
            1 => Decap::None,
            _ => {
                return Err(ConfigError::new(
                    ConfigField::Decap,
                    "must be FLOWLOG_DECAP_ALL or FLOWLOG_DECAP_NONE",
                )
                .into())
            }
        };
        let accounting = match self.accounting {
            0 => Accounting::Ip,
            1 => Accounting::L2,
            _ => {
                return Err(ConfigError::new(
                    ConfigField::Accounting,
                    "must be FLOWLOG_ACCOUNTING_IP or FLOWLOG_ACCOUNTING_L2",
                )
                .into())
            }
        };
        let t = &self.tunnel_ports;
        Ok(Config {
            window_secs: self.window_secs,
            max_flows: self.max_flows,
            max_fragments: self.max_fragments,
            decap,
            accounting,
            icmp_in_ports: self.icmp_in_ports,
            key_vlan: self.key_vlan,
            key_tunnel: self.key_tunnel,
            tunnel_ports: TunnelPorts {
                vxlan: ports_from_c(&t.vxlan)?,
                geneve: ports_from_c(&t.geneve)?,
                gtp_u: ports_from_c(&t.gtp_u)?,
                teredo: ports_from_c(&t.teredo)?,
                mpls_udp: ports_from_c(&t.mpls_udp)?,
                gre_udp: ports_from_c(&t.gre_udp)?,
            },
            hash_seed: if self.use_hash_seed { Some(self.hash_seed) } else { None },
        })
    }
}

/// One packet of a batch: where its bytes are in the batch buffer, and how it was captured.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowlogPacket {
    /// Offset of the captured bytes in the buffer.
    pub offset: usize,
    /// Capture time in ns since the epoch (read when `ts_kind` is `FLOWLOG_TS_KIND_NS`).
    pub ts_ns: u64,
    /// Captured bytes (`offset + len` must not exceed the buffer length).
    pub len: u32,
    /// Length on the wire (may exceed `len` when the capture was cut at a snaplen).
    pub orig_len: u32,
    /// Link type (LINKTYPE_* value: 1 Ethernet, 101 raw IP, ...).
    pub link_type: u32,
    /// Interface index or ENI the packet was seen on.
    pub observation_point: u32,
    /// A `flowlog_ts_kind` value.
    pub ts_kind: u8,
    /// A `flowlog_direction` value.
    pub direction: u8,
    /// A `flowlog_action` value.
    pub action: u8,
    /// Zero.
    pub reserved: [u8; 5],
}

impl FlowlogPacket {
    /// The core frame over `buf`; `Err` names the bad field.
    #[inline]
    pub(crate) fn frame<'a>(&self, buf: &'a [u8]) -> Result<Frame<'a>, &'static str> {
        let data = self
            .offset
            .checked_add(self.len as usize)
            .and_then(|end| buf.get(self.offset..end))
            .ok_or("packet bytes (offset + len) lie beyond the buffer")?;
        let ts = match self.ts_kind {
            0 => Timestamp::Ns(self.ts_ns),
            1 => Timestamp::Missing,
            2 => Timestamp::OutOfRange,
            _ => return Err("ts_kind is not a flowlog_ts_kind value"),
        };
        Ok(Frame {
            ts,
            link: LinkType(self.link_type),
            orig_len: self.orig_len,
            data,
            observation_point: self.observation_point,
            direction: direction_from_c(self.direction)
                .ok_or("direction is not a flowlog_direction value")?,
            action: action_from_c(self.action).ok_or("action is not a flowlog_action value")?,
        })
    }
}

fn direction_from_c(v: u8) -> Option<Direction> {
    match v {
        0 => Some(Direction::Unknown),
        1 => Some(Direction::In),
        2 => Some(Direction::Out),
        _ => None,
    }
}

fn action_from_c(v: u8) -> Option<Action> {
    match v {
        0 => Some(Action::Accept),
        1 => Some(Action::Reject),
        _ => None,
    }
}

/// One flow-log record (SPEC §5). Plain data: copy it, keep it, pass it back to
/// `flowlog_format_records`. Enum fields hold the values of the enum named in their comment.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowlogRecord {
    /// Source address: IPv4 in the first 4 bytes (rest zero), or IPv6.
    pub src_addr: [u8; 16],
    /// Destination address, as `src_addr`.
    pub dst_addr: [u8; 16],
    /// Packets in this record.
    pub packets: u64,
    /// Bytes in this record, by the configured accounting.
    pub bytes: u64,
    /// Earliest packet time, ns since the epoch.
    pub start_ns: u64,
    /// Latest packet time, ns since the epoch.
    pub end_ns: u64,
    /// Start of the capture window, seconds since the epoch.
    pub window_start: u64,
    /// Length of the capture window in seconds.
    pub window_secs: u64,
    /// Interface index or ENI.
    pub observation_point: u32,
    /// Tunnel id when `key_tunnel` is on, else 0.
    pub tunnel_id: u32,
    /// Source port (0 when none).
    pub src_port: u16,
    /// Destination port (0 when none).
    pub dst_port: u16,
    /// VLAN id when `key_vlan` is on, else 0.
    pub vlan: u16,
    /// OR of the TCP flags: bits 0-7 the flags byte, bit 8 NS.
    pub tcp_flags: u16,
    /// IP protocol number.
    pub protocol: u8,
    /// 4 or 6.
    pub ip_version: u8,
    /// A `flowlog_direction` value.
    pub direction: u8,
    /// A `flowlog_action` value.
    pub action: u8,
    /// A `flowlog_end_reason` value.
    pub end_reason: u8,
    /// A `flowlog_log_status` value.
    pub log_status: u8,
    /// ICMP type of the first packet (when `has_icmp`).
    pub icmp_type: u8,
    /// ICMP code of the first packet (when `has_icmp`).
    pub icmp_code: u8,
    /// One packet carried SYN and ACK together.
    pub tcp_syn_ack: bool,
    /// `icmp_type`/`icmp_code` are set.
    pub has_icmp: bool,
    /// Zero.
    pub reserved: [u8; 6],
}

impl From<&Record> for FlowlogRecord {
    #[inline]
    fn from(r: &Record) -> FlowlogRecord {
        let k = &r.key;
        FlowlogRecord {
            src_addr: k.src,
            dst_addr: k.dst,
            packets: r.packets,
            bytes: r.bytes,
            start_ns: r.start_ns,
            end_ns: r.end_ns,
            window_start: r.window_start_secs,
            window_secs: r.window_secs,
            observation_point: k.observation_point,
            tunnel_id: k.tunnel_id,
            src_port: k.src_port,
            dst_port: k.dst_port,
            vlan: k.vlan,
            tcp_flags: r.tcp_flags,
            protocol: k.protocol,
            ip_version: k.ip_version(),
            direction: k.direction() as u8,
            action: k.action() as u8,
            end_reason: r.end_reason as u8,
            log_status: r.log_status as u8,
            icmp_type: r.icmp_type,
            icmp_code: r.icmp_code,
            tcp_syn_ack: r.tcp_syn_ack,
            has_icmp: r.has_icmp,
            reserved: [0; 6],
        }
    }
}

impl FlowlogRecord {
    /// The core record; `Err` names the field that holds no valid value.
    pub(crate) fn core(&self) -> Result<Record, &'static str> {
        if self.ip_version != 4 && self.ip_version != 6 {
            return Err("record ip_version is not 4 or 6");
        }
        let direction =
            direction_from_c(self.direction).ok_or("record direction is not a flowlog_direction")?;
        let action = action_from_c(self.action).ok_or("record action is not a flowlog_action")?;
        let end_reason = match self.end_reason {
            0 => EndReason::Window,
            1 => EndReason::Evicted,
            2 => EndReason::Flush,
            3 => EndReason::PacketLimit,
            _ => return Err("record end_reason is not a flowlog_end_reason"),
        };
        let log_status = match self.log_status {
            0 => LogStatus::Ok,
            1 => LogStatus::NoData,
            2 => LogStatus::SkipData,
            _ => return Err("record log_status is not a flowlog_log_status"),
        };
        // The core's only key constructor takes a dissected packet; fill the fields it reads.
        let d = Dissected {
            ip_version: self.ip_version,
            src: self.src_addr,
            dst: self.dst_addr,
            protocol: self.protocol,
            src_port: self.src_port,
            dst_port: self.dst_port,
            vlan: self.vlan,
            tunnel_id: self.tunnel_id,
            ..Dissected::EMPTY
        };
        Ok(Record {
            key: FlowKey::new(&d, self.observation_point, direction, action, true, true),
            packets: self.packets,
            bytes: self.bytes,
            start_ns: self.start_ns,
            end_ns: self.end_ns,
            tcp_flags: self.tcp_flags,
            tcp_syn_ack: self.tcp_syn_ack,
            has_icmp: self.has_icmp,
            icmp_type: self.icmp_type,
            icmp_code: self.icmp_code,
            window_start_secs: self.window_start,
            window_secs: self.window_secs,
            end_reason,
            log_status,
        })
    }
}

/// What happened to every packet given to a meter, in the order (and with the names) of the
/// core's `Counters::NAMES`. `packets_in = metered + unsupported_link + truncated_l2 + non_ip +
/// bad_ip_header`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowlogCounters {
    /// Packets given to the meter.
    pub packets_in: u64,
    /// Packets that updated a flow.
    pub metered: u64,
    /// Skipped: link type not decoded.
    pub unsupported_link: u64,
    /// Skipped: link-layer headers cut off.
    pub truncated_l2: u64,
    /// Skipped: no IP.
    pub non_ip: u64,
    /// Skipped: unusable IP header.
    pub bad_ip_header: u64,
    /// Metered with fewer than 4 bytes of L4 header.
    pub truncated_l4: u64,
    /// Metered IPv6 packets whose extension chain did not fit.
    pub bad_ipv6_chain: u64,
    /// Metered non-first fragments without their first fragment.
    pub orphan_fragments: u64,
    /// Metered with an unusable IP length field.
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
    /// Packets in emitted records.
    pub record_packets: u64,
}

impl From<&Counters> for FlowlogCounters {
    fn from(c: &Counters) -> FlowlogCounters {
        FlowlogCounters {
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

impl FlowlogCounters {
    /// The values in field order (the C struct is 16 consecutive `uint64_t`).
    pub fn values(&self) -> [u64; 16] {
        [
            self.packets_in,
            self.metered,
            self.unsupported_link,
            self.truncated_l2,
            self.non_ip,
            self.bad_ip_header,
            self.truncated_l4,
            self.bad_ipv6_chain,
            self.orphan_fragments,
            self.bad_length,
            self.late_packets,
            self.bad_timestamp,
            self.evictions,
            self.rollovers,
            self.records,
            self.record_packets,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The struct's fields, as its `Debug` lists them, are the core's counter names in the core's
    /// order, and each carries the core's value of that name.
    #[test]
    fn counters_are_the_core_counters_by_name_and_order() {
        let values: [u64; Counters::LEN] = core::array::from_fn(|i| i as u64 + 1);
        let c = FlowlogCounters::from(&Counters::from_values(values));
        let debug = format!("{c:?}");
        let fields: Vec<(&str, u64)> = debug
            .trim_start_matches("FlowlogCounters { ")
            .trim_end_matches(" }")
            .split(", ")
            .map(|f| f.split_once(": ").map(|(n, v)| (n, v.parse().unwrap())).unwrap())
            .collect();
        assert_eq!(fields, Counters::NAMES.into_iter().zip(values).collect::<Vec<_>>());
        assert_eq!(c.values(), values);
    }

    #[test]
    fn default_config_survives_the_round_trip() {
        let c = Config { hash_seed: Some(7), ..Config::default() };
        assert_eq!(FlowlogConfig::from(&c).core().unwrap(), c);
    }

    #[test]
    fn record_round_trips_through_the_c_struct() {
        let d = Dissected {
            ip_version: 6,
            src: [1; 16],
            dst: [2; 16],
            protocol: 17,
            src_port: 5,
            dst_port: 6,
            vlan: 7,
            tunnel_id: 8,
            ..Dissected::EMPTY
        };
        let r = Record {
            key: FlowKey::new(&d, 9, Direction::Out, Action::Reject, true, true),
            packets: 10,
            bytes: 11,
            start_ns: 12,
            end_ns: 13,
            tcp_flags: 0x1ff,
            tcp_syn_ack: true,
            has_icmp: true,
            icmp_type: 14,
            icmp_code: 15,
            window_start_secs: 16,
            window_secs: 17,
            end_reason: EndReason::PacketLimit,
            log_status: LogStatus::SkipData,
        };
        assert_eq!(FlowlogRecord::from(&r).core(), Ok(r));
    }
}
