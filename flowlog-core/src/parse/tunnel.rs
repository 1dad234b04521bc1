//! Tunnel headers decapsulated in mode `all` (SPEC §2, "Tunnels"): GRE (v0 and PPTP v1, with
//! ERSPAN II/III), VXLAN, Geneve, GTP-U and Teredo. IP-in-IP, MPLS-over-UDP and GRE-over-UDP need
//! no header of their own and are routed by `dissect`.

use super::shim::ethertype;
use super::{be16, be32, byte, bytes, Ids, Next, Skip, Step};

/// GRE base header: flags and version, protocol type.
mod gre_field {
    use core::ops::Range;
    pub const FLAGS_VERSION: Range<usize> = 0..2;
    pub const PROTOCOL: Range<usize> = 2..4;
    pub const LEN: usize = PROTOCOL.end;
    pub const CHECKSUM: u16 = 0x8000;
    pub const ROUTING: u16 = 0x4000;
    pub const KEY: u16 = 0x2000;
    pub const SEQUENCE: u16 = 0x1000;
    /// PPTP (version 1): acknowledgment number present.
    pub const ACK: u16 = 0x0080;
    pub const VERSION: u16 = 0x0007;
    /// A source route entry: address family, offset, length.
    pub const SRE_LEN: usize = 4;
    /// PPTP key field: payload length, call id.
    pub const PPTP_PAYLOAD_LEN: core::ops::Range<usize> = 0..2;
    pub const PPTP_CALL_ID: core::ops::Range<usize> = 2..4;
}

/// GRE protocol types beyond the plain ethertypes.
mod gre_proto {
    pub const ERSPAN_II: u16 = 0x88be;
    pub const ERSPAN_III: u16 = 0x22eb;
    pub const PPP: u16 = 0x880b;
}

/// ERSPAN header lengths (type II: 8; type III: 12, plus an 8-byte platform sub-header when O is
/// set in its last byte).
mod erspan {
    pub const II_LEN: usize = 8;
    pub const III_LEN: usize = 12;
    pub const III_O_FLAG: u8 = 0x01;
    pub const III_PLATFORM_LEN: usize = 8;
}

/// VXLAN: flags, reserved, VNI (3 bytes), reserved.
pub(crate) mod vxlan_field {
    use core::ops::Range;
    pub const VNI_WORD: Range<usize> = 4..8;
    pub const LEN: usize = VNI_WORD.end;
}

/// Geneve: version and option length, flags, protocol, VNI (3 bytes), reserved; then options.
mod geneve_field {
    use core::ops::Range;
    pub const VER_OPT_LEN: usize = 0;
    pub const PROTOCOL: Range<usize> = 2..4;
    pub const VNI_WORD: Range<usize> = 4..8;
    pub const LEN: usize = VNI_WORD.end;
}

/// GTP-U: flags, message type, length, TEID; then sequence, N-PDU number and next extension type
/// when any of E, S, PN is set.
mod gtp_field {
    use core::ops::Range;
    pub const FLAGS: usize = 0;
    pub const MESSAGE_TYPE: usize = 1;
    pub const TEID: Range<usize> = 4..8;
    pub const LEN: usize = TEID.end;
    pub const OPTIONAL_LEN: usize = 4;
    pub const NEXT_EXT: usize = 11;
    pub const VERSION_1: u8 = 1;
    pub const PROTOCOL_TYPE_GTP: u8 = 0x10;
    pub const E_S_PN: u8 = 0x07;
    pub const G_PDU: u8 = 0xff;
}

/// Teredo (RFC 4380) headers that may precede the IPv6 packet.
mod teredo_field {
    pub const AUTH: [u8; 2] = [0x00, 0x01];
    pub const ORIGIN: [u8; 2] = [0x00, 0x00];
    /// Indicator, client id length, auth value length.
    pub const AUTH_FIXED_LEN: usize = 4;
    /// Nonce and confirmation byte.
    pub const AUTH_TRAILER_LEN: usize = 9;
    pub const ORIGIN_LEN: usize = 8;
}

