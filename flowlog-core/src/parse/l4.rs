//! Transport headers: ports, TCP flags, ICMP type and code (SPEC §2, "Ports", §4 "TCP flags").

use super::{be16, bytes, Dissected, Notes};

/// Field offsets shared by TCP, UDP, SCTP, DCCP and UDP-Lite: the ports come first.
mod field {
    use core::ops::Range;
    pub const SRC_PORT: Range<usize> = 0..2;
    pub const DST_PORT: Range<usize> = 2..4;
    /// TCP: data offset (high nibble) and the NS flag (bit 0).
    pub const TCP_OFFSET_NS: usize = 12;
    /// TCP: CWR ECE URG ACK PSH RST SYN FIN.
    pub const TCP_FLAGS: usize = 13;
    pub const ICMP_TYPE: usize = 0;
    pub const ICMP_CODE: usize = 1;
}

/// IP protocol numbers the walk acts on.
pub(crate) const ICMP: u8 = 1;
pub(crate) const IPIP: u8 = 4;
pub(crate) const TCP: u8 = 6;
pub(crate) const UDP: u8 = 17;
pub(crate) const DCCP: u8 = 33;
pub(crate) const IPV6_IN_IP: u8 = 41;
pub(crate) const GRE: u8 = 47;
pub(crate) const ICMPV6: u8 = 58;
pub(crate) const SCTP: u8 = 132;
pub(crate) const UDP_LITE: u8 = 136;

/// Length of a UDP header.
pub(crate) const UDP_LEN: usize = 8;
/// Bytes of TCP header needed for the flags.
pub(crate) const TCP_FLAGS_LEN: usize = field::TCP_FLAGS + 1;
/// Bytes of header that hold the ports.
pub(crate) const PORTS_LEN: usize = field::DST_PORT.end;

/// Source and destination ports of the transport header that starts `h`.
#[inline(always)]
pub(crate) fn ports_of(h: &[u8; PORTS_LEN]) -> (u16, u16) {
    (be16(&h[field::SRC_PORT]), be16(&h[field::DST_PORT]))
}

/// TCP flags (with NS as bit 8) of the TCP header that starts `h`, as [`ports`] reads them.
#[inline(always)]
pub(crate) fn tcp_flags_of(h: &[u8; TCP_FLAGS_LEN]) -> u16 {
    u16::from(h[field::TCP_FLAGS]) | (u16::from(h[field::TCP_OFFSET_NS] & 1) << 8)
}

/// Read the ports (and TCP flags or ICMP type/code) of the L4 header at `off` into `d`, reading
/// nothing at or after `end` (min of the captured end and the IP end by its length field).
#[inline]
pub(crate) fn ports(frame: &[u8], off: usize, end: usize, icmp_in_ports: bool, d: &mut Dissected) {
    let l4 = frame.get(..end).unwrap_or(&[]);
    match KIND[usize::from(d.protocol)] {
        Kind::Ports => {
            let Some(h) = bytes::<4>(l4, off) else {
                d.notes.insert(Notes::TRUNCATED_L4);
                return;
            };
            (d.src_port, d.dst_port) = ports_of(h);
            if d.protocol == TCP {
                if let Some(t) = bytes::<TCP_FLAGS_LEN>(l4, off) {
                    d.tcp_flags = tcp_flags_of(t);
                }
            }
        }
        Kind::Icmp => {
            let Some(h) = bytes::<2>(l4, off) else {
                d.notes.insert(Notes::TRUNCATED_L4);
                return;
            };
            d.has_icmp = true;
            d.icmp_type = h[field::ICMP_TYPE];
            d.icmp_code = h[field::ICMP_CODE];
            if icmp_in_ports {
                d.dst_port = u16::from(d.icmp_type) << 8 | u16::from(d.icmp_code);
            }
        }
        Kind::Other => {}
    }
}

/// What [`ports`] reads for a protocol.
#[derive(Clone, Copy)]
enum Kind {
    /// Nothing.
    Other,
    /// Ports first (TCP, UDP, SCTP, DCCP, UDP-Lite).
    Ports,
    /// ICMP or ICMPv6 type and code.
    Icmp,
}

/// [`Kind`] by protocol number: one load instead of a jump table per packet.
static KIND: [Kind; 256] = {
    let mut k = [Kind::Other; 256];
    k[TCP as usize] = Kind::Ports;
    k[UDP as usize] = Kind::Ports;
    k[SCTP as usize] = Kind::Ports;
    k[DCCP as usize] = Kind::Ports;
    k[UDP_LITE as usize] = Kind::Ports;
    k[ICMP as usize] = Kind::Icmp;
    k[ICMPV6 as usize] = Kind::Icmp;
    k
};
