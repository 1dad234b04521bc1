//! From captured bytes to the fields that key a flow (SPEC §2).
//!
//! # Contract
//!
//! Any byte slice is accepted. Every read is bounds-checked against the captured bytes before it
//! happens, through fixed-size arrays (`bytes::<N>`) whose constant indices the compiler checks, so
//! no input panics and no `unsafe` is needed; every walk (shims, tunnels, IPv6 extension headers)
//! advances by at least one byte per step, so its cost is linear in the captured length. Nothing
//! allocates. Hand-written over `&[u8]` rather than built on a packet library because it runs
//! once per packet and must cost a few nanoseconds: no layer structs are materialised, only the
//! fields a flow key needs are read.
//!
//! # Advice for the next engineer: three tiers, one answer
//!
//! The meter calls one function, `Parser::packet`: a packet's flow key and what it adds to its
//! flow, or the [`Skip`] reason. Behind it three tiers read packets, fastest first. A tier either
//! takes a packet whole or declines it with no side effect, and the next tier takes it from the
//! start; whichever tier takes a packet, the answer is the walk's.
//!
//! 1. **Direct paths** (`direct.rs`): an Ethernet frame, untagged or with one 802.1Q/802.1ad tag
//!    → IPv4 without options or fragments, or IPv6 without extension headers → TCP with its flags
//!    captured, or UDP with its ports captured that is no tunnel; and, in decap mode `all`, such a
//!    packet in an untagged frame behind VXLAN over Ethernet/IPv4. Fixed offsets, one length check,
//!    the fields straight from registers into the key. Nearly all VPC traffic.
//! 2. **Fast path** (`fast.rs`): Ethernet with at most one tag → IPv4 with IHL 5, not a fragment,
//!    or IPv6 without extension headers → any L4 header (ICMP, SCTP, a cut header, ...), and the
//!    same inner shape behind VXLAN. Fills a [`Dissected`] in one pass without the walk's dispatch;
//!    when decap mode `all` finds another tunnel, it hands the walk the place to go on (`Resume`).
//! 3. **The walk** (`walk.rs`): every link type, shim and tunnel, one header per step (`Next`),
//!    IPv4 options, the IPv6 extension chain, fragments (`frag.rs`). It is the reference.
//!
//! Why three: the walk pays a dispatch per header, the fast path a summary written to memory and
//! read back; the direct paths pay neither, and the packets they take are most of the traffic.
//!
//! How they are held equal (`tests.rs`): each tier against the walk alone on generated traffic
//! (IPv4 and IPv6, VLAN tags, VXLAN, fragments, IMIX sizes) in every configuration it reads, on
//! hand-written frames of every shape it must decline, at every cut length, and in property tests
//! over damaged frames; the corpus tests then check the whole against independent expectations.
//!
//! To add a shim or a tunnel, teach the walk: a `Next` variant, a step in `shim.rs` or
//! `tunnel.rs`, and for a UDP tunnel its port list in [`crate::config::TunnelPorts`] and in
//! `udp_tunnels.rs`. The faster tiers then decline it by themselves: they take only the shapes
//! above, and a port of any tunnel list makes them hand the datagram on. Give a shape a faster
//! tier only when it is common, with its agreement tests beside the others.
//!
//! Byte accounting is not the parser's: it reports what the IP length field says
//! (`PacketStats::bytes`, [`Dissected::bytes`]) and [`Accounting::bytes`] decides what
//! counts.

use crate::config::{Accounting, Config};
use crate::frame::{Action, Direction, Frame};
use crate::key::{self, FlowKey, KeyMasks};
use fast::Fast;
use udp_tunnels::TunnelFilter;

pub use crate::frame::LinkType;
pub use frag::FragTable;

mod direct;
mod fast;
pub mod frag;
mod ipv4;
mod ipv6;
pub(crate) mod l4;
mod link;
mod shim;
mod tunnel;
mod udp_tunnels;
mod walk;

#[cfg(test)]
mod tests;

