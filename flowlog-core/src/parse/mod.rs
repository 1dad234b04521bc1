//! From captured bytes to the fields that key a flow (SPEC §2).
//!
//! Contract: [`dissect`] accepts any byte slice. Every read is bounds-checked against the captured
//! bytes before it happens, so no input panics, and every walk (shims, tunnels, IPv6 extension
//! headers) advances by at least one byte per step, so its cost is linear in the captured length.
//! It never allocates.
//!
//! Hand-written over `&[u8]` rather than built on a packet library because it runs once per packet
//! and must cost a few nanoseconds: no layer structs are materialised, only the fields a flow key
//! needs are read.

use crate::config::{Accounting, Config, Decap, TunnelPorts};
use crate::frag::{FragKey, FragTable};

mod ipv4;
mod ipv6;
pub(crate) mod l4;
mod link;
mod shim;
mod tunnel;

#[cfg(test)]
mod tests;

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
    /// Bytes by the configured accounting (SPEC §2, "Bytes").
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

/// Dissect one frame into the fields that key its flow.
///
/// `orig_len` is the wire length (bytes accounting falls back to it); `ts_ns` ages the fragment
/// table. Never allocates.
///
/// The walk is a loop over `Next` steps: each step reads one header at the cursor and says what
/// follows it. An IP header produces a candidate summary; in decap mode `all` a tunnel behind it
/// continues the walk, and any later failure (non-IP payload, cut-off or unusable inner header)
/// returns the last candidate: the packet is keyed on its innermost usable IP header.
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
    dissect_into(link, frame, orig_len, ts_ns, config, &TunnelFilter::ANY, frags, &mut d)?;
    Ok(d)
}

/// [`dissect`] writing its summary into `d`, which must be [`Dissected::EMPTY`] on entry: the
/// meter's per-packet entry point, so that the summary is built in place and never copied. On
/// `Err`, `d` holds unspecified values.
///
/// `tunnels` summarises `config.tunnel_ports` ([`TunnelFilter::new`], built once per meter).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn dissect_into(
    link: LinkType,
    frame: &[u8],
    orig_len: u32,
    ts_ns: u64,
    config: &Config,
    tunnels: &TunnelFilter,
    frags: &mut FragTable,
    d: &mut Dissected,
) -> Result<(), Skip> {
    if link == LinkType::ETHERNET {
        match plain(frame, orig_len, config, tunnels, d) {
            Plain::Done => return Ok(()),
            Plain::Tunnel { off, next, ids } => {
                // `d` holds the outer header's summary, as the walk would have it at this step.
                let (off, next, ids) = match next {
                    Next::Vxlan => match vxlan_plain(frame, off, ids, orig_len, config, tunnels, d) {
                        Plain::Done => return Ok(()),
                        // `d` now holds the inner header's summary.
                        Plain::Tunnel { off, next, ids } => (off, next, ids),
                        Plain::Declined => (off, next, ids),
                    },
                    _ => (off, next, ids),
                };
                return walk_from(off, next, ids, true, frame, orig_len, ts_ns, config, tunnels, frags, d);
            }
            Plain::Declined => {}
        }
    }
    // The fast path may have filled some fields before it declined.
    *d = Dissected::EMPTY;
    walk(link, frame, orig_len, ts_ns, config, tunnels, frags, d)
}

/// What [`ipv4_transport`] and [`ipv6_transport`] read: everything a packet of the commonest
/// shapes gives its flow key and stats, for addresses of `A` bytes (4 or 16), but the VLAN and
/// tunnel ids, which its caller knows (from [`one_vlan_tag`], [`vxlan_inner`]; 0 otherwise). The
/// rest of its [`Dissected`] summary is known: no ICMP, no notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transport<const A: usize> {
    /// Source address.
    pub src: [u8; A],
    /// Destination address.
    pub dst: [u8; A],
    /// TCP or UDP.
    pub protocol: u8,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// TCP flags (0 for UDP).
    pub tcp_flags: u16,
    /// Bytes by the configured accounting.
    pub bytes: u64,
}

