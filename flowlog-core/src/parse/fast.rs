//! Tier 2, the fast path: Ethernet with at most one VLAN tag → IPv4 with IHL 5, not a fragment, or
//! IPv6 without extension headers → any L4 header, summarised in one pass without the walk's
//! per-header dispatch, and the same again behind VXLAN (see the guide in `parse/mod.rs`).
//!
//! It fills the summary exactly as the walk would, or declines and the walk takes the packet from
//! the start; when decap mode `all` finds a tunnel behind a header it read, it says where the walk
//! goes on, so that the walk need not read those headers again. `parse/tests.rs` holds it equal to
//! the walk.

use super::udp_tunnels::tunnel_after;
use super::{bytes, ipv4, ipv6, l4, shim, tunnel, Dissected, Ids, Resume, Settings};
use crate::config::Decap;

/// How the fast path ended.
pub(crate) enum Fast {
    /// The summary is complete.
    Done,
    /// A header it read (summarised, but for the ids gathered so far, which `Resume` carries)
    /// carries a tunnel that decap mode `all` follows: the walk goes on from there.
    Tunnel(Resume),
    /// Not the fast path's shape; the summary is partly written.
    Declined,
}

/// The fast path from the start of an Ethernet frame: the outer headers, then, when they carry
/// VXLAN in decap mode `all`, the inner frame ([`vxlan_inner`]).
#[inline(always)]
pub(crate) fn ethernet(frame: &[u8], settings: Settings<'_>, d: &mut Dissected) -> Fast {
    match outer(frame, settings, d) {
        Fast::Tunnel(at) if at.next == super::Next::Vxlan => match vxlan_inner(frame, at, settings, d) {
            // Declined behind the tunnel, the outer summary stands and the walk goes on at `at`.
            Fast::Declined => Fast::Tunnel(at),
            inner => inner,
        },
        outer => outer,
    }
}

/// The outer headers: Ethernet (at most one tag), IPv4 or IPv6 of the fast shape, the L4 header.
#[inline(always)]
pub(crate) fn outer(frame: &[u8], settings: Settings<'_>, d: &mut Dissected) -> Fast {
    let Some((off, et, vlan)) = shim::ethernet_fast(frame) else {
        return Fast::Declined;
    };
    let span = match et {
        shim::ethertype::IPV4 => ipv4::parse_fast(frame, off, d),
        shim::ethertype::IPV6 => ipv6::parse_fast(frame, off, d),
        _ => None,
    };
    let Some((l4_off, end)) = span else {
        return Fast::Declined;
    };
    l4::ports(frame, l4_off, end, settings.config.icmp_in_ports, d);
    if settings.config.decap == Decap::All {
        if let Some((off, next)) = tunnel_after(d, l4_off, settings) {
            return Fast::Tunnel(Resume { off, next, ids: Ids { vlan, tunnel_id: 0 } });
        }
    }
    d.vlan = vlan;
    Fast::Done
}

/// The fast path behind the VXLAN header at `at` that [`outer`] found: the header, then an inner
/// frame of the shape [`outer`] takes. Fills `d` exactly as the walk would and returns
/// [`Fast::Done`], or, when the inner packet carries a tunnel again, where the walk goes on from
/// its summary; for any other inner frame, [`Fast::Declined`] with `d` untouched (the outer
/// summary). Overlays are a large share of VPC traffic, so walking them step by step would cost
/// more than the rest of the walk's packets together. Out of line: only tunnelled packets pay.
#[inline(never)]
pub(crate) fn vxlan_inner(frame: &[u8], at: Resume, settings: Settings<'_>, d: &mut Dissected) -> Fast {
    let Some((tunnel_id, eth_off)) = tunnel::vxlan_fields(frame, at.off) else {
        return Fast::Declined;
    };
    let Some((ip_off, et, inner_vlan)) = frame.get(eth_off..).and_then(shim::ethernet_fast) else {
        return Fast::Declined;
    };
    // The innermost VLAN id: the inner frame's tag (even VLAN 0), else the outer one.
    let vlan = if ip_off > shim::ETH_LEN { inner_vlan } else { at.ids.vlan };
    let ip_off = eth_off + ip_off;
    // The shape is checked before `d` changes: a declined frame keeps the outer summary.
    let fast_ip = match et {
        shim::ethertype::IPV4 => bytes(frame, ip_off).and_then(ipv4::fast_len_protocol).is_some(),
        shim::ethertype::IPV6 => bytes(frame, ip_off).and_then(ipv6::fast_len_next_header).is_some(),
        _ => false,
    };
    if !fast_ip {
        return Fast::Declined;
    }
    *d = Dissected::EMPTY;
    let span = match et {
        shim::ethertype::IPV4 => ipv4::parse_fast(frame, ip_off, d),
        _ => ipv6::parse_fast(frame, ip_off, d),
    };
    let Some((l4_off, end)) = span else {
        // Unreachable: the same checks passed above.
        return Fast::Declined;
    };
    l4::ports(frame, l4_off, end, settings.config.icmp_in_ports, d);
    let ids = Ids { vlan, tunnel_id };
    // Decap mode `all` (the only one that reaches here) follows a tunnel in the inner packet.
    if let Some((off, next)) = tunnel_after(d, l4_off, settings) {
        return Fast::Tunnel(Resume { off, next, ids });
    }
    d.vlan = vlan;
    d.tunnel_id = tunnel_id;
    Fast::Done
}