/// Why a packet was not metered: exactly one per skipped packet (SPEC §2, "Counters").
///
/// The discriminants index [`crate::Counters`]; they are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Skip {
    /// The link type is not one flowlog decodes.
    UnsupportedLink = 0,
    /// The link-layer or shim headers are cut off before an IP header.
    TruncatedL2 = 1,
    /// The frame carries no IP (ARP, PPPoE discovery, LLC, CDP, ...).
    NonIp = 2,
    /// The only IP header is unusable: bad version, IHL < 5, or not fully captured.
    BadIpHeader = 3,
}

impl Skip {
    /// Every reason, in discriminant order.
    pub const ALL: [Skip; 4] = [Skip::UnsupportedLink, Skip::TruncatedL2, Skip::NonIp, Skip::BadIpHeader];

    /// The counter name every binding shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::UnsupportedLink => "unsupported_link",
            Skip::TruncatedL2 => "truncated_l2",
            Skip::NonIp => "non_ip",
            Skip::BadIpHeader => "bad_ip_header",
        }
    }
}

/// Notes on a metered packet (SPEC §2): a small bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Notes(pub u8);

impl Notes {
    /// Fewer than 4 bytes of L4 header: ports 0.
    pub const TRUNCATED_L4: Notes = Notes(1);
    /// The IPv6 extension chain did not fit.
    pub const BAD_IPV6_CHAIN: Notes = Notes(2);
    /// A non-first fragment whose first fragment was not seen.
    pub const ORPHAN_FRAGMENT: Notes = Notes(4);
    /// The IP length field was 0 or smaller than the header; bytes came from `orig_len`.
    pub const BAD_LENGTH: Notes = Notes(8);

    /// Whether every bit of `other` is set.
    #[inline]
    pub fn contains(self, other: Notes) -> bool {
        self.0 & other.0 == other.0
    }

    /// Set the bits of `other`.
    #[inline]
    pub fn insert(&mut self, other: Notes) {
        self.0 |= other.0;
    }

    /// The notes that count under `accounting`: [`Notes::BAD_LENGTH`] is about the IP length
    /// field, which `l2` accounting does not use.
    #[inline(always)]
    pub fn under(self, accounting: Accounting) -> Notes {
        match accounting {
            Accounting::Ip => self,
            Accounting::L2 => Notes(self.0 & !Notes::BAD_LENGTH.0),
        }
    }
}

/// The fields of one packet that the meter needs: the summary of a dissection. `Copy`, fixed size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dissected {
    /// 4 or 6.
    pub ip_version: u8,
    /// Source address; an IPv4 address fills the first 4 bytes, the rest are zero.
    pub src: [u8; 16],
    /// Destination address, as `src`.
    pub dst: [u8; 16],
    /// The final upper-layer protocol (IPv6: after the extension chain).
    pub protocol: u8,
    /// Source port, 0 where the protocol has none or it was not captured.
    pub src_port: u16,
    /// Destination port, as `src_port` (or ICMP type × 256 + code with `icmp_in_ports`).
    pub dst_port: u16,
    /// Bytes: from the IP length field out of the parser, by `config.accounting` out of
    /// [`dissect`] (SPEC §2, "Bytes").
    pub bytes: u64,
    /// TCP flags byte plus NS as bit 8; 0 for other protocols.
    pub tcp_flags: u16,
    /// Whether `icmp_type`/`icmp_code` hold an ICMP or ICMPv6 type and code.
    pub has_icmp: bool,
    /// ICMP type.
    pub icmp_type: u8,
    /// ICMP code.
    pub icmp_code: u8,
    /// Innermost 802.1Q/802.1ad VLAN id seen, 0 when none.
    pub vlan: u16,
    /// Innermost tunnel id (VXLAN/Geneve VNI, GRE key, GTP TEID), 0 when none.
    pub tunnel_id: u32,
    /// Notes for the counters.
    pub notes: Notes,
}

impl Dissected {
    /// An all-zero summary, the start of every dissection.
    pub const EMPTY: Dissected = Dissected {
        ip_version: 0,
        src: [0; 16],
        dst: [0; 16],
        protocol: 0,
        src_port: 0,
        dst_port: 0,
        bytes: 0,
        tcp_flags: 0,
        has_icmp: false,
        icmp_type: 0,
        icmp_code: 0,
        vlan: 0,
        tunnel_id: 0,
        notes: Notes(0),
    };
}