/// [`Transport`] of an IPv4 packet.
pub(crate) type Ipv4Transport = Transport<4>;
/// [`Transport`] of an IPv6 packet.
pub(crate) type Ipv6Transport = Transport<16>;

impl<const A: usize> Transport<A> {
    /// 6 for 16-byte addresses, else 4.
    pub(crate) const IP_VERSION: u8 = if A == 16 { 6 } else { 4 };

    /// The [`Dissected`] summary the walk gives the same packet.
    #[cfg(test)]
    pub(crate) fn dissected(&self) -> Dissected {
        let mut d = Dissected::EMPTY;
        d.ip_version = Self::IP_VERSION;
        d.src[..A].copy_from_slice(&self.src);
        d.dst[..A].copy_from_slice(&self.dst);
        d.protocol = self.protocol;
        d.src_port = self.src_port;
        d.dst_port = self.dst_port;
        d.tcp_flags = self.tcp_flags;
        d.bytes = self.bytes;
        d
    }
}

/// The commonest shape of all, narrower than [`plain`]: untagged Ethernet → IPv4 with IHL 5, not
/// a fragment → a whole TCP header up to its flags, or a UDP header that is no tunnel in decap
/// mode `all`; every byte captured and within the IP length. Returns what the walk would read,
/// or `None` for anything else, which [`dissect_into`] then takes from the start.
///
/// Faster than [`plain`] because its shape is fixed: one length check covers every read at a
/// constant offset up to the ports (TCP's flags take a second), and a caller that keys the
/// packet gets the fields in registers, with the summary's other fields known constants, instead
/// of a [`Dissected`] written to memory and read back (VLAN tags, IPv6, ICMP and truncation each
/// cost `plain` a branch and a merge here).
#[inline(always)]
pub(crate) fn ipv4_transport(
    link: LinkType,
    frame: &[u8],
    orig_len: u32,
    config: &Config,
    tunnels: &TunnelFilter,
) -> Option<Ipv4Transport> {
    const IP: usize = shim::ETH_LEN;
    const L4: usize = IP + ipv4::MIN_LEN;
    if link != LinkType::ETHERNET {
        return None;
    }
    let h: &[u8; L4 + l4::PORTS_LEN] = bytes(frame, 0)?;
    let (eth, ip) = (bytes(h, 0)?, bytes(h, IP)?);
    if shim::eth_type(eth) != shim::ethertype::IPV4 {
        return None;
    }
    let (total, protocol) = ipv4::plain_len_protocol(ip)?;
    let payload = usize::from(total) - ipv4::MIN_LEN;
    let ip_bytes = u64::from(total);
    transport(frame, L4, payload, protocol, || ipv4::addrs(ip), ip_bytes, orig_len, config, tunnels)
}

/// [`ipv4_transport`] for IPv6: untagged Ethernet → IPv6 with a non-zero payload length and TCP
/// or UDP as its next header (no extension header), the rest as for IPv4.
#[inline(always)]
pub(crate) fn ipv6_transport(
    link: LinkType,
    frame: &[u8],
    orig_len: u32,
    config: &Config,
    tunnels: &TunnelFilter,
) -> Option<Ipv6Transport> {
    const IP: usize = shim::ETH_LEN;
    const L4: usize = IP + ipv6::HEADER_LEN;
    if link != LinkType::ETHERNET {
        return None;
    }
    let h: &[u8; L4 + l4::PORTS_LEN] = bytes(frame, 0)?;
    let (eth, ip) = (bytes(h, 0)?, bytes(h, IP)?);
    if shim::eth_type(eth) != shim::ethertype::IPV6 {
        return None;
    }
    let (payload, protocol) = ipv6::len_next_header(ip)?;
    let ip_bytes = (ipv6::HEADER_LEN + usize::from(payload)) as u64;
    let payload = usize::from(payload);
    transport(frame, L4, payload, protocol, || ipv6::addrs(ip), ip_bytes, orig_len, config, tunnels)
}

