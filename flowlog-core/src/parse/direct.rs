//! Tier 1, the direct paths: the commonest packet shapes read at fixed offsets and keyed from
//! registers (see the guide in `parse/mod.rs`).
//!
//! Each function takes a packet whole or returns `None` without a side effect, and then the fast
//! path and the walk take it from the start. What a direct path takes is exactly what the walk
//! would make of it; `parse/tests.rs` holds them equal.

use super::{bytes, ipv4, ipv6, l4, shim, tunnel, PacketStats, Settings};
use crate::config::Decap;
use crate::frame::Frame;
use crate::key::{self, FlowKey, KeyMasks};

/// What a direct path reads of a packet: everything it gives its flow key and stats, with
/// addresses of `A` bytes (4 or 16), except the VLAN and tunnel ids, which the caller knows (from
/// [`behind_one_tag`] and [`vxlan_inner`]; 0 otherwise). The rest of its summary is known: no
/// ICMP, no notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DirectPacket<const A: usize> {
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
    /// Bytes by the IP length field.
    pub ip_bytes: u64,
}

impl<const A: usize> DirectPacket<A> {
    /// 6 for 16-byte addresses, else 4.
    pub(crate) const IP_VERSION: u8 = if A == 16 { 6 } else { 4 };

    /// The packet's key as the walk keys it, found behind VLAN `vlan` and tunnel `tunnel_id` (0
    /// when none), seen as `frame` says, with the ids `masks` lets in.
    #[inline(always)]
    pub(crate) fn key(&self, vlan: u16, tunnel_id: u32, frame: &Frame<'_>, masks: KeyMasks) -> FlowKey {
        let (mut src, mut dst) = ([0; 16], [0; 16]);
        src[..A].copy_from_slice(&self.src);
        dst[..A].copy_from_slice(&self.dst);
        FlowKey {
            src,
            dst,
            observation_point: frame.observation_point,
            tunnel_id: masks.tunnel_id(tunnel_id),
            src_port: self.src_port,
            dst_port: self.dst_port,
            vlan: masks.vlan(vlan),
            protocol: self.protocol,
            packed: key::pack(frame.direction, frame.action, Self::IP_VERSION),
        }
    }

    /// The [`super::Dissected`] summary the walk gives the same packet (bytes by the IP length).
    #[cfg(test)]
    pub(crate) fn dissected(&self) -> super::Dissected {
        let mut d = super::Dissected::EMPTY;
        d.ip_version = Self::IP_VERSION;
        d.src[..A].copy_from_slice(&self.src);
        d.dst[..A].copy_from_slice(&self.dst);
        d.protocol = self.protocol;
        d.src_port = self.src_port;
        d.dst_port = self.dst_port;
        d.tcp_flags = self.tcp_flags;
        d.bytes = self.ip_bytes;
        d
    }

    /// What the packet adds to its flow.
    #[inline(always)]
    pub(crate) fn stats(&self) -> PacketStats {
        PacketStats { bytes: self.ip_bytes, tcp_flags: self.tcp_flags, ..PacketStats::NONE }
    }
}

/// The commonest shape of all: an untagged Ethernet frame → IPv4 with IHL 5, not a fragment → a
/// whole TCP header up to its flags, or a UDP header with its ports that is no tunnel in decap
/// mode `all`; every byte read captured and within the IP length. `None` for anything else.
///
/// Faster than the fast path because its shape is fixed: one length check covers every read at a
/// constant offset up to the ports (TCP's flags take a second), and the caller gets the fields in
/// registers, the summary's other fields being known constants, instead of a summary written to
/// memory and read back.
#[inline(always)]
pub(crate) fn ipv4(eth: &[u8], settings: Settings<'_>) -> Option<DirectPacket<4>> {
    const IP: usize = shim::ETH_LEN;
    const L4: usize = IP + ipv4::MIN_LEN;
    let h: &[u8; L4 + l4::PORTS_LEN] = bytes(eth, 0)?;
    let (ether, ip) = (bytes(h, 0)?, bytes(h, IP)?);
    if shim::eth_type(ether) != shim::ethertype::IPV4 {
        return None;
    }
    let (total, protocol) = ipv4::fast_len_protocol(ip)?;
    let payload = usize::from(total) - ipv4::MIN_LEN;
    transport(eth, L4, payload, protocol, || ipv4::addrs(ip), u64::from(total), settings)
}

