//! `dissect` against an independent decoder: random Ethernet / 802.1Q / IPv4 / IPv6 / TCP / UDP /
//! ICMP packets are built with etherparse's `PacketBuilder`, then parsed by `dissect` and by
//! etherparse's `SlicedPacket`; the fields of the flow key must agree. Cuts at random lengths
//! never panic and never invent addresses.

use etherparse::{NetSlice, PacketBuilder, SlicedPacket, TransportSlice};
use flowlog_core::parse::FragTable;
use flowlog_core::parse::{dissect, Dissected, LinkType};
use flowlog_core::{Config, Decap};
use flowlog_testkit::{ethertype, Pkt};
use proptest::prelude::*;

/// What the generator chose.
#[derive(Debug, Clone)]
struct Spec {
    v6: bool,
    src: [u8; 16],
    dst: [u8; 16],
    /// 0 TCP, 1 UDP, 2 ICMP (v4 or v6 by `v6`).
    l4: u8,
    sp: u16,
    dp: u16,
    tcp_flags: u16,
    icmp: (u8, u8),
    vlans: Vec<u16>,
    payload: Vec<u8>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<bool>(),
        any::<[u8; 16]>(),
        any::<[u8; 16]>(),
        0u8..3,
        any::<u16>(),
        any::<u16>(),
        0u16..512,
        any::<(u8, u8)>(),
        proptest::collection::vec(0u16..4096, 0..3),
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(v6, src, dst, l4, sp, dp, tcp_flags, icmp, vlans, mut payload)| {
            // etherparse reads an ICMPv4 timestamp request or reply (type 13 or 14, code 0) only
            // at its fixed length, 20 bytes (12 after the header), and refuses any other, which
            // it would build all the same.
            if !v6 && l4 == 2 && matches!(icmp, (13 | 14, 0)) {
                payload.resize(12, 0);
            }
            (v6, src, dst, l4, sp, dp, tcp_flags, icmp, vlans, payload)
        })
        .prop_map(|(v6, src, dst, l4, sp, dp, tcp_flags, icmp, vlans, payload)| Spec {
            v6,
            src,
            dst,
            l4,
            sp,
            dp,
            tcp_flags,
            icmp,
            vlans,
            payload,
        })
}

/// Ethernet and VLAN tags by the testkit (etherparse checks them on the way back), IP and L4 by
/// etherparse.
fn build(s: &Spec) -> Vec<u8> {
    let ip = if s.v6 {
        PacketBuilder::ipv6(s.src, s.dst, 64)
    } else {
        let mut a = [0; 4];
        a.copy_from_slice(&s.src[..4]);
        let mut b = [0; 4];
        b.copy_from_slice(&s.dst[..4]);
        PacketBuilder::ipv4(a, b, 64)
    };
    let mut l3 = Vec::new();
    match s.l4 {
        0 => {
            let mut t = ip.tcp(s.sp, s.dp, 1, 1000);
            let f = s.tcp_flags;
            let bit = |i: u16| f & (1 << i) != 0;
            if bit(0) {
                t = t.fin();
            }
            if bit(1) {
                t = t.syn();
            }
            if bit(2) {
                t = t.rst();
            }
            if bit(3) {
                t = t.psh();
            }
            if bit(4) {
                t = t.ack(7);
            }
            if bit(5) {
                t = t.urg(9);
            }
            if bit(6) {
                t = t.ece();
            }
            if bit(7) {
                t = t.cwr();
            }
            if bit(8) {
                t = t.ns();
            }
            t.write(&mut l3, &s.payload).unwrap();
        }
        1 => ip.udp(s.sp, s.dp).write(&mut l3, &s.payload).unwrap(),
        _ if s.v6 => ip.icmpv6_raw(s.icmp.0, s.icmp.1, [0; 4]).write(&mut l3, &s.payload).unwrap(),
        _ => ip.icmpv4_raw(s.icmp.0, s.icmp.1, [0; 4]).write(&mut l3, &s.payload).unwrap(),
    }
    let mut f = Pkt::eth([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1]);
    for &v in &s.vlans {
        f = f.vlan(v);
    }
    f.ethertype(if s.v6 { ethertype::IPV6 } else { ethertype::IPV4 }).payload_bytes(&l3).bytes()
}

