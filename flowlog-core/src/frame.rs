//! One captured packet as the meter takes it: its bytes, its time, its link type, and where it
//! was seen and what was decided about it (observation point, direction, action).
//!
//! Below the parser, the flow key, the capture reader and the meter, which all speak of frames.

use crate::window::Timestamp;

/// One captured packet and where it was seen.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Capture time.
    pub ts: Timestamp,
    /// Link type of the capture interface.
    pub link: LinkType,
    /// Length on the wire (may exceed `data.len()` when the capture was cut at a snaplen).
    pub orig_len: u32,
    /// The captured bytes (`caplen` of them).
    pub data: &'a [u8],
    /// Interface index or ENI the packet was seen on.
    pub observation_point: u32,
    /// Direction relative to the ENI, when the collector knows it.
    pub direction: Direction,
    /// The verdict, when the collector knows it (default accept).
    pub action: Action,
}

impl<'a> Frame<'a> {
    /// No bytes, time 0: a placeholder for arrays of frames filled later (see
    /// [`CaptureReader::next_frames`](crate::capture::CaptureReader::next_frames)).
    pub const EMPTY: Frame<'static> = Frame {
        ts: Timestamp::Ns(0),
        link: LinkType(0),
        orig_len: 0,
        data: &[],
        observation_point: 0,
        direction: Direction::Unknown,
        action: Action::Accept,
    };

    /// A frame with its wire length equal to the captured length, observation point 0, direction
    /// unknown, action accept.
    pub fn new(ts_ns: u64, link: LinkType, data: &'a [u8]) -> Frame<'a> {
        Frame {
            ts: Timestamp::Ns(ts_ns),
            link,
            orig_len: data.len().min(u32::MAX as usize) as u32,
            data,
            observation_point: 0,
            direction: Direction::Unknown,
            action: Action::Accept,
        }
    }
}

/// A pcap/pcapng link type (LINKTYPE_* registry value). Open: unknown values survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback: 4-byte address family in host byte order.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II / IEEE 802.3.
    pub const ETHERNET: LinkType = LinkType(1);
    /// PPP (RFC 1661), protocol field first.
    pub const PPP: LinkType = LinkType(9);
    /// Raw IP on some BSDs (legacy DLT_RAW value).
    pub const RAW_LEGACY_12: LinkType = LinkType(12);
    /// Raw IP on some BSDs (legacy DLT_RAW value).
    pub const RAW_LEGACY_14: LinkType = LinkType(14);
    /// PPP in HDLC-like framing (RFC 1662).
    pub const PPP_HDLC: LinkType = LinkType(50);
    /// Raw IP.
    pub const RAW: LinkType = LinkType(101);
    /// Cisco HDLC.
    pub const C_HDLC: LinkType = LinkType(104);
    /// IEEE 802.11 without radio header.
    pub const IEEE802_11: LinkType = LinkType(105);
    /// OpenBSD loopback: address family in network byte order.
    pub const LOOP: LinkType = LinkType(108);
    /// Linux cooked capture v1.
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// IEEE 802.11 with radiotap header.
    pub const IEEE802_11_RADIOTAP: LinkType = LinkType(127);
    /// Raw IPv4.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2.
    pub const LINUX_SLL2: LinkType = LinkType(276);
}

/// Which way a packet crossed its observation point, relative to the ENI (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum Direction {
    /// Not known (no topology): written `-`.
    #[default]
    Unknown = 0,
    /// Received by the ENI.
    In = 1,
    /// Sent by the ENI.
    Out = 2,
}

impl Direction {
    /// `in`, `out` or `-`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Unknown => "-",
            Direction::In => "in",
            Direction::Out => "out",
        }
    }

    pub(crate) fn from_bits(b: u8) -> Direction {
        match b & 3 {
            1 => Direction::In,
            2 => Direction::Out,
            _ => Direction::Unknown,
        }
    }
}

/// The verdict on a packet: whether security groups and network ACLs let it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum Action {
    /// Allowed (the default for a passive capture).
    #[default]
    Accept = 0,
    /// Dropped.
    Reject = 1,
}

impl Action {
    /// `ACCEPT` or `REJECT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "ACCEPT",
            Action::Reject => "REJECT",
        }
    }
}