/// [`ipv4`] for IPv6: an untagged Ethernet frame → IPv6 with a non-zero payload length and TCP or
/// UDP as its next header (no extension header), the rest as for IPv4.
#[inline(always)]
pub(crate) fn ipv6(eth: &[u8], settings: Settings<'_>) -> Option<DirectPacket<16>> {
    const IP: usize = shim::ETH_LEN;
    const L4: usize = IP + ipv6::HEADER_LEN;
    let h: &[u8; L4 + l4::PORTS_LEN] = bytes(eth, 0)?;
    let (ether, ip) = (bytes(h, 0)?, bytes(h, IP)?);
    if shim::eth_type(ether) != shim::ethertype::IPV6 {
        return None;
    }
    let (payload, protocol) = ipv6::fast_len_next_header(ip)?;
    let ip_bytes = (ipv6::HEADER_LEN + usize::from(payload)) as u64;
    transport(eth, L4, usize::from(payload), protocol, || ipv6::addrs(ip), ip_bytes, settings)
}

/// An Ethernet frame with one 802.1Q or 802.1ad tag: its VLAN id and the frame as the direct
/// paths read it ([`shim::one_tag`]), so that [`ipv4`], [`ipv6`] and [`vxlan_inner`] take what
/// follows the tag as they take an untagged frame. `None` for any other frame.
#[inline(always)]
pub(crate) fn behind_one_tag(eth: &[u8]) -> Option<(u16, &[u8])> {
    shim::one_tag(eth)
}

/// The VNI and the inner Ethernet frame of the commonest overlay, in decap mode `all`: an
/// untagged Ethernet frame → IPv4 with IHL 5, not a fragment → UDP to a VXLAN port, its ports
/// within the IP length → a captured VXLAN header. The caller reads the inner frame with [`ipv4`]
/// or [`ipv6`], which take only an untagged inner frame: the packet's VLAN id is then the outer
/// frame's (none, or its tag's when `eth` came from [`behind_one_tag`]), as the walk has it.
/// Overlay captures of hypervisors are mostly this shape. `None` for anything else.
#[inline(always)]
pub(crate) fn vxlan_inner<'f>(eth: &'f [u8], settings: Settings<'_>) -> Option<(u32, &'f [u8])> {
    const IP: usize = shim::ETH_LEN;
    const UDP: usize = IP + ipv4::MIN_LEN;
    const VXLAN: usize = UDP + l4::UDP_LEN;
    const INNER: usize = VXLAN + tunnel::vxlan_field::LEN;
    if settings.config.decap != Decap::All {
        return None;
    }
    let h: &[u8; INNER] = bytes(eth, 0)?;
    let (ether, ip, udp) = (bytes(h, 0)?, bytes(h, IP)?, bytes(h, UDP)?);
    if shim::eth_type(ether) != shim::ethertype::IPV4 {
        return None;
    }
    let (total, protocol) = ipv4::fast_len_protocol(ip)?;
    if protocol != l4::UDP || usize::from(total) - ipv4::MIN_LEN < l4::PORTS_LEN {
        return None;
    }
    let (src_port, dst_port) = l4::ports_of(udp);
    // The VXLAN list is the first that the walk consults (`udp_tunnels::udp_tunnel`).
    if !settings.tunnels.may_match(src_port, dst_port)
        || !settings.config.tunnel_ports.vxlan.contains(dst_port)
    {
        return None;
    }
    let (vni, inner) = tunnel::vxlan_fields(eth, VXLAN)?;
    Some((vni, eth.get(inner..)?))
}

/// The transport header at `l4` for [`ipv4`] and [`ipv6`] (which checked that its ports are
/// captured), `payload` bytes of IP payload by the length field: TCP with its flags captured, or
/// UDP, whole within the payload, no tunnel. The addresses are read last (`addrs`), once the
/// packet is taken: loaded before the transport checks, they would wait in registers, or on the
/// stack, through them.
#[inline(always)]
fn transport<const A: usize>(
    eth: &[u8],
    l4: usize,
    payload: usize,
    protocol: u8,
    addrs: impl FnOnce() -> ([u8; A], [u8; A]),
    ip_bytes: u64,
    settings: Settings<'_>,
) -> Option<DirectPacket<A>> {
    // The transport bytes read must lie within the IP length too (else the fast path notes a cut).
    let needed = match protocol {
        l4::TCP => l4::TCP_FLAGS_LEN,
        l4::UDP => l4::PORTS_LEN,
        _ => return None,
    };
    if payload < needed {
        return None;
    }
    let (src_port, dst_port) = l4::ports_of(bytes(eth, l4)?);
    // A UDP header needs only its ports captured (a minimum-size IPv6 frame holds no more).
    let tcp_flags = if protocol == l4::TCP { l4::tcp_flags_of(bytes(eth, l4)?) } else { 0 };
    if protocol == l4::UDP
        && settings.config.decap == Decap::All
        && settings.tunnels.may_match(src_port, dst_port)
    {
        return None;
    }
    let (src, dst) = addrs();
    Some(DirectPacket { src, dst, protocol, src_port, dst_port, tcp_flags, ip_bytes })
}
