//! A packet builder: layers in wire order, bytes out, with every length and checksum right.
//!
//! ```
//! use flowlog_testkit::{tcp_flags, Pkt};
//!
//! let bytes = Pkt::eth([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
//!     .vlan(10)
//!     .ipv4([10, 0, 0, 1], [10, 0, 0, 2])
//!     .tcp(40000, 443, tcp_flags::SYN)
//!     .payload(40)
//!     .bytes();
//! assert_eq!(bytes.len(), 14 + 4 + 20 + 20 + 40);
//! ```
//!
//! Each layer's "next protocol" field (ethertype, IP protocol, next header, GRE protocol type) is
//! filled from the layer that follows it unless set explicitly; each length field covers what
//! follows it in the packet (not the padding added by [`Pkt::pad_to`]). Allocation is fine here:
//! this is a test and benchmark tool, never on the hot path.

use flowlog_core::LinkType;

/// TCP flag bits as the meter keeps them: the flags byte, plus NS as bit 8 (the core's list).
pub use flowlog_core::protocol::tcp_flags;

/// Ethertypes the builder writes.
pub mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// IPv6.
    pub const IPV6: u16 = 0x86dd;
    /// ARP.
    pub const ARP: u16 = 0x0806;
    /// 802.1Q VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// 802.1ad service tag (QinQ outer tag).
    pub const QINQ: u16 = 0x88a8;
    /// Transparent Ethernet bridging (GRE carrying Ethernet).
    pub const TEB: u16 = 0x6558;
    /// Local experimental ethertype: what an Ethernet header carrying only payload gets.
    pub const EXPERIMENTAL: u16 = 0x88b5;
}

/// The UDP source port a [`Pkt::vxlan`] outer header uses (real VTEPs hash the inner flow into it).
pub const VXLAN_SOURCE_PORT: u16 = 49152;
/// The IANA VXLAN port.
pub const VXLAN_PORT: u16 = 4789;
/// MAC addresses of the inner Ethernet header that [`Pkt::vxlan`] adds.
pub const VXLAN_INNER_MACS: ([u8; 6], [u8; 6]) = ([2, 0, 0, 0, 0xee, 1], [2, 0, 0, 0, 0xee, 2]);
/// IP protocol number for a payload that follows an IP header directly (RFC 3692 experimental).
pub const EXPERIMENTAL_PROTOCOL: u8 = 253;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Layer {
    Eth {
        src: [u8; 6],
        dst: [u8; 6],
        ethertype: Option<u16>,
    },
    Vlan {
        tpid: u16,
        id: u16,
        ethertype: Option<u16>,
    },
    Ipv4 {
        src: [u8; 4],
        dst: [u8; 4],
        ttl: u8,
        id: u16,
        dont_fragment: bool,
        frag_offset: u16,
        more: bool,
        protocol: Option<u8>,
    },
    Ipv6 {
        src: [u8; 16],
        dst: [u8; 16],
        hop_limit: u8,
        next: Option<u8>,
    },
    Ipv6Ext {
        kind: u8,
        hdr_ext_len: u8,
        next: Option<u8>,
    },
    Ipv6Frag {
        id: u32,
        frag_offset: u16,
        more: bool,
        next: Option<u8>,
    },
    Udp {
        sport: u16,
        dport: u16,
    },
    Tcp {
        sport: u16,
        dport: u16,
        flags: u16,
        seq: u32,
        ack: u32,
    },
    /// `rest`: the 4 bytes after the checksum (an echo's identifier and sequence number).
    Icmp {
        kind: u8,
        code: u8,
        rest: [u8; 4],
    },
    Icmpv6 {
        kind: u8,
        code: u8,
        rest: [u8; 4],
    },
    /// An ARP request for Ethernet and IPv4 (target hardware address zero).
    Arp {
        sender_mac: [u8; 6],
        sender_ip: [u8; 4],
        target_ip: [u8; 4],
    },
    Vxlan {
        vni: u32,
    },
    Gre {
        key: Option<u32>,
        protocol: Option<u16>,
    },
    Payload(Vec<u8>),
}

