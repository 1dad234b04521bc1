//! Ethernet and the shims walked in a loop between it and IP (SPEC §2, "Shims"): 802.1Q/802.1ad
//! tags, VN-Tag, MPLS, PPPoE session, PPP, LLC/SNAP.

use super::{be16, byte, bytes, Ids, Next, Skip, Step};

/// Ethernet II / 802.3 header.
mod eth {
    use core::ops::Range;
    pub const TYPE_OR_LEN: Range<usize> = 12..14;
    pub const LEN: usize = TYPE_OR_LEN.end;
}

/// An 802.1Q / 802.1ad tag after the tag protocol id: TCI, then the inner ethertype.
mod vlan {
    use core::ops::Range;
    pub const TCI: Range<usize> = 0..2;
    pub const ETHERTYPE: Range<usize> = 2..4;
    pub const LEN: usize = ETHERTYPE.end;
    pub const VID_MASK: u16 = 0x0fff;
}

/// VN-Tag (802.1Qbh) after its tag protocol id: 4 bytes of tag, then the inner ethertype.
mod vntag {
    use core::ops::Range;
    pub const ETHERTYPE: Range<usize> = 4..6;
    pub const LEN: usize = ETHERTYPE.end;
}

/// 802.2 LLC with SNAP: DSAP, SSAP, control, OUI (3), ethertype.
mod llc_field {
    use core::ops::Range;
    pub const DSAP: usize = 0;
    pub const SSAP: usize = 1;
    pub const CONTROL: usize = 2;
    pub const SNAP_ETHERTYPE: Range<usize> = 6..8;
    pub const SNAP_LEN: usize = SNAP_ETHERTYPE.end;
    pub const SAP_SNAP: u8 = 0xaa;
    pub const UI: u8 = 0x03;
}

/// PPPoE session header: version/type, code, session id, length.
const PPPOE_LEN: usize = 6;
/// MPLS label stack entry.
const MPLS_ENTRY_LEN: usize = 4;
/// Bottom-of-stack bit in the third byte of an entry.
const MPLS_BOS: u8 = 0x01;
/// Pseudowire control word (RFC 4385).
const PW_CONTROL_WORD_LEN: usize = 4;
/// Largest 802.3 length field; larger values are ethertypes (from 0x0600).
const MAX_8023_LEN: u16 = 1500;
const MIN_ETHERTYPE: u16 = 0x0600;

/// Ethertypes the walk knows.
pub(crate) mod ethertype {
    pub const IPV4: u16 = 0x0800;
    pub const IPV6: u16 = 0x86dd;
    pub const VLAN: u16 = 0x8100;
    pub const QINQ: u16 = 0x88a8;
    pub const QINQ_OLD: u16 = 0x9100;
    pub const VN_TAG: u16 = 0x8926;
    pub const MPLS: u16 = 0x8847;
    pub const MPLS_MULTICAST: u16 = 0x8848;
    pub const PPPOE_SESSION: u16 = 0x8864;
    pub const TRANSPARENT_ETHERNET: u16 = 0x6558;
}

/// PPP protocol numbers (RFC 1661 registry).
mod ppp_proto {
    pub const IPV4: u16 = 0x0021;
    pub const IPV6: u16 = 0x0057;
    pub const MPLS: u16 = 0x0281;
    pub const MPLS_MULTICAST: u16 = 0x0283;
    /// HDLC address and control bytes that may precede the protocol.
    pub const ADDRESS_CONTROL: [u8; 2] = [0xff, 0x03];
}

/// An Ethernet header at `off`.
#[inline]
pub(crate) fn ethernet(frame: &[u8], off: usize) -> Step {
    let h: &[u8; eth::LEN] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
    let t = be16(&h[eth::TYPE_OR_LEN]);
    if t >= MIN_ETHERTYPE {
        Ok((off + eth::LEN, Next::EtherType(t)))
    } else if t <= MAX_8023_LEN {
        Ok((off + eth::LEN, Next::Llc))
    } else {
        Err(Skip::NonIp)
    }
}

/// Length of an untagged Ethernet II header.
pub(crate) const ETH_LEN: usize = eth::LEN;

/// The type/length field of the Ethernet header `h`.
#[inline(always)]
pub(crate) fn eth_type(h: &[u8; ETH_LEN]) -> u16 {
    be16(&h[eth::TYPE_OR_LEN])
}

/// The common link header in one step, for the fast path of [`super::fast`]: an Ethernet
/// II header with at most one 802.1Q or 802.1ad tag. Returns the offset of the payload, its
/// ethertype and the VLAN id (0 when untagged), or `None` for anything else (802.3/LLC, a second
/// tag, VN-Tag, a cut-off header), which the general walk handles.
#[inline(always)]
pub(crate) fn ethernet_fast(frame: &[u8]) -> Option<(usize, u16, u16)> {
    let h: &[u8; eth::LEN] = bytes(frame, 0)?;
    let t = be16(&h[eth::TYPE_OR_LEN]);
    if t != ethertype::VLAN && t != ethertype::QINQ {
        return Some((eth::LEN, t, 0));
    }
    let v: &[u8; vlan::LEN] = bytes(frame, eth::LEN)?;
    let inner = be16(&v[vlan::ETHERTYPE]);
    if matches!(inner, ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD) {
        return None;
    }
    Some((eth::LEN + vlan::LEN, inner, be16(&v[vlan::TCI]) & vlan::VID_MASK))
}