/// A frame of link type `link` that is Ethernet with one 802.1Q or 802.1ad tag: its VLAN id and
/// the frame as the direct paths read it ([`shim::one_tag`]): [`ipv4_transport`],
/// [`ipv6_transport`] and [`vxlan_inner`] take what follows the tag as they take an untagged
/// frame, exactly as [`plain`] reads it with the tag's id. `None` for any other frame.
#[inline(always)]
pub(crate) fn one_vlan_tag(link: LinkType, frame: &[u8]) -> Option<(u16, &[u8])> {
    if link != LinkType::ETHERNET {
        return None;
    }
    shim::one_tag(frame)
}

/// The VNI and the inner Ethernet frame of the commonest overlay shape, in decap mode `all`:
/// untagged Ethernet → IPv4 with IHL 5, not a fragment → UDP to a VXLAN port, its ports within
/// the IP length → a captured VXLAN header. The caller reads the inner frame with
/// [`ipv4_transport`] or [`ipv6_transport`] (the outer frame's `orig_len` is the packet's, for
/// `l2` accounting); what they take is exactly what [`plain`] and [`vxlan_plain`] would make of
/// the packet: an untagged inner frame, so the packet's VLAN id is the outer frame's (none, or
/// its tag's when `frame` is what follows the tag, from [`one_vlan_tag`]). Overlay captures of
/// hypervisors are mostly this shape; taken directly they skip the summary in memory that
/// [`vxlan_plain`] fills. `None` for anything else.
#[inline(always)]
pub(crate) fn vxlan_inner<'f>(
    link: LinkType,
    frame: &'f [u8],
    config: &Config,
    tunnels: &TunnelFilter,
) -> Option<(u32, &'f [u8])> {
    const IP: usize = shim::ETH_LEN;
    const UDP: usize = IP + ipv4::MIN_LEN;
    const VXLAN: usize = UDP + l4::UDP_LEN;
    const INNER: usize = VXLAN + tunnel::vxlan_field::LEN;
    if link != LinkType::ETHERNET || config.decap != Decap::All {
        return None;
    }
    let h: &[u8; INNER] = bytes(frame, 0)?;
    let (eth, ip, udp) = (bytes(h, 0)?, bytes(h, IP)?, bytes(h, UDP)?);
    if shim::eth_type(eth) != shim::ethertype::IPV4 {
        return None;
    }
    let (total, protocol) = ipv4::plain_len_protocol(ip)?;
    if protocol != l4::UDP || usize::from(total) - ipv4::MIN_LEN < l4::PORTS_LEN {
        return None;
    }
    let (src_port, dst_port) = l4::ports_of(udp);
    // The VXLAN list is the first that `udp_tunnel` consults.
    if !tunnels.may_match(src_port, dst_port) || !config.tunnel_ports.vxlan.contains(dst_port) {
        return None;
    }
    let (vni, inner) = tunnel::vxlan_plain(frame, VXLAN)?;
    Some((vni, frame.get(inner..)?))
}

/// The transport header at `l4` in `frame` for [`ipv4_transport`] and [`ipv6_transport`] (which
/// checked that its ports are captured), `payload` bytes of IP payload by the length field: TCP
/// with its flags captured, or UDP, whole within the payload, no tunnel; with the IP header's
/// fields, the [`Transport`] (bytes `ip_bytes` by IP accounting). The addresses are read last
/// (`addrs`), once the packet is taken: loaded before the transport checks, they would wait in
/// registers, or on the stack, through them.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn transport<const A: usize>(
    frame: &[u8],
    l4: usize,
    payload: usize,
    protocol: u8,
    addrs: impl FnOnce() -> ([u8; A], [u8; A]),
    ip_bytes: u64,
    orig_len: u32,
    config: &Config,
    tunnels: &TunnelFilter,
) -> Option<Transport<A>> {
    // The transport bytes read must lie within the IP length too (else `plain` notes a cut).
    let needed = match protocol {
        l4::TCP => l4::TCP_FLAGS_LEN,
        l4::UDP => l4::PORTS_LEN,
        _ => return None,
    };
    if payload < needed {
        return None;
    }
    let (src_port, dst_port) = l4::ports_of(bytes(frame, l4)?);
    // A UDP header needs only its ports captured (a minimum-size IPv6 frame holds no more).
    let tcp_flags = if protocol == l4::TCP { l4::tcp_flags_of(bytes(frame, l4)?) } else { 0 };
    if protocol == l4::UDP && config.decap == Decap::All && tunnels.may_match(src_port, dst_port) {
        return None;
    }
    let bytes = match config.accounting {
        Accounting::Ip => ip_bytes,
        Accounting::L2 => u64::from(orig_len),
    };
    let (src, dst) = addrs();
    Some(Transport { src, dst, protocol, src_port, dst_port, tcp_flags, bytes })
}