impl Layer {
    /// Header size in bytes (the payload's size for a payload).
    fn size(&self) -> usize {
        match self {
            Layer::Eth { .. } => 14,
            Layer::Vlan { .. } => 4,
            Layer::Ipv4 { .. } => 20,
            Layer::Ipv6 { .. } => 40,
            Layer::Ipv6Ext { kind, hdr_ext_len, .. } => ext_size(*kind, *hdr_ext_len),
            Layer::Ipv6Frag { .. } => 8,
            Layer::Udp { .. } => 8,
            Layer::Tcp { .. } => 20,
            Layer::Icmp { .. } | Layer::Icmpv6 { .. } => 8,
            Layer::Arp { .. } => 28,
            Layer::Vxlan { .. } => 8,
            Layer::Gre { key, .. } => 4 + if key.is_some() { 4 } else { 0 },
            Layer::Payload(p) => p.len(),
        }
    }

    /// The ethertype announcing this layer, when it is one an ethertype can announce.
    fn ethertype(&self) -> Option<u16> {
        match self {
            Layer::Vlan { tpid, .. } => Some(*tpid),
            Layer::Ipv4 { .. } => Some(ethertype::IPV4),
            Layer::Ipv6 { .. } => Some(ethertype::IPV6),
            Layer::Eth { .. } => Some(ethertype::TEB),
            Layer::Arp { .. } => Some(ethertype::ARP),
            _ => None,
        }
    }

    /// The IP protocol number announcing this layer.
    fn ip_protocol(&self) -> u8 {
        match self {
            Layer::Ipv4 { .. } => 4,
            Layer::Ipv6 { .. } => 41,
            Layer::Ipv6Ext { kind, .. } => *kind,
            Layer::Ipv6Frag { .. } => 44,
            Layer::Udp { .. } => 17,
            Layer::Tcp { .. } => 6,
            Layer::Icmp { .. } => 1,
            Layer::Icmpv6 { .. } => 58,
            Layer::Gre { .. } => 47,
            _ => EXPERIMENTAL_PROTOCOL,
        }
    }
}

/// Bytes of an IPv6 extension header of type `kind` with the given length field: AH counts 4-byte
/// words minus 2 (RFC 4302), every other header 8-byte units minus 1 (RFC 8200).
fn ext_size(kind: u8, hdr_ext_len: u8) -> usize {
    if kind == 51 {
        (hdr_ext_len as usize + 2) * 4
    } else {
        (hdr_ext_len as usize + 1) * 8
    }
}

/// A packet under construction: a list of layers in wire order. Build with the chained methods,
/// finish with [`Pkt::bytes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkt {
    layers: Vec<Layer>,
    pad_to: usize,
}

impl Pkt {
    /// A packet that starts with an Ethernet II header.
    pub fn eth(src_mac: [u8; 6], dst_mac: [u8; 6]) -> Pkt {
        Pkt { layers: vec![Layer::Eth { src: src_mac, dst: dst_mac, ethertype: None }], pad_to: 0 }
    }

    /// A packet with no link header: it starts with the IP header that is added next (raw IP
    /// link types 101, 228, 229).
    pub fn raw() -> Pkt {
        Pkt { layers: Vec::new(), pad_to: 0 }
    }

    /// The link type a capture of this packet needs: Ethernet or raw IP.
    pub fn link_type(&self) -> LinkType {
        match self.layers.first() {
            Some(Layer::Eth { .. }) => LinkType::ETHERNET,
            _ => LinkType::RAW,
        }
    }

    fn push(mut self, layer: Layer) -> Pkt {
        self.layers.push(layer);
        self
    }

    /// An Ethernet header (inside a tunnel, after [`Pkt::gre`] or [`Pkt::vxlan_header`]).
    pub fn inner_eth(self, src_mac: [u8; 6], dst_mac: [u8; 6]) -> Pkt {
        self.push(Layer::Eth { src: src_mac, dst: dst_mac, ethertype: None })
    }

    /// An 802.1Q tag with VLAN id `id` (12 bits; priority 0).
    pub fn vlan(self, id: u16) -> Pkt {
        self.push(Layer::Vlan { tpid: ethertype::VLAN, id, ethertype: None })
    }

    /// A VLAN tag with another TPID (0x88a8 for an 802.1ad service tag, 0x9100).
    pub fn vlan_tpid(self, tpid: u16, id: u16) -> Pkt {
        self.push(Layer::Vlan { tpid, id, ethertype: None })
    }

    /// Set the ethertype of the last Ethernet header or VLAN tag, or the protocol type of the
    /// last GRE header, instead of deriving it from the next layer (for non-IP frames: ARP, ...).
    pub fn ethertype(mut self, value: u16) -> Pkt {
        for layer in self.layers.iter_mut().rev() {
            match layer {
                Layer::Eth { ethertype, .. } | Layer::Vlan { ethertype, .. } => {
                    *ethertype = Some(value);
                    break;
                }
                Layer::Gre { protocol, .. } => {
                    *protocol = Some(value);
                    break;
                }
                _ => {}
            }
        }
        self
    }