/// A GRE header at `off` (SPEC §2: version 0 with C/R/K/S, version 1 = PPTP carrying PPP).
#[inline]
pub(crate) fn gre(frame: &[u8], off: usize, ids: &mut Ids) -> Step {
    use gre_field as f;
    let h: &[u8; f::LEN] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
    let flags = be16(&h[f::FLAGS_VERSION]);
    let proto = be16(&h[f::PROTOCOL]);
    let mut p = off + f::LEN;
    match flags & f::VERSION {
        0 => {
            if flags & (f::CHECKSUM | f::ROUTING) != 0 {
                p += 4; // checksum and offset
            }
            if flags & f::KEY != 0 {
                let k: &[u8; 4] = bytes(frame, p).ok_or(Skip::TruncatedL2)?;
                ids.tunnel_id = be32(k);
                p += 4;
            }
            if flags & f::SEQUENCE != 0 {
                p += 4;
            }
            if flags & f::ROUTING != 0 {
                // Source route entries up to the null entry (family 0, length 0).
                loop {
                    let sre: &[u8; f::SRE_LEN] = bytes(frame, p).ok_or(Skip::TruncatedL2)?;
                    let len = usize::from(sre[3]);
                    p += f::SRE_LEN + len;
                    if be16(&sre[0..2]) == 0 && len == 0 {
                        break;
                    }
                }
            }
            if p >= frame.len() {
                return Err(Skip::TruncatedL2); // nothing after the GRE header (keepalive)
            }
            match proto {
                ethertype::IPV4 => Ok((p, Next::Ip(4))),
                ethertype::IPV6 => Ok((p, Next::Ip(6))),
                ethertype::TRANSPARENT_ETHERNET => Ok((p, Next::Ethernet)),
                ethertype::MPLS | ethertype::MPLS_MULTICAST => Ok((p, Next::Mpls)),
                // Type II has a sequence number; without one it is type I, with no ERSPAN header.
                gre_proto::ERSPAN_II if flags & f::SEQUENCE != 0 => Ok((p + erspan::II_LEN, Next::Ethernet)),
                gre_proto::ERSPAN_II => Ok((p, Next::Ethernet)),
                gre_proto::ERSPAN_III => {
                    let e: &[u8; erspan::III_LEN] = bytes(frame, p).ok_or(Skip::TruncatedL2)?;
                    let mut len = erspan::III_LEN;
                    if e[erspan::III_LEN - 1] & erspan::III_O_FLAG != 0 {
                        len += erspan::III_PLATFORM_LEN;
                    }
                    Ok((p + len, Next::Ethernet))
                }
                _ => Err(Skip::NonIp),
            }
        }
        1 => {
            // Enhanced GRE (RFC 2637): the key field is always there and holds the payload length
            // and the call id.
            if proto != gre_proto::PPP || flags & f::KEY == 0 {
                return Err(Skip::NonIp);
            }
            let k: &[u8; 4] = bytes(frame, p).ok_or(Skip::TruncatedL2)?;
            ids.tunnel_id = u32::from(be16(&k[f::PPTP_CALL_ID]));
            let payload_len = be16(&k[f::PPTP_PAYLOAD_LEN]);
            p += 4;
            if flags & f::SEQUENCE != 0 {
                p += 4;
            }
            if flags & f::ACK != 0 {
                p += 4;
            }
            if payload_len == 0 || p >= frame.len() {
                return Err(Skip::NonIp); // an acknowledgment without payload
            }
            Ok((p, Next::Ppp))
        }
        _ => Err(Skip::NonIp),
    }
}

/// A VXLAN header at `off`, then an Ethernet frame.
#[inline]
pub(crate) fn vxlan(frame: &[u8], off: usize, ids: &mut Ids) -> Step {
    let (vni, inner) = vxlan_fields(frame, off).ok_or(Skip::TruncatedL2)?;
    ids.tunnel_id = vni;
    Ok((inner, Next::Ethernet))
}

/// The VNI of a VXLAN header at `off` and where the inner Ethernet frame starts, as [`vxlan`]
/// reads them, or `None` when the header was not captured.
#[inline(always)]
pub(crate) fn vxlan_fields(frame: &[u8], off: usize) -> Option<(u32, usize)> {
    let h: &[u8; vxlan_field::LEN] = bytes(frame, off)?;
    Some((be32(&h[vxlan_field::VNI_WORD]) >> 8, off + vxlan_field::LEN))
}

/// A Geneve header at `off` with its options, then what its protocol field names.
#[inline]
pub(crate) fn geneve(frame: &[u8], off: usize, ids: &mut Ids) -> Step {
    use geneve_field as f;
    let h: &[u8; f::LEN] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
    if h[f::VER_OPT_LEN] >> 6 != 0 {
        return Err(Skip::NonIp);
    }
    ids.tunnel_id = be32(&h[f::VNI_WORD]) >> 8;
    let p = off + f::LEN + usize::from(h[f::VER_OPT_LEN] & 0x3f) * 4;
    match be16(&h[f::PROTOCOL]) {
        ethertype::TRANSPARENT_ETHERNET => Ok((p, Next::Ethernet)),
        ethertype::IPV4 => Ok((p, Next::Ip(4))),
        ethertype::IPV6 => Ok((p, Next::Ip(6))),
        _ => Err(Skip::NonIp),
    }
}

/// A GTP-U header at `off` with its extension headers; a G-PDU carries IPv4 or IPv6.
#[inline]
pub(crate) fn gtp_u(frame: &[u8], off: usize, ids: &mut Ids) -> Step {
    use gtp_field as f;
    let h: &[u8; f::LEN] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
    let flags = h[f::FLAGS];
    if flags >> 5 != f::VERSION_1 || flags & f::PROTOCOL_TYPE_GTP == 0 || h[f::MESSAGE_TYPE] != f::G_PDU {
        return Err(Skip::NonIp);
    }
    ids.tunnel_id = be32(&h[f::TEID]);
    let mut p = off + f::LEN;
    if flags & f::E_S_PN != 0 {
        let mut next = byte(frame, off + f::NEXT_EXT).ok_or(Skip::TruncatedL2)?;
        p += f::OPTIONAL_LEN;
        // Each extension: length in 4-byte units, content, next extension type in its last byte.
        while next != 0 {
            let units = usize::from(byte(frame, p).ok_or(Skip::TruncatedL2)?);
            if units == 0 {
                return Err(Skip::NonIp);
            }
            p += units * 4;
            next = byte(frame, p - 1).ok_or(Skip::TruncatedL2)?;
        }
    }
    Ok((p, Next::Ip(0)))
}

/// A Teredo payload at `off`: an optional authentication header, an optional origin indication,
/// then IPv6 (anything else fails the IPv6 version check and keys the packet on the UDP packet).
#[inline]
pub(crate) fn teredo(frame: &[u8], mut off: usize) -> Step {
    use teredo_field as f;
    if bytes::<2>(frame, off) == Some(&f::AUTH) {
        let h: &[u8; f::AUTH_FIXED_LEN] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
        off += f::AUTH_FIXED_LEN + usize::from(h[2]) + usize::from(h[3]) + f::AUTH_TRAILER_LEN;
    }
    if bytes::<2>(frame, off) == Some(&f::ORIGIN) {
        off += f::ORIGIN_LEN;
    }
    Ok((off, Next::Ip(6)))
}