/// How the fast path ([`plain`]) ended.
enum Plain {
    /// `d` is complete.
    Done,
    /// A plain outer header (summarised in `d`, but for the ids `ids` gathered so far) carries a
    /// tunnel that decap mode `all` follows: the walk goes on at `off` with `next`, as it would
    /// have after reading the same headers itself.
    Tunnel { off: usize, next: Next, ids: Ids },
    /// Not the fast path's shape; `d` is partly written.
    Declined,
}

/// The fast path: Ethernet (at most one VLAN tag) → IPv4 with IHL 5, not a fragment, or IPv6
/// without extension headers → any L4 that is not a tunnel. Nearly all VPC traffic is this shape,
/// and reading it straight through, without the walk's per-step dispatch, halves the parser's
/// cost. It fills `d` exactly as [`walk`] would and returns `true`, or returns `false` (leaving
/// `d` partly written) for anything else: other link layers and shims, IPv4 options, fragments,
/// length fields of 0, IPv6 extension headers, tunnels in decap mode `all`. The general walk then
/// takes the packet from the start. The test `fast_path_agrees_with_the_walk` holds them equal.
#[cfg(test)]
fn dissect_plain(
    frame: &[u8],
    orig_len: u32,
    config: &Config,
    tunnels: &TunnelFilter,
    d: &mut Dissected,
) -> bool {
    matches!(plain(frame, orig_len, config, tunnels, d), Plain::Done)
}

/// What `dissect_plain` (the tests' view of this path) decides, also saying where the walk goes on when it declined a plain outer header
/// only because decap mode `all` follows the tunnel behind it: the walk then need not read the
/// outer headers again.
#[inline(always)]
fn plain(frame: &[u8], orig_len: u32, config: &Config, tunnels: &TunnelFilter, d: &mut Dissected) -> Plain {
    let Some((off, et, vlan)) = shim::ethernet_plain(frame) else {
        return Plain::Declined;
    };
    let span = match et {
        shim::ethertype::IPV4 => ipv4::parse_plain(frame, off, d),
        shim::ethertype::IPV6 => ipv6::parse_plain(frame, off, d),
        _ => None,
    };
    let Some((l4_off, end)) = span else {
        return Plain::Declined;
    };
    l4::ports(frame, l4_off, end, config.icmp_in_ports, d);
    if config.decap == Decap::All {
        if let Some((off, next)) = tunnel_after(d, l4_off, config, tunnels) {
            return Plain::Tunnel { off, next, ids: Ids { vlan, tunnel_id: 0 } };
        }
    }
    d.vlan = vlan;
    if config.accounting == Accounting::L2 {
        d.bytes = u64::from(orig_len);
    }
    Plain::Done
}