/// The parser as a meter holds it: its configuration, the summary of its UDP tunnel ports, which
/// of a packet's ids enter its key, and the fragment table. Built once; [`Parser::packet`] never
/// allocates.
pub(crate) struct Parser {
    config: Config,
    tunnels: TunnelFilter,
    key_masks: KeyMasks,
    frags: FragTable,
}

/// What one packet adds to its flow's stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PacketStats {
    /// Bytes: by the IP length field as parsed; the meter counts them by its accounting
    /// ([`Accounting::bytes`]).
    pub bytes: u64,
    /// TCP flags byte plus NS as bit 8; 0 for other protocols.
    pub tcp_flags: u16,
    /// ICMP or ICMPv6 type and code.
    pub icmp: Option<(u8, u8)>,
    /// Notes for the counters.
    pub notes: Notes,
}

impl PacketStats {
    /// No bytes, flags, ICMP or notes.
    pub const NONE: PacketStats = PacketStats { bytes: 0, tcp_flags: 0, icmp: None, notes: Notes(0) };
}

impl Parser {
    /// A parser for `config`, reserving its fragment table.
    pub(crate) fn new(config: &Config) -> Parser {
        Parser {
            config: *config,
            tunnels: TunnelFilter::new(&config.tunnel_ports),
            key_masks: KeyMasks::new(config.key_vlan, config.key_tunnel),
            frags: FragTable::new(config.max_fragments),
        }
    }

    /// Heap bytes the fragment table holds.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.frags.heap_bytes()
    }

    /// Parse one packet: its flow key and what it adds to its flow, whichever tier takes it (see
    /// the module's guide), handed to `keyed`, whose result this returns. `ts_ns` is the packet's
    /// resolved time, which ages the fragment table.
    ///
    /// A continuation rather than a returned value because each tier calls it where it has the
    /// fields: the direct paths then key and hash a packet from registers, where a value returned
    /// from either tier would be merged in memory first.
    ///
    /// # Errors
    /// The [`Skip`] reason when the packet has no usable IP header.
    #[inline(always)]
    pub(crate) fn packet<R>(
        &mut self,
        frame: &Frame<'_>,
        ts_ns: u64,
        mut keyed: impl FnMut(FlowKey, PacketStats) -> R,
    ) -> Result<R, Skip> {
        if frame.link == LinkType::ETHERNET {
            if let Some(r) = self.direct(frame.data, 0, frame, &mut keyed) {
                return Ok(r);
            }
            if let Some((vlan, untagged)) = direct::behind_one_tag(frame.data) {
                if let Some(r) = self.direct(untagged, vlan, frame, &mut keyed) {
                    return Ok(r);
                }
            }
        }
        let mut d = Dissected::EMPTY;
        let packet = Captured { data: frame.data, orig_len: frame.orig_len, ts_ns };
        let settings = Settings { config: &self.config, tunnels: &self.tunnels };
        dissect_into(frame.link, packet, settings, &mut self.frags, &mut d)?;
        let key = d.key_with_masks(frame.observation_point, frame.direction, frame.action, self.key_masks);
        let icmp = d.has_icmp.then_some((d.icmp_type, d.icmp_code));
        let stats = PacketStats { bytes: d.bytes, tcp_flags: d.tcp_flags, icmp, notes: d.notes };
        Ok(keyed(key, stats))
    }

    /// The direct paths on the Ethernet frame `eth` (the frame, or what follows its VLAN tag, id
    /// `vlan`): TCP or UDP over IPv4 or IPv6, or such an untagged frame behind VXLAN. `None` when
    /// none takes it.
    #[inline(always)]
    fn direct<R>(
        &self,
        eth: &[u8],
        vlan: u16,
        frame: &Frame<'_>,
        keyed: &mut impl FnMut(FlowKey, PacketStats) -> R,
    ) -> Option<R> {
        let (settings, masks) = (self.settings(), self.key_masks);
        if let Some(p) = direct::ipv4(eth, settings) {
            return Some(keyed(p.key(vlan, 0, frame, masks), p.stats()));
        }
        if let Some(p) = direct::ipv6(eth, settings) {
            return Some(keyed(p.key(vlan, 0, frame, masks), p.stats()));
        }
        let (vni, inner) = direct::vxlan_inner(eth, settings)?;
        if let Some(p) = direct::ipv4(inner, settings) {
            return Some(keyed(p.key(vlan, vni, frame, masks), p.stats()));
        }
        if let Some(p) = direct::ipv6(inner, settings) {
            return Some(keyed(p.key(vlan, vni, frame, masks), p.stats()));
        }
        None
    }

    #[inline(always)]
    fn settings(&self) -> Settings<'_> {
        Settings { config: &self.config, tunnels: &self.tunnels }
    }
}