    /// An IPv4 header (no options, TTL 64, identification 0, not fragmented).
    pub fn ipv4(self, src: [u8; 4], dst: [u8; 4]) -> Pkt {
        self.push(Layer::Ipv4 {
            src,
            dst,
            ttl: 64,
            id: 0,
            dont_fragment: false,
            frag_offset: 0,
            more: false,
            protocol: None,
        })
    }

    /// Set the DF (don't fragment) bit of the last IPv4 header, as most hosts send it.
    pub fn dont_fragment(mut self) -> Pkt {
        if let Some(Layer::Ipv4 { dont_fragment, .. }) =
            self.layers.iter_mut().rev().find(|l| matches!(l, Layer::Ipv4 { .. }))
        {
            *dont_fragment = true;
        }
        self
    }

    /// Make the last IPv4 header a fragment: identification `id`, fragment offset `offset` in
    /// 8-byte units (the header field's value), and the MF bit.
    pub fn ipv4_fragment(mut self, id: u16, offset: u16, more: bool) -> Pkt {
        if let Some(Layer::Ipv4 { id: i, frag_offset, more: m, .. }) =
            self.layers.iter_mut().rev().find(|l| matches!(l, Layer::Ipv4 { .. }))
        {
            *i = id;
            *frag_offset = offset & 0x1fff;
            *m = more;
        }
        self
    }

    /// An IPv6 header (hop limit 64, traffic class and flow label 0).
    pub fn ipv6(self, src: [u8; 16], dst: [u8; 16]) -> Pkt {
        self.push(Layer::Ipv6 { src, dst, hop_limit: 64, next: None })
    }

    /// An IPv6 fragment extension header: identification `id`, offset in 8-byte units, M bit.
    pub fn ipv6_fragment(self, id: u32, offset: u16, more: bool) -> Pkt {
        self.push(Layer::Ipv6Frag { id, frag_offset: offset & 0x1fff, more, next: None })
    }

    /// An IPv6 extension header of type `kind` (0 hop-by-hop, 43 routing, 60 destination
    /// options, 51 AH, 135, 139, 140) with header length field `hdr_ext_len`; its body is zeros
    /// (Pad1 options; routing type 0 with no segments left).
    pub fn ipv6_ext(self, kind: u8, hdr_ext_len: u8) -> Pkt {
        self.push(Layer::Ipv6Ext { kind, hdr_ext_len, next: None })
    }

    /// Set the protocol (IPv4) or next-header value (IPv6 and its extension headers) of the last
    /// IP-level header, instead of deriving it from the next layer: what a non-first fragment
    /// carrying only payload needs.
    pub fn protocol(mut self, value: u8) -> Pkt {
        for layer in self.layers.iter_mut().rev() {
            match layer {
                Layer::Ipv4 { protocol: p, .. }
                | Layer::Ipv6 { next: p, .. }
                | Layer::Ipv6Ext { next: p, .. }
                | Layer::Ipv6Frag { next: p, .. } => {
                    *p = Some(value);
                    break;
                }
                _ => {}
            }
        }
        self
    }

    /// A UDP header (checksum computed over the pseudo header of the enclosing IP header).
    pub fn udp(self, sport: u16, dport: u16) -> Pkt {
        self.push(Layer::Udp { sport, dport })
    }

    /// A 20-byte TCP header with the given flags ([`tcp_flags`]; NS included), sequence and
    /// acknowledgment numbers 0, window 65535.
    pub fn tcp(self, sport: u16, dport: u16, flags: u16) -> Pkt {
        self.push(Layer::Tcp { sport, dport, flags, seq: 0, ack: 0 })
    }

    /// Set the sequence and acknowledgment numbers of the last TCP header.
    pub fn seq_ack(mut self, seq: u32, ack: u32) -> Pkt {
        if let Some(Layer::Tcp { seq: s, ack: a, .. }) =
            self.layers.iter_mut().rev().find(|l| matches!(l, Layer::Tcp { .. }))
        {
            *s = seq;
            *a = ack;
        }
        self
    }

    /// An 8-byte ICMP header (rest of header zero).
    pub fn icmp(self, kind: u8, code: u8) -> Pkt {
        self.push(Layer::Icmp { kind, code, rest: [0; 4] })
    }