/// The fast path behind a VXLAN header at `off` that [`plain`] found behind a plain outer header
/// (summarised in `d`; the ids so far `ids`): the header, then an inner frame of the shape
/// [`plain`] takes (at most one VLAN tag, IPv4 with IHL 5 not a fragment or IPv6 without
/// extension headers). Fills `d` exactly as [`walk_from`] would and returns [`Plain::Done`], or,
/// when the inner packet carries a tunnel again, where the walk goes on from its summary; for any
/// other inner frame, [`Plain::Declined`] with `d` untouched, and the walk takes it from `off`.
/// The VXLAN share of VPC traffic (overlays) is large enough that walking it step by step costs
/// more than the rest of the walk's packets together. Out of line: only tunnelled packets pay.
#[inline(never)]
fn vxlan_plain(
    frame: &[u8],
    off: usize,
    ids: Ids,
    orig_len: u32,
    config: &Config,
    tunnels: &TunnelFilter,
    d: &mut Dissected,
) -> Plain {
    let Some((tunnel_id, eth_off)) = tunnel::vxlan_plain(frame, off) else {
        return Plain::Declined;
    };
    let Some((ip_off, et, inner_vlan)) = frame.get(eth_off..).and_then(shim::ethernet_plain) else {
        return Plain::Declined;
    };
    // The innermost VLAN id: the inner frame's tag (even VLAN 0), else the outer one.
    let vlan = if ip_off > shim::ETH_LEN { inner_vlan } else { ids.vlan };
    let ip_off = eth_off + ip_off;
    // The shape is checked before `d` changes: a declined frame keeps the outer summary.
    let plain_ip = match et {
        shim::ethertype::IPV4 => bytes(frame, ip_off).and_then(ipv4::plain_len_protocol).is_some(),
        shim::ethertype::IPV6 => bytes(frame, ip_off).and_then(ipv6::len_next_header).is_some(),
        _ => false,
    };
    if !plain_ip {
        return Plain::Declined;
    }
    *d = Dissected::EMPTY;
    let span = match et {
        shim::ethertype::IPV4 => ipv4::parse_plain(frame, ip_off, d),
        _ => ipv6::parse_plain(frame, ip_off, d),
    };
    let Some((l4_off, end)) = span else {
        // Unreachable: the same checks passed above.
        return Plain::Declined;
    };
    l4::ports(frame, l4_off, end, config.icmp_in_ports, d);
    let ids = Ids { vlan, tunnel_id };
    // Decap mode `all` (the only one that reaches here) follows a tunnel in the inner packet.
    if let Some((off, next)) = tunnel_after(d, l4_off, config, tunnels) {
        return Plain::Tunnel { off, next, ids };
    }
    d.vlan = vlan;
    d.tunnel_id = tunnel_id;
    if config.accounting == Accounting::L2 {
        d.bytes = u64::from(orig_len);
    }
    Plain::Done
}

/// The general walk of [`dissect_into`], for every frame; `d` must be [`Dissected::EMPTY`].
#[allow(clippy::too_many_arguments)]
fn walk(
    link: LinkType,
    frame: &[u8],
    orig_len: u32,
    ts_ns: u64,
    config: &Config,
    tunnels: &TunnelFilter,
    frags: &mut FragTable,
    d: &mut Dissected,
) -> Result<(), Skip> {
    let (off, next) = link::start(link, frame)?;
    walk_from(off, next, Ids::default(), false, frame, orig_len, ts_ns, config, tunnels, frags, d)
}