/// The VLAN id of a frame with an 802.1Q or 802.1ad tag, and the frame from 4 bytes on: an
/// untagged Ethernet header whose ethertype is the tag's (its addresses are not the frame's;
/// nothing reads them), followed by the tag's payload at the same place. The direct paths read a
/// tagged frame through it with their untagged offsets; they take only IP behind it, so a second
/// tag is declined there, as [`ethernet_fast`] declines it. `None` for any other frame.
#[inline(always)]
pub(crate) fn one_tag(frame: &[u8]) -> Option<(u16, &[u8])> {
    let h: &[u8; eth::LEN + vlan::LEN] = bytes(frame, 0)?;
    let t = be16(&h[eth::TYPE_OR_LEN]);
    if t != ethertype::VLAN && t != ethertype::QINQ {
        return None;
    }
    let tci = be16(&h[eth::LEN + vlan::TCI.start..]);
    Some((tci & vlan::VID_MASK, frame.get(vlan::LEN..)?))
}

/// The payload of ethertype `et` at `off`.
#[inline]
pub(crate) fn ethertype(frame: &[u8], off: usize, et: u16, ids: &mut Ids) -> Step {
    match et {
        ethertype::IPV4 => Ok((off, Next::Ip(4))),
        ethertype::IPV6 => Ok((off, Next::Ip(6))),
        ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD => {
            let h: &[u8; vlan::LEN] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
            ids.vlan = be16(&h[vlan::TCI]) & vlan::VID_MASK;
            Ok((off + vlan::LEN, Next::EtherType(be16(&h[vlan::ETHERTYPE]))))
        }
        ethertype::VN_TAG => {
            let h: &[u8; vntag::LEN] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
            Ok((off + vntag::LEN, Next::EtherType(be16(&h[vntag::ETHERTYPE]))))
        }
        ethertype::MPLS | ethertype::MPLS_MULTICAST => Ok((off, Next::Mpls)),
        ethertype::PPPOE_SESSION => {
            if off + PPPOE_LEN > frame.len() {
                return Err(Skip::TruncatedL2);
            }
            Ok((off + PPPOE_LEN, Next::Ppp))
        }
        ethertype::TRANSPARENT_ETHERNET => Ok((off, Next::Ethernet)),
        _ => Err(Skip::NonIp),
    }
}

/// An 802.2 LLC header at `off`: only SNAP carries an ethertype; any other SAP is not IP.
#[inline]
pub(crate) fn llc(frame: &[u8], off: usize) -> Step {
    let h: &[u8; 3] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
    if h[llc_field::DSAP] != llc_field::SAP_SNAP
        || h[llc_field::SSAP] != llc_field::SAP_SNAP
        || h[llc_field::CONTROL] != llc_field::UI
    {
        return Err(Skip::NonIp);
    }
    let s: &[u8; llc_field::SNAP_LEN] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
    Ok((off + llc_field::SNAP_LEN, Next::EtherType(be16(&s[llc_field::SNAP_ETHERTYPE]))))
}

/// An MPLS label stack at `off`: labels to the bottom-of-stack bit, then the first nibble decides
/// IPv4 (4), IPv6 (6) or a pseudowire control word (0) followed by an Ethernet frame.
#[inline]
pub(crate) fn mpls(frame: &[u8], mut off: usize) -> Step {
    loop {
        let e: &[u8; MPLS_ENTRY_LEN] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
        off += MPLS_ENTRY_LEN;
        if e[2] & MPLS_BOS != 0 {
            break;
        }
    }
    match byte(frame, off).ok_or(Skip::TruncatedL2)? >> 4 {
        4 => Ok((off, Next::Ip(4))),
        6 => Ok((off, Next::Ip(6))),
        0 => {
            if off + PW_CONTROL_WORD_LEN > frame.len() {
                return Err(Skip::TruncatedL2);
            }
            Ok((off + PW_CONTROL_WORD_LEN, Next::Ethernet))
        }
        _ => Err(Skip::NonIp),
    }
}

/// A PPP protocol field at `off`, optionally after `ff 03` and possibly compressed to one byte
/// (protocol-field compression: an odd first byte).
#[inline]
pub(crate) fn ppp(frame: &[u8], mut off: usize) -> Step {
    if bytes::<2>(frame, off) == Some(&ppp_proto::ADDRESS_CONTROL) {
        off += 2;
    }
    let first = byte(frame, off).ok_or(Skip::TruncatedL2)?;
    let (proto, len) = if first & 1 == 1 {
        (u16::from(first), 1)
    } else {
        let h: &[u8; 2] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
        (be16(h), 2)
    };
    let off = off + len;
    match proto {
        ppp_proto::IPV4 => Ok((off, Next::Ip(4))),
        ppp_proto::IPV6 => Ok((off, Next::Ip(6))),
        ppp_proto::MPLS | ppp_proto::MPLS_MULTICAST => Ok((off, Next::Mpls)),
        _ => Err(Skip::NonIp),
    }
}