    /// An ICMP echo request (type 8, code 0) with identifier `id` and sequence number `seq`.
    pub fn icmp_echo_request(self, id: u16, seq: u16) -> Pkt {
        self.push(Layer::Icmp { kind: 8, code: 0, rest: echo_rest(id, seq) })
    }

    /// An 8-byte ICMPv6 header (rest of header zero).
    pub fn icmpv6(self, kind: u8, code: u8) -> Pkt {
        self.push(Layer::Icmpv6 { kind, code, rest: [0; 4] })
    }

    /// An ICMPv6 echo request (type 128, code 0) with identifier `id` and sequence number `seq`.
    pub fn icmpv6_echo_request(self, id: u16, seq: u16) -> Pkt {
        self.push(Layer::Icmpv6 { kind: 128, code: 0, rest: echo_rest(id, seq) })
    }

    /// An ARP request (Ethernet, IPv4; 28 bytes) from `sender_mac`/`sender_ip` asking for
    /// `target_ip`: a non-IP frame after [`Pkt::eth`].
    pub fn arp_request(self, sender_mac: [u8; 6], sender_ip: [u8; 4], target_ip: [u8; 4]) -> Pkt {
        self.push(Layer::Arp { sender_mac, sender_ip, target_ip })
    }

    /// A VXLAN tunnel: an outer UDP header (source [`VXLAN_SOURCE_PORT`], destination 4789), the
    /// VXLAN header with `vni`, and an inner Ethernet header ([`VXLAN_INNER_MACS`]). Add the inner
    /// IP header next.
    pub fn vxlan(self, vni: u32) -> Pkt {
        let (src, dst) = VXLAN_INNER_MACS;
        self.udp(VXLAN_SOURCE_PORT, VXLAN_PORT).vxlan_header(vni).inner_eth(src, dst)
    }

    /// A bare 8-byte VXLAN header (flags 0x08: VNI valid), for tunnels on other ports; add the
    /// UDP header before it and an Ethernet header after it yourself.
    pub fn vxlan_header(self, vni: u32) -> Pkt {
        self.push(Layer::Vxlan { vni: vni & 0x00ff_ffff })
    }

    /// A GRE version 0 header, with the key field when `key` is given. Its protocol type comes
    /// from the next layer (IPv4, IPv6, Ethernet 0x6558) unless set with [`Pkt::ethertype`].
    pub fn gre(self, key: Option<u32>) -> Pkt {
        self.push(Layer::Gre { key, protocol: None })
    }

    /// `len` bytes of payload (a counting pattern).
    pub fn payload(self, len: usize) -> Pkt {
        self.push(Layer::Payload((0..len).map(|i| (i % 251) as u8).collect()))
    }

    /// The given payload bytes.
    pub fn payload_bytes(self, bytes: &[u8]) -> Pkt {
        self.push(Layer::Payload(bytes.to_vec()))
    }

    /// Pad the finished frame with zeros to at least `len` bytes (Ethernet's 60-byte minimum):
    /// padding is not counted by any length field.
    pub fn pad_to(mut self, len: usize) -> Pkt {
        self.pad_to = len;
        self
    }

    /// The length of [`Pkt::bytes`] without building it.
    pub fn len(&self) -> usize {
        self.layers.iter().map(Layer::size).sum::<usize>().max(self.pad_to)
    }