/// The walk from step `next` at `off`, with the ids gathered so far; `keyed` says whether `d`
/// holds a candidate (the summary of the innermost usable IP header so far), else it must be
/// [`Dissected::EMPTY`]. Out of line: the fast path's callers stay small.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn walk_from(
    mut off: usize,
    mut next: Next,
    mut ids: Ids,
    mut keyed: bool,
    frame: &[u8],
    orig_len: u32,
    ts_ns: u64,
    config: &Config,
    tunnels: &TunnelFilter,
    frags: &mut FragTable,
    d: &mut Dissected,
) -> Result<(), Skip> {
    loop {
        let step = match next {
            Next::Ethernet => shim::ethernet(frame, off),
            Next::EtherType(et) => shim::ethertype(frame, off, et, &mut ids),
            Next::Llc => shim::llc(frame, off),
            Next::Mpls => shim::mpls(frame, off),
            Next::Ppp => shim::ppp(frame, off),
            Next::Wifi => link::wifi(frame, off),
            Next::Gre => tunnel::gre(frame, off, &mut ids),
            Next::Vxlan => tunnel::vxlan(frame, off, &mut ids),
            Next::Geneve => tunnel::geneve(frame, off, &mut ids),
            Next::Gtp => tunnel::gtp_u(frame, off, &mut ids),
            Next::Teredo => tunnel::teredo(frame, off),
            Next::Ip(version) => {
                let tunnel = if keyed {
                    // An inner header must not clobber the candidate unless it is usable: parse it
                    // aside (tunnelled packets only pay this copy).
                    let mut inner = Dissected::EMPTY;
                    let t = ip(frame, off, version, orig_len, ts_ns, config, tunnels, frags, &mut inner);
                    if t.is_ok() {
                        *d = inner;
                    }
                    t
                } else {
                    ip(frame, off, version, orig_len, ts_ns, config, tunnels, frags, d)
                };
                match tunnel {
                    Ok(tunnel) => {
                        keyed = true;
                        match tunnel {
                            Some(step) if config.decap == Decap::All => Ok(step),
                            _ => break,
                        }
                    }
                    Err(skip) => Err(skip),
                }
            }
        };
        match step {
            Ok((o, n)) => {
                off = o;
                next = n;
            }
            // A failure behind a usable IP header ends the walk on that header (SPEC §2, Tunnels).
            Err(skip) => {
                if keyed {
                    break;
                }
                return Err(skip);
            }
        }
    }
    d.vlan = ids.vlan;
    d.tunnel_id = ids.tunnel_id;
    if config.accounting == Accounting::L2 {
        d.bytes = u64::from(orig_len);
    }
    Ok(())
}

/// Dissect one IP header (any version, `0` = decide by the version nibble) and its L4 header into
/// `d`, which must be [`Dissected::EMPTY`] on entry.
///
/// Returns, when its payload is a tunnel, where the walk goes on.
#[inline]
#[allow(clippy::too_many_arguments)]
fn ip(
    frame: &[u8],
    off: usize,
    version: u8,
    orig_len: u32,
    ts_ns: u64,
    config: &Config,
    tunnels: &TunnelFilter,
    frags: &mut FragTable,
    d: &mut Dissected,
) -> Result<Option<(usize, Next)>, Skip> {
    let first = *frame.get(off).ok_or(Skip::BadIpHeader)?;
    let nibble = first >> 4;
    if version != 0 && nibble != version {
        return Err(Skip::BadIpHeader);
    }
    let l3 = match nibble {
        4 => ipv4::parse(frame, off, orig_len, d)?,
        6 => ipv6::parse(frame, off, orig_len, d)?,
        _ => return Err(Skip::BadIpHeader),
    };
    if config.accounting == Accounting::L2 {
        // The note is about the IP length field, which L2 accounting does not use.
        d.notes.0 &= !Notes::BAD_LENGTH.0;
    }
    match l3.frag {
        Frag::NonFirst { id, protocol } => {
            // No L4 header here: take the first fragment's ports, or none (SPEC §2, Fragments).
            let key = FragKey::new(d, protocol, id);
            match frags.ports(&key, ts_ns) {
                Some((s, p)) => {
                    d.src_port = s;
                    d.dst_port = p;
                }
                None => d.notes.insert(Notes::ORPHAN_FRAGMENT),
            }
            return Ok(None);
        }
        Frag::None | Frag::First { .. } if !l3.l4 => return Ok(None),
        Frag::None | Frag::First { .. } => {}
    }
    let l4_off = l3.l4_off;
    l4::ports(frame, l4_off, l3.end, config.icmp_in_ports, d);
    if let Frag::First { id, protocol } = l3.frag {
        frags.remember(&FragKey::new(d, protocol, id), (d.src_port, d.dst_port), ts_ns);
    }
    Ok(tunnel_after(d, l4_off, config, tunnels))
}