/// The key fields as etherparse reads them: (version, src, dst, protocol, sport, dport,
/// tcp flags, icmp, vlan).
type Key = (u8, [u8; 16], [u8; 16], u8, u16, u16, u16, Option<(u8, u8)>, u16);

fn oracle(frame: &[u8]) -> Key {
    let p = SlicedPacket::from_ethernet(frame).expect("etherparse parses what it built");
    let vlan = p
        .link_exts
        .iter()
        .rev()
        .find_map(|e| match e {
            etherparse::LinkExtSlice::Vlan(v) => Some(v.vlan_identifier().value()),
            _ => None,
        })
        .unwrap_or(0);
    let (version, src, dst, proto) = match p.net.expect("an IP layer") {
        NetSlice::Ipv4(s) => {
            let mut a = [0; 16];
            a[..4].copy_from_slice(&s.header().source_addr().octets());
            let mut b = [0; 16];
            b[..4].copy_from_slice(&s.header().destination_addr().octets());
            (4, a, b, s.payload().ip_number.0)
        }
        NetSlice::Ipv6(s) => (
            6,
            s.header().source_addr().octets(),
            s.header().destination_addr().octets(),
            s.payload().ip_number.0,
        ),
        NetSlice::Arp(_) => panic!("not built"),
    };
    let (sp, dp, flags, icmp) = match p.transport.expect("an L4 layer") {
        TransportSlice::Tcp(t) => {
            let bits = [t.fin(), t.syn(), t.rst(), t.psh(), t.ack(), t.urg(), t.ece(), t.cwr(), t.ns()];
            let f = bits.iter().enumerate().fold(0u16, |a, (i, &b)| a | (u16::from(b) << i));
            (t.source_port(), t.destination_port(), f, None)
        }
        TransportSlice::Udp(u) => (u.source_port(), u.destination_port(), 0, None),
        TransportSlice::Icmpv4(i) => (0, 0, 0, Some((i.type_u8(), i.code_u8()))),
        TransportSlice::Icmpv6(i) => (0, 0, 0, Some((i.type_u8(), i.code_u8()))),
    };
    (version, src, dst, proto, sp, dp, flags, icmp, vlan)
}

fn key_of(d: &Dissected) -> Key {
    let icmp = d.has_icmp.then_some((d.icmp_type, d.icmp_code));
    (d.ip_version, d.src, d.dst, d.protocol, d.src_port, d.dst_port, d.tcp_flags, icmp, d.vlan)
}

fn run(frame: &[u8], decap: Decap) -> Result<Dissected, flowlog_core::Skip> {
    let config = Config { decap, ..Config::default() };
    let mut frags = FragTable::new(8);
    dissect(LinkType::ETHERNET, frame, frame.len() as u32, 0, &config, &mut frags)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn dissect_agrees_with_etherparse_on_the_key(s in spec()) {
        let frame = build(&s);
        let want = oracle(&frame);
        // Decap none: etherparse does not decapsulate, and a random UDP port may be a tunnel's.
        let d = run(&frame, Decap::None).expect("metered");
        prop_assert_eq!(key_of(&d), want);
        let ip_len = frame.len() - 14 - 4 * s.vlans.len();
        prop_assert_eq!(d.bytes, ip_len as u64);
    }

    #[test]
    fn cuts_at_random_lengths_never_panic_nor_invent_addresses(s in spec(), cut in any::<prop::sample::Index>()) {
        let frame = build(&s);
        let n = cut.index(frame.len() + 1);
        let full = run(&frame, Decap::None).expect("metered");
        for decap in [Decap::None, Decap::All] {
            if let Ok(d) = run(&frame[..n], decap) {
                if decap == Decap::None {
                    prop_assert_eq!((d.ip_version, d.src, d.dst), (full.ip_version, full.src, full.dst));
                    // Bytes come from the length field, never from the cut.
                    prop_assert_eq!(d.bytes, full.bytes);
                    prop_assert!(d.src_port == full.src_port || d.src_port == 0);
                }
            }
        }
    }
}