/// What every tier reads besides the packet: the configuration and the summary of its UDP tunnel
/// ports ([`TunnelFilter::CHECK_EVERY_PORT`] when there is none).
#[derive(Clone, Copy)]
pub(crate) struct Settings<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// `config.tunnel_ports` summarised.
    pub tunnels: &'a TunnelFilter,
}

/// A packet as captured: its bytes, its wire length (IPv4 and IPv6 fall back to it when their
/// length field is unusable) and its time (which ages the fragment table).
#[derive(Clone, Copy)]
pub(crate) struct Captured<'a> {
    /// The captured bytes.
    pub data: &'a [u8],
    /// Length on the wire.
    pub orig_len: u32,
    /// Resolved packet time.
    pub ts_ns: u64,
}

/// Where the walk goes on: the cursor, what is there, and the ids gathered so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resume {
    /// Offset of the next header.
    pub off: usize,
    /// What it is.
    pub next: Next,
    /// The ids gathered before it.
    pub ids: Ids,
}

/// Dissect one frame into the fields that key its flow, with bytes counted by
/// `config.accounting`: the summary of the walk (the module's guide says how the tiers relate).
///
/// `orig_len` is the wire length; `ts_ns` ages the fragment table. Never allocates.
///
/// # Errors
/// The [`Skip`] reason when the packet cannot be metered (no usable IP header at all).
pub fn dissect(
    link: LinkType,
    frame: &[u8],
    orig_len: u32,
    ts_ns: u64,
    config: &Config,
    frags: &mut FragTable,
) -> Result<Dissected, Skip> {
    let mut d = Dissected::EMPTY;
    let settings = Settings { config, tunnels: &TunnelFilter::CHECK_EVERY_PORT };
    dissect_into(link, Captured { data: frame, orig_len, ts_ns }, settings, frags, &mut d)?;
    d.bytes = config.accounting.bytes(d.bytes, orig_len);
    d.notes = d.notes.under(config.accounting);
    Ok(d)
}

/// The fast path, then the walk where it declined or stopped, into `d`, which must be
/// [`Dissected::EMPTY`] on entry. On `Err`, `d` holds unspecified values.
#[inline(always)]
fn dissect_into(
    link: LinkType,
    packet: Captured<'_>,
    settings: Settings<'_>,
    frags: &mut FragTable,
    d: &mut Dissected,
) -> Result<(), Skip> {
    if link == LinkType::ETHERNET {
        match fast::ethernet(packet.data, settings, d) {
            Fast::Done => return Ok(()),
            // `d` holds the summary of the headers the fast path read, as the walk would at `at`.
            Fast::Tunnel(at) => return walk::walk_from(at, true, packet, settings, frags, d),
            Fast::Declined => {}
        }
    }
    // The fast path may have filled some fields before it declined.
    *d = Dissected::EMPTY;
    walk::walk(link, packet, settings, frags, d)
}

impl Dissected {
    /// The key of this packet with the ids `masks` lets in, seen at `observation_point`.
    #[inline]
    pub(crate) fn key_with_masks(
        &self,
        observation_point: u32,
        direction: Direction,
        action: Action,
        masks: KeyMasks,
    ) -> FlowKey {
        FlowKey {
            src: self.src,
            dst: self.dst,
            observation_point,
            tunnel_id: masks.tunnel_id(self.tunnel_id),
            src_port: self.src_port,
            dst_port: self.dst_port,
            vlan: masks.vlan(self.vlan),
            protocol: self.protocol,
            packed: key::pack(direction, action, self.ip_version),
        }
    }
}