    /// Whether the packet has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The packet's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        self.write_to(&mut out);
        out
    }

    /// Append the packet's bytes to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let base = out.len();
        let sizes: Vec<usize> = self.layers.iter().map(Layer::size).collect();
        let mut offsets = Vec::with_capacity(sizes.len());
        let mut total = 0;
        for s in &sizes {
            offsets.push(total);
            total += s;
        }
        out.resize(base + total.max(self.pad_to), 0);
        let buf = &mut out[base..];

        // Pass 1, outside in: headers with their length and next-protocol fields.
        for (i, layer) in self.layers.iter().enumerate() {
            let at = offsets[i];
            let rest = total - at; // this layer and everything after it
            let next = self.layers.get(i + 1);
            let h = &mut buf[at..at + sizes[i]];
            match layer {
                Layer::Eth { src, dst, ethertype: et } => {
                    h[0..6].copy_from_slice(dst);
                    h[6..12].copy_from_slice(src);
                    let t = et.or_else(|| next.and_then(Layer::ethertype)).unwrap_or(ethertype::EXPERIMENTAL);
                    h[12..14].copy_from_slice(&t.to_be_bytes());
                }
                Layer::Vlan { tpid: _, id, ethertype: et } => {
                    // The TPID is written by the header before the tag (its ethertype field).
                    h[0..2].copy_from_slice(&(id & 0x0fff).to_be_bytes());
                    let t = et.or_else(|| next.and_then(Layer::ethertype)).unwrap_or(ethertype::EXPERIMENTAL);
                    h[2..4].copy_from_slice(&t.to_be_bytes());
                }
                Layer::Ipv4 { src, dst, ttl, id, dont_fragment, frag_offset, more, protocol } => {
                    h[0] = 0x45;
                    h[2..4].copy_from_slice(&(rest.min(0xffff) as u16).to_be_bytes());
                    h[4..6].copy_from_slice(&id.to_be_bytes());
                    let frag = (*frag_offset & 0x1fff)
                        | if *dont_fragment { 0x4000 } else { 0 }
                        | if *more { 0x2000 } else { 0 };
                    h[6..8].copy_from_slice(&frag.to_be_bytes());
                    h[8] = *ttl;
                    h[9] = protocol.unwrap_or_else(|| next.map_or(EXPERIMENTAL_PROTOCOL, Layer::ip_protocol));
                    h[12..16].copy_from_slice(src);
                    h[16..20].copy_from_slice(dst);
                    let c = checksum(0, h);
                    h[10..12].copy_from_slice(&c.to_be_bytes());
                }
                Layer::Ipv6 { src, dst, hop_limit, next: nh } => {
                    h[0] = 0x60;
                    h[4..6].copy_from_slice(&((rest - 40).min(0xffff) as u16).to_be_bytes());
                    h[6] = nh.unwrap_or_else(|| next.map_or(59, Layer::ip_protocol));
                    h[7] = *hop_limit;
                    h[8..24].copy_from_slice(src);
                    h[24..40].copy_from_slice(dst);
                }
                Layer::Ipv6Ext { hdr_ext_len, next: nh, .. } => {
                    h[0] = nh.unwrap_or_else(|| next.map_or(59, Layer::ip_protocol));
                    h[1] = *hdr_ext_len;
                }
                Layer::Ipv6Frag { id, frag_offset, more, next: nh } => {
                    h[0] = nh.unwrap_or_else(|| next.map_or(59, Layer::ip_protocol));
                    let f = (frag_offset << 3) | *more as u16;
                    h[2..4].copy_from_slice(&f.to_be_bytes());
                    h[4..8].copy_from_slice(&id.to_be_bytes());
                }
                Layer::Udp { sport, dport } => {
                    h[0..2].copy_from_slice(&sport.to_be_bytes());
                    h[2..4].copy_from_slice(&dport.to_be_bytes());
                    h[4..6].copy_from_slice(&(rest.min(0xffff) as u16).to_be_bytes());
                }
                Layer::Tcp { sport, dport, flags, seq, ack } => {
                    h[0..2].copy_from_slice(&sport.to_be_bytes());
                    h[2..4].copy_from_slice(&dport.to_be_bytes());
                    h[4..8].copy_from_slice(&seq.to_be_bytes());
                    h[8..12].copy_from_slice(&ack.to_be_bytes());
                    h[12] = (5 << 4) | ((flags >> 8) & 1) as u8;
                    h[13] = *flags as u8;
                    h[14..16].copy_from_slice(&65535u16.to_be_bytes());
                }
                Layer::Icmp { kind, code, rest } | Layer::Icmpv6 { kind, code, rest } => {
                    h[0] = *kind;
                    h[1] = *code;
                    h[4..8].copy_from_slice(rest);
                }
                Layer::Arp { sender_mac, sender_ip, target_ip } => {
                    // Hardware type Ethernet, protocol IPv4, address sizes 6 and 4, operation request.
                    h[0..8].copy_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
                    h[8..14].copy_from_slice(sender_mac);
                    h[14..18].copy_from_slice(sender_ip);
                    h[24..28].copy_from_slice(target_ip);
                }
                Layer::Vxlan { vni } => {
                    h[0] = 0x08;
                    h[4..7].copy_from_slice(&vni.to_be_bytes()[1..4]);
                }
                Layer::Gre { key, protocol } => {
                    if key.is_some() {
                        h[0] = 0x20; // K bit
                    }
                    let t = protocol
                        .or_else(|| next.and_then(Layer::ethertype))
                        .unwrap_or(ethertype::EXPERIMENTAL);
                    h[2..4].copy_from_slice(&t.to_be_bytes());
                    if let Some(k) = key {
                        h[4..8].copy_from_slice(&k.to_be_bytes());
                    }
                }
                Layer::Payload(p) => h.copy_from_slice(p),
            }
        }

        // Pass 2, inside out: L4 checksums, so that an outer checksum covers final inner bytes.
        for i in (0..self.layers.len()).rev() {
            let at = offsets[i];
            let end = total;
            let pseudo = self.pseudo_header_sum(i, buf, &offsets, end - at);
            let field = match self.layers[i] {
                Layer::Udp { .. } => Some((6, pseudo)),
                Layer::Tcp { .. } => Some((16, pseudo)),
                Layer::Icmp { .. } => Some((2, Some(0))),
                Layer::Icmpv6 { .. } => Some((2, pseudo)),
                _ => None,
            };
            if let Some((off, Some(initial))) = field {
                let mut c = checksum(initial, &buf[at..end]);
                if c == 0 && matches!(self.layers[i], Layer::Udp { .. }) {
                    c = 0xffff; // RFC 768: a computed 0 is sent as all ones
                }
                buf[at + off..at + off + 2].copy_from_slice(&c.to_be_bytes());
            }
        }
    }

    /// The one's-complement sum of the pseudo header (RFC 768 / RFC 8200 §8.1) for the L4 layer
    /// at `i`, from the nearest IP header before it; `None` without one.
    fn pseudo_header_sum(&self, i: usize, buf: &[u8], offsets: &[usize], l4_len: usize) -> Option<u32> {
        let proto = self.layers[i].ip_protocol() as u32;
        for j in (0..i).rev() {
            let at = offsets[j];
            match self.layers[j] {
                Layer::Ipv4 { .. } => {
                    let s = sum16(0, &buf[at + 12..at + 20]);
                    return Some(s + proto + l4_len as u32);
                }
                Layer::Ipv6 { .. } => {
                    let s = sum16(0, &buf[at + 8..at + 40]);
                    return Some(s + proto + (l4_len as u32 >> 16) + (l4_len as u32 & 0xffff));
                }
                Layer::Ipv6Ext { .. } | Layer::Ipv6Frag { .. } => continue,
                _ => return None,
            }
        }
        None
    }
}

