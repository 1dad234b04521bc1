//! The flow-log record (SPEC §5): one per flow key per capture window.

use crate::key::FlowKey;
use crate::protocol::{tcp_flags, TCP};
use crate::window::NS_PER_SEC;

/// Why a record was emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EndReason {
    /// Its capture window closed (rollover).
    Window = 0,
    /// The session table was full and this was the least recently updated flow (SPEC §3).
    Evicted = 1,
    /// `flush()` at the end of input.
    Flush = 2,
    /// Its packet count reached 2^32 − 1 within one window; the flow goes on in a new record.
    PacketLimit = 3,
}

impl EndReason {
    /// `window`, `evicted`, `flush` or `packet_limit`.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Window => "window",
            EndReason::Evicted => "evicted",
            EndReason::Flush => "flush",
            EndReason::PacketLimit => "packet_limit",
        }
    }
}

/// Whether a record carries traffic (SPEC §5 `log-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum LogStatus {
    /// Traffic was recorded.
    Ok = 0,
    /// No traffic in the window.
    NoData = 1,
    /// Records were skipped.
    SkipData = 2,
}

impl LogStatus {
    /// `OK`, `NODATA` or `SKIPDATA`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogStatus::Ok => "OK",
            LogStatus::NoData => "NODATA",
            LogStatus::SkipData => "SKIPDATA",
        }
    }
}

/// The TCP flags that end a connection: FIN or RST.
pub const TCP_FIN_OR_RST: u16 = tcp_flags::FIN | tcp_flags::RST;

/// One flow-log record. `Copy`; text fields the engine does not know (account, VPC, ENI ids)
/// are written `-` by the text formats and left out of JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// The flow: addresses, ports, protocol, observation point, direction, action.
    pub key: FlowKey,
    /// Packets in this record.
    pub packets: u64,
    /// Bytes in this record, by the configured accounting.
    pub bytes: u64,
    /// Earliest packet time (ns since the epoch; late packets count with their clamped time).
    pub start_ns: u64,
    /// Latest packet time (ns since the epoch).
    pub end_ns: u64,
    /// OR of the TCP flags of its packets: bits 0–7 the flags byte, bit 8 NS.
    pub tcp_flags: u16,
    /// Whether one packet of the record carried SYN and ACK together. AWS reports ACK only in that
    /// case, packet by packet, which the OR in `tcp_flags` cannot tell.
    pub tcp_syn_ack: bool,
    /// Whether `icmp_type`/`icmp_code` are set (ICMP and ICMPv6 records).
    pub has_icmp: bool,
    /// ICMP type of the record's first packet.
    pub icmp_type: u8,
    /// ICMP code of the record's first packet.
    pub icmp_code: u8,
    /// Start of the capture window, seconds since the epoch.
    pub window_start_secs: u64,
    /// Length of the capture window in seconds.
    pub window_secs: u64,
    /// Why it was emitted.
    pub end_reason: EndReason,
    /// `OK` for every record the engine emits from traffic.
    pub log_status: LogStatus,
}

impl Record {
    /// Whether a TCP FIN or RST was seen in this record.
    #[inline]
    pub fn closed(&self) -> bool {
        self.key.protocol == TCP && self.tcp_flags & TCP_FIN_OR_RST != 0
    }

    /// `start` in floor seconds.
    #[inline]
    pub fn start_secs(&self) -> u64 {
        self.start_ns / NS_PER_SEC
    }

    /// `end` in floor seconds.
    #[inline]
    pub fn end_secs(&self) -> u64 {
        self.end_ns / NS_PER_SEC
    }

    /// End of the capture window, seconds since the epoch.
    #[inline]
    pub fn window_end_secs(&self) -> u64 {
        self.window_start_secs.saturating_add(self.window_secs)
    }

    /// `end` as the Alibaba dialect writes it (SPEC §4): the FIN/RST time for a TCP connection
    /// that closed in the window, else the window end for a connection still open.
    ///
    /// The table keeps no separate FIN timestamp, so a closed connection's end is its latest packet
    /// time: after a FIN or RST, a direction carries at most the final ACKs.
    pub fn alibaba_end_secs(&self) -> u64 {
        if self.closed() {
            self.end_secs()
        } else {
            self.window_end_secs()
        }
    }
}