/// The tunnel an IP packet summarised in `d` (L4 header at `l4_off`) carries, and where it starts.
#[inline(always)]
fn tunnel_after(
    d: &Dissected,
    l4_off: usize,
    config: &Config,
    tunnels: &TunnelFilter,
) -> Option<(usize, Next)> {
    match d.protocol {
        l4::IPIP => Some((l4_off, Next::Ip(4))),
        l4::IPV6_IN_IP => Some((l4_off, Next::Ip(6))),
        l4::GRE => Some((l4_off, Next::Gre)),
        l4::UDP if !d.notes.contains(Notes::TRUNCATED_L4) && tunnels.may_match(d.src_port, d.dst_port) => {
            udp_tunnel(&config.tunnel_ports, d.src_port, d.dst_port).map(|n| (l4_off + l4::UDP_LEN, n))
        }
        _ => None,
    }
}

/// The UDP tunnel port lists summarised as two 1024-bit sets (a one-hash Bloom filter): a UDP
/// datagram whose ports miss both is no tunnel, decided in a few instructions instead of a scan of
/// six lists; a hit is confirmed by [`udp_tunnel`]. Built once per meter from its configuration.
/// 1024 bits rather than 64: with the default lists' seven ports, 64 bits let one UDP datagram in
/// nine past the direct path on a false hit, 1024 bits one in a hundred and fifty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TunnelFilter {
    /// Every destination port of every list.
    dst: [u64; FILTER_WORDS],
    /// The source ports that mark a tunnel (Teredo's).
    src: [u64; FILTER_WORDS],
}

/// Words of a [`TunnelFilter`] set.
const FILTER_WORDS: usize = 16;

impl TunnelFilter {
    /// No summary: every UDP datagram is checked against the lists.
    pub(crate) const ANY: TunnelFilter = TunnelFilter { dst: [!0; FILTER_WORDS], src: [!0; FILTER_WORDS] };

    /// The summary of `ports`.
    pub(crate) fn new(ports: &TunnelPorts) -> TunnelFilter {
        let set = |lists: &[&crate::config::PortList]| {
            let mut words = [0u64; FILTER_WORDS];
            for &p in lists.iter().flat_map(|l| l.as_slice()) {
                let (w, bit) = Self::slot(p);
                words[w] |= bit;
            }
            words
        };
        TunnelFilter {
            dst: set(&[
                &ports.vxlan,
                &ports.geneve,
                &ports.gtp_u,
                &ports.mpls_udp,
                &ports.gre_udp,
                &ports.teredo,
            ]),
            src: set(&[&ports.teredo]),
        }
    }

    /// A port's word and bit: the top 10 bits of a multiplicative hash, so that well-known ports
    /// that share their low bits with a tunnel port (53 and 4789) fall apart.
    #[inline(always)]
    fn slot(port: u16) -> (usize, u64) {
        let h = usize::from(port.wrapping_mul(0x9e37) >> 6);
        ((h >> 6) % FILTER_WORDS, 1 << (h & 63))
    }

    /// Whether a datagram with these ports may be a tunnel (no false negatives).
    #[inline(always)]
    fn may_match(&self, src: u16, dst: u16) -> bool {
        let ((dw, db), (sw, sb)) = (Self::slot(dst), Self::slot(src));
        (self.dst[dw] & db) | (self.src[sw] & sb) != 0
    }
}

/// Which tunnel a UDP datagram carries: by destination port, Teredo by either port.
#[inline]
fn udp_tunnel(ports: &crate::config::TunnelPorts, src: u16, dst: u16) -> Option<Next> {
    if ports.vxlan.contains(dst) {
        Some(Next::Vxlan)
    } else if ports.geneve.contains(dst) {
        Some(Next::Geneve)
    } else if ports.gtp_u.contains(dst) {
        Some(Next::Gtp)
    } else if ports.mpls_udp.contains(dst) {
        Some(Next::Mpls)
    } else if ports.gre_udp.contains(dst) {
        Some(Next::Gre)
    } else if ports.teredo.contains(dst) || ports.teredo.contains(src) {
        Some(Next::Teredo)
    } else {
        None
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
#[derive(Debug, Clone, Copy, Default)]
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
    pub l4: bool,
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