impl FlowKey {
    /// Build the key of a dissected packet. `key_vlan`/`key_tunnel` choose whether those ids count.
    #[inline]
    pub fn new(
        d: &Dissected,
        observation_point: u32,
        direction: Direction,
        action: Action,
        key_vlan: bool,
        key_tunnel: bool,
    ) -> FlowKey {
        d.key_with_masks(observation_point, direction, action, KeyMasks::new(key_vlan, key_tunnel))
    }
}

/// What the walk reads next, at the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// An Ethernet II / 802.3 header.
    Ethernet,
    /// The payload of this ethertype (VLAN tags, MPLS, PPPoE, IP, ...).
    EtherType(u16),
    /// An 802.2 LLC header, maybe with SNAP.
    Llc,
    /// An MPLS label stack.
    Mpls,
    /// A PPP protocol field (optionally after the HDLC address/control bytes `ff 03`).
    Ppp,
    /// An 802.11 MAC header.
    Wifi,
    /// An IP header: 4, 6, or 0 to decide by the version nibble.
    Ip(u8),
    /// A GRE header.
    Gre,
    /// A VXLAN header.
    Vxlan,
    /// A Geneve header.
    Geneve,
    /// A GTP-U header.
    Gtp,
    /// A Teredo payload (optional authentication / origin indication, then IPv6).
    Teredo,
}

/// One step of the walk: the new cursor and what is there, or why the walk stops.
pub(crate) type Step = Result<(usize, Next), Skip>;

/// Ids gathered along the walk: the innermost wins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Ids {
    /// Innermost VLAN id.
    pub vlan: u16,
    /// Innermost VNI, GRE key or TEID.
    pub tunnel_id: u32,
}

/// What an IP header says about what follows it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct L3 {
    /// Offset of the L4 header (after options / the extension chain).
    pub l4_off: usize,
    /// End of the L4 bytes that may be read: min(captured end, IP end by its length field).
    pub end: usize,
    /// Whether the L4 header may be read (false after a broken IPv6 chain).
    pub l4_readable: bool,
    /// Fragment state.
    pub frag: Frag,
}

/// Fragment state of an IP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Frag {
    /// Not a fragment (or an IPv6 atomic fragment).
    None,
    /// Offset 0 with more fragments: carries the L4 header. `protocol` keys the fragment table.
    First {
        /// IPv4 identification or IPv6 fragment id.
        id: u32,
        /// IPv4 protocol or the IPv6 fragment header's next header.
        protocol: u8,
    },
    /// Offset > 0: no L4 header.
    NonFirst {
        /// IPv4 identification or IPv6 fragment id.
        id: u32,
        /// IPv4 protocol or the IPv6 fragment header's next header.
        protocol: u8,
    },
}

/// The `N` bytes at `off` as a fixed array, or `None` when they were not captured.
///
/// Fixed arrays let every later read use constant indices that the compiler checks at build time.
#[inline(always)]
pub(crate) fn bytes<const N: usize>(b: &[u8], off: usize) -> Option<&[u8; N]> {
    // `wrapping_add`: a wrapped end lies before `off`, which `get` rejects.
    b.get(off..off.wrapping_add(N))?.try_into().ok()
}

/// One byte at `off`, if captured.
#[inline(always)]
pub(crate) fn byte(b: &[u8], off: usize) -> Option<u8> {
    b.get(off).copied()
}

/// Big-endian u16 from the first two bytes of `s` (0 if shorter; callers pass constant ranges of
/// fixed arrays, so it never is).
#[inline(always)]
pub(crate) fn be16(s: &[u8]) -> u16 {
    match s {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    }
}

/// Big-endian u32 from the first four bytes of `s` (0 if shorter, as [`be16`]).
#[inline(always)]
pub(crate) fn be32(s: &[u8]) -> u32 {
    match s {
        [a, b, c, d, ..] => u32::from_be_bytes([*a, *b, *c, *d]),
        _ => 0,
    }
}
