//! Link layers (SPEC §2, "Link layers"): where the first header after the link header starts.

use super::{be16, byte, bytes, LinkType, Next, Skip, Step};

/// Linux cooked capture v1: packet type, ARPHRD, address length, address (8), protocol.
mod sll {
    use core::ops::Range;
    pub const PROTOCOL: Range<usize> = 14..16;
    pub const LEN: usize = PROTOCOL.end;
}

/// Linux cooked capture v2: protocol, reserved, ifindex, ARPHRD, packet type, address length,
/// address (8).
mod sll2 {
    use core::ops::Range;
    pub const PROTOCOL: Range<usize> = 0..2;
    pub const LEN: usize = 20;
}

/// Cisco HDLC: address, control, protocol (an ethertype).
mod chdlc {
    use core::ops::Range;
    pub const PROTOCOL: Range<usize> = 2..4;
    pub const LEN: usize = PROTOCOL.end;
}

/// Radiotap: version, pad, length (little endian), present flags.
mod radiotap {
    use core::ops::Range;
    pub const LEN: Range<usize> = 2..4;
    pub const MIN_LEN: usize = 8;
}

/// IEEE 802.11 MAC header.
mod wifi_field {
    pub const FC0: usize = 0;
    pub const FC1: usize = 1;
    /// Frame control, duration, three addresses, sequence control.
    pub const BASE_LEN: usize = 24;
    pub const ADDR4_LEN: usize = 6;
    pub const QOS_LEN: usize = 2;
    pub const HT_CONTROL_LEN: usize = 4;
}

/// SLL protocol values that are not ethertypes (ARPHRD-specific pseudo protocols).
const SLL_NOVELL_802_3: u16 = 0x0001;
const SLL_802_2: u16 = 0x0004;

/// The first step of the walk for `link`.
///
/// # Errors
/// [`Skip::UnsupportedLink`] for a link type flowlog does not decode; [`Skip::TruncatedL2`] when
/// the link header is cut off; [`Skip::NonIp`] when it announces something other than IP.
#[inline]
pub(crate) fn start(link: LinkType, frame: &[u8]) -> Step {
    match link {
        LinkType::ETHERNET => Ok((0, Next::Ethernet)),
        LinkType::RAW | LinkType::RAW_LEGACY_12 | LinkType::RAW_LEGACY_14 => Ok((0, Next::Ip(0))),
        LinkType::IPV4 => Ok((0, Next::Ip(4))),
        LinkType::IPV6 => Ok((0, Next::Ip(6))),
        LinkType::NULL | LinkType::LOOP => {
            let h: &[u8; 4] = bytes(frame, 0).ok_or(Skip::TruncatedL2)?;
            // Some captures put PPP (`ff 03`) or Cisco HDLC (`0f 00` / `8f 00`) frames on a NULL
            // link, as Wireshark recognises: no address family starts with these bytes in either
            // byte order (the family is small), so the test cannot misread a real NULL header.
            match [h[0], h[1]] {
                [0xff, 0x03] => return Ok((0, Next::Ppp)),
                [0x0f | 0x8f, 0x00] => return cisco_hdlc(frame),
                _ => {}
            }
            // Host byte order of the capturing machine, or network order: the family is small,
            // so whichever reading fits in 16 bits is the right one.
            let le = u32::from_le_bytes(*h);
            let af = if le > 0xffff { le.swap_bytes() } else { le };
            match af {
                2 => Ok((4, Next::Ip(4))),
                10 | 23 | 24 | 28 | 30 => Ok((4, Next::Ip(6))),
                _ => Err(Skip::NonIp),
            }
        }
        LinkType::PPP => Ok((0, Next::Ppp)),
        LinkType::PPP_HDLC => match byte(frame, 0) {
            // Cisco HDLC frames also appear under this link type (0x0f unicast, 0x8f multicast).
            Some(0x0f | 0x8f) => cisco_hdlc(frame),
            Some(_) => Ok((0, Next::Ppp)),
            None => Err(Skip::TruncatedL2),
        },
        LinkType::C_HDLC => cisco_hdlc(frame),
        LinkType::LINUX_SLL => {
            let h: &[u8; sll::LEN] = bytes(frame, 0).ok_or(Skip::TruncatedL2)?;
            sll_protocol(be16(&h[sll::PROTOCOL]), sll::LEN)
        }
        LinkType::LINUX_SLL2 => {
            let h: &[u8; sll2::LEN] = bytes(frame, 0).ok_or(Skip::TruncatedL2)?;
            sll_protocol(be16(&h[sll2::PROTOCOL]), sll2::LEN)
        }
        LinkType::IEEE802_11 => Ok((0, Next::Wifi)),
        LinkType::IEEE802_11_RADIOTAP => {
            let h: &[u8; radiotap::MIN_LEN] = bytes(frame, 0).ok_or(Skip::TruncatedL2)?;
            let len = usize::from(u16::from_le_bytes([h[radiotap::LEN.start], h[radiotap::LEN.start + 1]]));
            if len < radiotap::MIN_LEN {
                return Err(Skip::TruncatedL2);
            }
            Ok((len, Next::Wifi))
        }
        _ => Err(Skip::UnsupportedLink),
    }
}

#[inline]
fn cisco_hdlc(frame: &[u8]) -> Step {
    let h: &[u8; chdlc::LEN] = bytes(frame, 0).ok_or(Skip::TruncatedL2)?;
    Ok((chdlc::LEN, Next::EtherType(be16(&h[chdlc::PROTOCOL]))))
}

#[inline]
fn sll_protocol(protocol: u16, len: usize) -> Step {
    match protocol {
        SLL_802_2 => Ok((len, Next::Llc)),
        SLL_NOVELL_802_3 => Err(Skip::NonIp),
        et => Ok((len, Next::EtherType(et))),
    }
}

/// An 802.11 MAC header at `off`: data frames go on to LLC/SNAP; management, control, null-data
/// and protected (encrypted) frames carry no readable IP.
#[inline]
pub(crate) fn wifi(frame: &[u8], off: usize) -> Step {
    let fc: &[u8; 2] = bytes(frame, off).ok_or(Skip::TruncatedL2)?;
    let (fc0, fc1) = (fc[wifi_field::FC0], fc[wifi_field::FC1]);
    let frame_type = (fc0 >> 2) & 3;
    let subtype = fc0 >> 4;
    const DATA: u8 = 2;
    const NULL_BIT: u8 = 0x4;
    const QOS_BIT: u8 = 0x8;
    const TO_FROM_DS: u8 = 0x3;
    const PROTECTED: u8 = 0x40;
    const ORDER: u8 = 0x80;
    if frame_type != DATA || subtype & NULL_BIT != 0 || fc1 & PROTECTED != 0 {
        return Err(Skip::NonIp);
    }
    let mut len = wifi_field::BASE_LEN;
    if fc1 & TO_FROM_DS == TO_FROM_DS {
        len += wifi_field::ADDR4_LEN;
    }
    if subtype & QOS_BIT != 0 {
        len += wifi_field::QOS_LEN;
        if fc1 & ORDER != 0 {
            len += wifi_field::HT_CONTROL_LEN;
        }
    }
    if off + len > frame.len() {
        return Err(Skip::TruncatedL2);
    }
    Ok((off + len, Next::Llc))
}