/// An echo's rest of header: identifier, then sequence number.
fn echo_rest(id: u16, seq: u16) -> [u8; 4] {
    let (i, s) = (id.to_be_bytes(), seq.to_be_bytes());
    [i[0], i[1], s[0], s[1]]
}

fn sum16(mut acc: u32, bytes: &[u8]) -> u32 {
    let mut chunks = bytes.chunks_exact(2);
    for c in &mut chunks {
        acc = acc.wrapping_add(u16::from_be_bytes([c[0], c[1]]) as u32);
        acc = (acc & 0xffff) + (acc >> 16);
    }
    if let [last] = chunks.remainder() {
        acc = acc.wrapping_add((*last as u32) << 8);
    }
    acc
}

/// The Internet checksum (RFC 1071) of `bytes` (whose checksum field is zero) plus `initial`.
pub fn checksum(initial: u32, bytes: &[u8]) -> u16 {
    let mut s = sum16(initial, bytes);
    while s >> 16 != 0 {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_header_checksum_matches_rfc1071_example_header() {
        // The classic worked example: 4500 0073 0000 4000 4011 ---- c0a8 0001 c0a8 00c7 -> b861.
        let h = [0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0, 0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7];
        assert_eq!(checksum(0, &h), 0xb861);
    }

    #[test]
    fn raw_packet_starts_with_the_ip_header_and_wants_a_raw_link() {
        let p = Pkt::raw().ipv4([1, 2, 3, 4], [5, 6, 7, 8]).payload(3);
        let b = p.bytes();
        assert_eq!(p.link_type(), LinkType::RAW);
        assert_eq!(b[0], 0x45);
        assert_eq!(u16::from_be_bytes([b[2], b[3]]), 23);
        assert_eq!(b[9], EXPERIMENTAL_PROTOCOL);
    }

    #[test]
    fn padding_is_not_counted_by_length_fields() {
        let b = Pkt::eth([0; 6], [1; 6]).ipv4([1, 1, 1, 1], [2, 2, 2, 2]).udp(1, 2).pad_to(60).bytes();
        assert_eq!(b.len(), 60);
        assert_eq!(u16::from_be_bytes([b[16], b[17]]), 28);
    }
}
