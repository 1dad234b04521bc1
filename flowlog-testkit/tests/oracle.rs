//! The testkit checked against independent decoders: every packet kind the builder makes decodes
//! with etherparse to the addresses, ports and lengths asked for, with valid checksums; every
//! capture the writers make parses with pcap-parser to the same frames and timestamps; and the
//! generator's ground truth agrees with what etherparse finds in its output.

use std::collections::{HashMap, HashSet};

use etherparse::{LinkExtSlice, LinkSlice, NetSlice, SlicedPacket, TransportSlice};
use flowlog_core::LinkType;
use flowlog_testkit::{
    tcp_flags, write_pcap, Endian, FrameSize, PcapWriter, PcapngWriter, Pkt, TrafficSpec, TsPrecision,
    TsResol,
};
use pcap_parser::pcapng::Block;
use pcap_parser::{LegacyPcapBlock, PcapBlockOwned, PcapNGSlice};

const MAC_A: [u8; 6] = [2, 0, 0, 0, 0, 0xa];
const MAC_B: [u8; 6] = [2, 0, 0, 0, 0, 0xb];
const V4_A: [u8; 4] = [10, 0, 0, 1];
const V4_B: [u8; 4] = [192, 0, 2, 77];
const V6_A: [u8; 16] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const V6_B: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34];

fn ipv4(p: &SlicedPacket<'_>) -> etherparse::Ipv4HeaderSlice<'static> {
    match &p.net {
        Some(NetSlice::Ipv4(v4)) => {
            // Re-slice with a 'static lifetime is not possible; copy the header bytes instead.
            let h = v4.header().slice().to_vec().leak();
            etherparse::Ipv4HeaderSlice::from_slice(h).unwrap()
        }
        other => panic!("expected IPv4, got {other:?}"),
    }
}

fn ipv4_checksum_is_valid(h: &etherparse::Ipv4HeaderSlice<'_>) -> bool {
    h.to_header().calc_header_checksum() == h.header_checksum()
}

fn udp(p: &SlicedPacket<'_>) -> etherparse::UdpSlice<'static> {
    match &p.transport {
        Some(TransportSlice::Udp(u)) => etherparse::UdpSlice::from_slice(u.slice().to_vec().leak()).unwrap(),
        other => panic!("expected UDP, got {other:?}"),
    }
}

#[test]
fn ethernet_vlan_ipv4_udp_decodes_to_the_macs_vlan_addresses_ports_and_lengths_asked_for() {
    let b = Pkt::eth(MAC_A, MAC_B).vlan(10).ipv4(V4_A, V4_B).udp(53, 4242).payload(40).bytes();
    assert_eq!(b.len(), 14 + 4 + 20 + 8 + 40);
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    match &p.link {
        Some(LinkSlice::Ethernet2(e)) => {
            assert_eq!((e.source(), e.destination()), (MAC_A, MAC_B));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.vlan_ids().iter().map(|v| v.value()).collect::<Vec<_>>(), [10]);
    let h = ipv4(&p);
    assert_eq!((h.source(), h.destination(), h.total_len()), (V4_A, V4_B, 68));
    assert!(ipv4_checksum_is_valid(&h));
    let u = udp(&p);
    assert_eq!((u.source_port(), u.destination_port(), u.length()), (53, 4242, 48));
    assert_eq!(u.payload().len(), 40);
    let want = u.to_header().calc_checksum_ipv4_raw(V4_A, V4_B, u.payload()).unwrap();
    assert_eq!(u.checksum(), want);
}

#[test]
fn qinq_tags_decode_outer_then_inner() {
    let b = Pkt::eth(MAC_A, MAC_B).vlan_tpid(0x88a8, 100).vlan(200).ipv4(V4_A, V4_B).udp(1, 2).bytes();
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    assert_eq!(p.vlan_ids().iter().map(|v| v.value()).collect::<Vec<_>>(), [100, 200]);
    assert_eq!(u16::from_be_bytes([b[12], b[13]]), 0x88a8);
    assert!(matches!(p.link_exts[0], LinkExtSlice::Vlan(_)));
}

#[test]
fn ipv4_tcp_carries_every_flag_asked_for_including_ns_with_a_valid_checksum() {
    let flags = tcp_flags::SYN | tcp_flags::ACK | tcp_flags::NS | tcp_flags::CWR;
    let b = Pkt::eth(MAC_A, MAC_B).ipv4(V4_A, V4_B).tcp(40000, 443, flags).payload(7).bytes();
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    assert_eq!(ipv4(&p).total_len(), 20 + 20 + 7);
    match &p.transport {
        Some(TransportSlice::Tcp(t)) => {
            assert_eq!((t.source_port(), t.destination_port()), (40000, 443));
            assert!(t.syn() && t.ack() && t.ns() && t.cwr());
            assert!(!t.fin() && !t.rst() && !t.psh() && !t.urg() && !t.ece());
            assert_eq!(t.payload().len(), 7);
            assert_eq!(t.checksum(), t.calc_checksum_ipv4(V4_A, V4_B).unwrap());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ipv6_tcp_and_udp_decode_with_payload_length_and_valid_checksums() {
    let b = Pkt::eth(MAC_A, MAC_B).ipv6(V6_A, V6_B).tcp(1234, 80, tcp_flags::FIN).payload(3).bytes();
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    match (&p.net, &p.transport) {
        (Some(NetSlice::Ipv6(v6)), Some(TransportSlice::Tcp(t))) => {
            let h = v6.header();
            assert_eq!((h.source(), h.destination(), h.payload_length()), (V6_A, V6_B, 23));
            assert_eq!((t.source_port(), t.destination_port()), (1234, 80));
            assert!(t.fin());
            assert_eq!(t.checksum(), t.calc_checksum_ipv6(V6_A, V6_B).unwrap());
        }
        other => panic!("{other:?}"),
    }
    let b = Pkt::eth(MAC_A, MAC_B).ipv6(V6_A, V6_B).udp(5353, 5353).payload(11).bytes();
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    let u = udp(&p);
    assert_eq!(u.length(), 19);
    assert_eq!(u.checksum(), u.to_header().calc_checksum_ipv6_raw(V6_A, V6_B, u.payload()).unwrap());
}

#[test]
fn icmp_and_icmpv6_decode_to_the_type_and_code_asked_for_with_valid_checksums() {
    let b = Pkt::eth(MAC_A, MAC_B).ipv4(V4_A, V4_B).icmp(3, 4).payload(28).bytes();
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    match &p.transport {
        Some(TransportSlice::Icmpv4(i)) => {
            assert_eq!((i.type_u8(), i.code_u8()), (3, 4));
            assert_eq!(i.checksum(), i.icmp_type().calc_checksum(i.payload()));
        }
        other => panic!("{other:?}"),
    }
    let b = Pkt::raw().ipv6(V6_A, V6_B).icmpv6(128, 0).payload(16).bytes();
    let p = SlicedPacket::from_ip(&b).unwrap();
    match &p.transport {
        Some(TransportSlice::Icmpv6(i)) => {
            assert_eq!((i.type_u8(), i.code_u8()), (128, 0));
            assert!(i.is_checksum_valid(V6_A, V6_B));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn dont_fragment_sequence_numbers_and_echo_requests_decode_as_asked() {
    use etherparse::{IcmpEchoHeader, Icmpv4Type, Icmpv6Type};
    let echo = IcmpEchoHeader { id: 7, seq: 9 };
    let b =
        Pkt::eth(MAC_A, MAC_B).ipv4(V4_A, V4_B).dont_fragment().icmp_echo_request(7, 9).payload(5).bytes();
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    let h = ipv4(&p);
    assert!(h.dont_fragment() && !h.more_fragments() && h.fragments_offset().value() == 0);
    assert!(ipv4_checksum_is_valid(&h));
    match &p.transport {
        Some(TransportSlice::Icmpv4(i)) => {
            assert_eq!(i.icmp_type(), Icmpv4Type::EchoRequest(echo));
            assert_eq!(i.payload().len(), 5);
            assert_eq!(i.checksum(), i.icmp_type().calc_checksum(i.payload()));
        }
        other => panic!("{other:?}"),
    }
    let b = Pkt::raw().ipv6(V6_A, V6_B).icmpv6_echo_request(7, 9).payload(4).bytes();
    let p = SlicedPacket::from_ip(&b).unwrap();
    match &p.transport {
        Some(TransportSlice::Icmpv6(i)) => {
            assert_eq!(i.icmp_type(), Icmpv6Type::EchoRequest(echo));
            assert!(i.is_checksum_valid(V6_A, V6_B));
        }
        other => panic!("{other:?}"),
    }
    let b = Pkt::raw().ipv4(V4_A, V4_B).tcp(1, 2, tcp_flags::ACK).seq_ack(1000, 1).payload(3).bytes();
    let p = SlicedPacket::from_ip(&b).unwrap();
    match &p.transport {
        Some(TransportSlice::Tcp(t)) => {
            assert_eq!((t.sequence_number(), t.acknowledgment_number()), (1000, 1));
            assert_eq!(t.checksum(), t.calc_checksum_ipv4(V4_A, V4_B).unwrap());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn arp_request_decodes_to_the_sender_and_target_asked_for() {
    let b = Pkt::eth(MAC_A, [0xff; 6]).arp_request(MAC_A, V4_A, V4_B).bytes();
    assert_eq!(b.len(), 14 + 28);
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    match &p.net {
        Some(NetSlice::Arp(a)) => {
            assert_eq!(a.operation(), etherparse::ArpOperation::REQUEST);
            assert_eq!(a.proto_addr_type(), etherparse::EtherType::IPV4);
            assert_eq!((a.sender_hw_addr(), a.sender_protocol_addr()), (&MAC_A[..], &V4_A[..]));
            assert_eq!((a.target_hw_addr(), a.target_protocol_addr()), (&[0u8; 6][..], &V4_B[..]));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn vxlan_adds_outer_udp_4789_the_vni_and_an_inner_ethernet_frame() {
    let b = Pkt::eth(MAC_A, MAC_B)
        .ipv4([172, 16, 0, 1], [172, 16, 0, 2])
        .vxlan(0x12_3456)
        .ipv4(V4_A, V4_B)
        .tcp(1000, 2000, tcp_flags::ACK)
        .payload(5)
        .bytes();
    let outer = SlicedPacket::from_ethernet(&b).unwrap();
    let h = ipv4(&outer);
    assert_eq!(h.total_len() as usize, b.len() - 14);
    assert!(ipv4_checksum_is_valid(&h));
    let u = udp(&outer);
    assert_eq!(u.destination_port(), 4789);
    let vx = u.payload();
    assert_eq!(vx[0], 0x08);
    assert_eq!(u32::from_be_bytes([0, vx[4], vx[5], vx[6]]), 0x12_3456);
    let inner = SlicedPacket::from_ethernet(&vx[8..]).unwrap();
    let ih = ipv4(&inner);
    assert_eq!((ih.source(), ih.destination(), ih.total_len()), (V4_A, V4_B, 45));
    match &inner.transport {
        Some(TransportSlice::Tcp(t)) => assert_eq!((t.source_port(), t.destination_port()), (1000, 2000)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gre_with_key_carries_ipv4_and_gre_without_key_carries_ethernet() {
    let b = Pkt::eth(MAC_A, MAC_B).ipv4(V4_B, V4_A).gre(Some(77)).ipv4(V4_A, V4_B).udp(9, 10).bytes();
    let outer = SlicedPacket::from_ethernet(&b).unwrap();
    let h = ipv4(&outer);
    assert_eq!(h.protocol().0, 47);
    let gre = &b[14 + 20..];
    assert_eq!(u16::from_be_bytes([gre[0], gre[1]]), 0x2000); // K bit, version 0
    assert_eq!(u16::from_be_bytes([gre[2], gre[3]]), 0x0800);
    assert_eq!(u32::from_be_bytes([gre[4], gre[5], gre[6], gre[7]]), 77);
    let inner = SlicedPacket::from_ip(&gre[8..]).unwrap();
    assert_eq!(udp(&inner).destination_port(), 10);

    let b = Pkt::raw().ipv6(V6_A, V6_B).gre(None).inner_eth(MAC_B, MAC_A).ipv4(V4_A, V4_B).icmp(8, 0).bytes();
    let gre = &b[40..];
    assert_eq!(b[6], 47);
    assert_eq!(u16::from_be_bytes([gre[0], gre[1]]), 0);
    assert_eq!(u16::from_be_bytes([gre[2], gre[3]]), 0x6558);
    let inner = SlicedPacket::from_ethernet(&gre[4..]).unwrap();
    assert_eq!(ipv4(&inner).destination(), V4_B);
}

#[test]
fn ipv4_fragments_carry_id_offset_and_more_fragments_as_asked() {
    let first =
        Pkt::eth(MAC_A, MAC_B).ipv4(V4_A, V4_B).ipv4_fragment(0xbeef, 0, true).udp(7, 8).payload(24).bytes();
    let p = SlicedPacket::from_ethernet(&first).unwrap();
    let h = ipv4(&p);
    assert_eq!((h.identification(), h.fragments_offset().value(), h.more_fragments()), (0xbeef, 0, true));
    assert!(h.is_fragmenting_payload());
    assert!(ipv4_checksum_is_valid(&h));
    assert_eq!(&p.ip_payload().unwrap().payload[0..4], &[0, 7, 0, 8]);

    let rest = Pkt::raw().ipv4(V4_A, V4_B).ipv4_fragment(0xbeef, 4, false).protocol(17).payload(10).bytes();
    let p = SlicedPacket::from_ip(&rest).unwrap();
    let h = ipv4(&p);
    assert_eq!((h.protocol().0, h.fragments_offset().value(), h.more_fragments()), (17, 4, false));
    assert_eq!(h.total_len(), 30);
    assert!(p.transport.is_none());
}

#[test]
fn ipv6_extension_chain_and_fragment_header_decode_in_order() {
    let b = Pkt::eth(MAC_A, MAC_B)
        .ipv6(V6_A, V6_B)
        .ipv6_ext(0, 0) // hop-by-hop, 8 bytes
        .ipv6_ext(60, 1) // destination options, 16 bytes
        .ipv6_ext(51, 2) // AH: (2 + 2) * 4 = 16 bytes
        .ipv6_fragment(0xdead_beef, 0, true)
        .udp(500, 4500)
        .payload(8)
        .bytes();
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    match &p.net {
        Some(NetSlice::Ipv6(v6)) => {
            assert_eq!(v6.header().payload_length() as usize, 8 + 16 + 16 + 8 + 8 + 8);
            let kinds: Vec<_> = v6
                .extensions()
                .clone()
                .into_iter()
                .map(|e| match e {
                    etherparse::Ipv6ExtensionSlice::HopByHop(_) => 0,
                    etherparse::Ipv6ExtensionSlice::DestinationOptions(_) => 60,
                    etherparse::Ipv6ExtensionSlice::Authentication(_) => 51,
                    etherparse::Ipv6ExtensionSlice::Fragment(f) => {
                        // Offset and M are checked by hand below: etherparse 0.18 reads them
                        // from the wrong bits (JulianSchmid/etherparse#150, fixed in 0.20).
                        assert_eq!(f.identification(), 0xdead_beef);
                        44
                    }
                    etherparse::Ipv6ExtensionSlice::Routing(_) => 43,
                })
                .collect();
            assert_eq!(kinds, [0, 60, 51, 44]);
            assert_eq!(v6.payload().ip_number.0, 17);
            assert_eq!(&v6.payload().payload[0..4], &[0x01, 0xf4, 0x11, 0x94]);
        }
        other => panic!("{other:?}"),
    }
    // RFC 8200 §4.5: bytes 2..4 of the fragment header are offset << 3 | res << 1 | M.
    let frag = &b[14 + 40 + 8 + 16 + 16..];
    assert_eq!(frag[0], 17);
    assert_eq!(&frag[2..4], &[0x00, 0x01]);
    let later = Pkt::raw().ipv6(V6_A, V6_B).ipv6_fragment(7, 0x1234, false).protocol(17).payload(8).bytes();
    assert_eq!(u16::from_be_bytes([later[42], later[43]]), 0x1234 << 3);
    assert_eq!(u32::from_be_bytes([later[44], later[45], later[46], later[47]]), 7);
}

#[test]
fn raw_ip_packet_decodes_from_the_ip_header_and_padding_is_outside_the_ip_length() {
    let b = Pkt::raw().ipv4(V4_A, V4_B).udp(1, 2).payload(2).bytes();
    assert_eq!(b[0] >> 4, 4);
    assert_eq!(udp(&SlicedPacket::from_ip(&b).unwrap()).payload().len(), 2);

    let b = Pkt::eth(MAC_A, MAC_B).ipv4(V4_A, V4_B).udp(1, 2).pad_to(60).bytes();
    assert_eq!(b.len(), 60);
    let p = SlicedPacket::from_ethernet(&b).unwrap();
    assert_eq!(ipv4(&p).total_len(), 28);
    assert_eq!(udp(&p).payload().len(), 0);
}

// ---- capture files ------------------------------------------------------------------------

/// A classic pcap record as pcap-parser reads it: (ts_sec, ts_frac, orig_len, data).
type LegacyFrame = (u32, u32, u32, Vec<u8>);

fn legacy_frames(file: &[u8], big_endian: bool) -> (pcap_parser::PcapHeader, Vec<LegacyFrame>) {
    let (mut rest, header) = pcap_parser::pcap::parse_pcap_header(file).unwrap();
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (r, b): (&[u8], LegacyPcapBlock<'_>) = if big_endian {
            pcap_parser::pcap::parse_pcap_frame_be(rest).unwrap()
        } else {
            pcap_parser::pcap::parse_pcap_frame(rest).unwrap()
        };
        out.push((b.ts_sec, b.ts_usec, b.origlen, b.data.to_vec()));
        rest = r;
    }
    (header, out)
}

#[test]
fn classic_pcap_in_both_byte_orders_and_precisions_parses_to_the_same_frames_and_timestamps() {
    let a = Pkt::eth(MAC_A, MAC_B).ipv4(V4_A, V4_B).udp(1, 2).payload(10).bytes();
    let b = Pkt::eth(MAC_B, MAC_A).ipv6(V6_A, V6_B).tcp(3, 4, tcp_flags::SYN).bytes();
    let ts = [1_700_000_000_123_456_789u64, 1_700_000_001_000_000_999];
    for (endian, precision) in [
        (Endian::Little, TsPrecision::Micro),
        (Endian::Little, TsPrecision::Nano),
        (Endian::Big, TsPrecision::Micro),
        (Endian::Big, TsPrecision::Nano),
    ] {
        let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 96, endian, precision).unwrap();
        w.packet(ts[0], a.len() as u32, &a).unwrap();
        w.packet(ts[1], 1500, &b).unwrap(); // cut at capture: orig_len > caplen
        let file = w.into_inner();
        let (header, frames) = legacy_frames(&file, endian == Endian::Big);
        assert_eq!(header.network, pcap_parser::Linktype(1));
        assert_eq!(header.snaplen, 96);
        assert_eq!(header.is_nanosecond_precision(), precision == TsPrecision::Nano);
        assert_eq!(header.is_bigendian(), endian == Endian::Big);
        let frac = |t: u64| match precision {
            TsPrecision::Micro => (t % 1_000_000_000 / 1000) as u32,
            TsPrecision::Nano => (t % 1_000_000_000) as u32,
        };
        assert_eq!(frames[0], (1_700_000_000, frac(ts[0]), a.len() as u32, a.clone()));
        assert_eq!(frames[1], (1_700_000_001, frac(ts[1]), 1500, b.clone()));
    }
}

/// A packet as pcap-parser reads it from a pcapng file: (section, link type of its interface,
/// timestamp in ns or None for a simple packet block, orig_len, data).
type NgPacket = (usize, i32, Option<u64>, u32, Vec<u8>);

fn pcapng_packets(file: &[u8]) -> (Vec<NgPacket>, usize) {
    let mut section = 0usize;
    let mut ifaces: Vec<(i32, u8)> = Vec::new();
    let mut out = Vec::new();
    let mut other_blocks = 0;
    for block in PcapNGSlice::from_slice(file).unwrap() {
        let PcapBlockOwned::NG(block) = block.unwrap() else { panic!("legacy block in pcapng") };
        match block {
            Block::SectionHeader(_) => {
                section += 1;
                ifaces.clear();
            }
            Block::InterfaceDescription(idb) => ifaces.push((idb.linktype.0, idb.if_tsresol)),
            Block::EnhancedPacket(epb) => {
                let (link, resol) = ifaces[epb.if_id as usize];
                let units = ((epb.ts_high as u64) << 32) | epb.ts_low as u64;
                // Decode if_tsresol by hand (pcap-parser's build_ts_resolution rejects 2^-n).
                let ns = if resol & 0x80 == 0 {
                    let per_sec = 10u128.pow(resol as u32);
                    (units as u128 * 1_000_000_000 / per_sec) as u64
                } else {
                    ((units as u128 * 1_000_000_000) >> (resol & 0x7f)) as u64
                };
                let data = epb.data[..epb.caplen as usize].to_vec();
                out.push((section, link, Some(ns), epb.origlen, data));
            }
            Block::SimplePacket(spb) => {
                let data = spb.data[..spb.origlen as usize].to_vec();
                out.push((section, ifaces[0].0, None, spb.origlen, data));
            }
            _ => other_blocks += 1,
        }
    }
    (out, other_blocks)
}

#[test]
fn pcapng_with_two_sections_and_per_interface_link_types_and_tsresol_parses_back() {
    let eth = Pkt::eth(MAC_A, MAC_B).vlan(3).ipv4(V4_A, V4_B).udp(1, 2).payload(3).bytes(); // 49 bytes: padded
    let raw = Pkt::raw().ipv6(V6_A, V6_B).udp(3, 4).bytes();
    let t = 1_700_000_000_987_654_321u64;

    let mut w = PcapngWriter::new(Vec::new(), Endian::Little).unwrap();
    let e0 = w.interface(LinkType::ETHERNET, 65535, Some(TsResol::Pow10(9))).unwrap();
    let r1 = w.interface(LinkType::RAW, 65535, None).unwrap();
    w.enhanced(e0, t, eth.len() as u32, &eth).unwrap();
    w.enhanced(r1, t + 1_000, 9000, &raw).unwrap();
    w.interface_statistics(e0, t + 2_000).unwrap();
    w.simple(eth.len() as u32, &eth).unwrap();
    w.section(Endian::Big).unwrap();
    let r0 = w.interface(LinkType::RAW, 65535, Some(TsResol::Pow2(20))).unwrap();
    let e1 = w.interface(LinkType::ETHERNET, 65535, Some(TsResol::Pow10(3))).unwrap();
    w.enhanced(r0, t, raw.len() as u32, &raw).unwrap();
    w.enhanced(e1, t, eth.len() as u32, &eth).unwrap();
    let file = w.into_inner();

    let (packets, other) = pcapng_packets(&file);
    assert_eq!(other, 1, "the interface statistics block");
    // Expected timestamps by hand: µs default floors to ...987_654_000 + 1 µs; 2^-20 s units
    // floor to a multiple of 953.67 ns; ms floors to ...987_000_000.
    let pow2 = (((t as u128 * (1 << 20) / 1_000_000_000) * 1_000_000_000) >> 20) as u64;
    assert!(t - pow2 < 954);
    assert_eq!(
        packets,
        vec![
            (1, 1, Some(t), eth.len() as u32, eth.clone()),
            (1, 101, Some(1_700_000_000_987_655_000), 9000, raw.clone()),
            (1, 1, None, eth.len() as u32, eth.clone()),
            (2, 101, Some(pow2), raw.len() as u32, raw.clone()),
            (2, 1, Some(1_700_000_000_987_000_000), eth.len() as u32, eth.clone()),
        ]
    );
}

// ---- the generator -------------------------------------------------------------------------

/// What etherparse finds in one generated frame: the flow key of the innermost IP header, its
/// IP length, and which features the frame has.
struct Decoded {
    key: ([u8; 16], [u8; 16], u8, u16, u16),
    ip_len: u64,
    v6: bool,
    vlan: bool,
    vxlan: bool,
    fragment: bool,
}

/// Ports of first fragments by (src, dst, identification).
type FirstFragments = HashMap<([u8; 4], [u8; 4], u16), (u16, u16)>;

fn decode(frame: &[u8], first_fragments: &mut FirstFragments) -> Decoded {
    let outer = SlicedPacket::from_ethernet(frame).unwrap();
    let vlan = !outer.vlan_ids().is_empty();
    let mut p = outer;
    let mut vxlan = false;
    if let Some(TransportSlice::Udp(u)) = &p.transport {
        if u.destination_port() == 4789 {
            vxlan = true;
            let inner = u.payload()[8..].to_vec().leak();
            p = SlicedPacket::from_ethernet(inner).unwrap();
        }
    }
    let mut fragment = false;
    let (src, dst, proto, ip_len, v6) = match &p.net {
        Some(NetSlice::Ipv4(v4)) => {
            let h = v4.header();
            assert!(ipv4_checksum_is_valid(&h));
            let mut s = [0u8; 16];
            let mut d = [0u8; 16];
            s[..4].copy_from_slice(&h.source());
            d[..4].copy_from_slice(&h.destination());
            fragment = h.is_fragmenting_payload();
            (s, d, h.protocol().0, h.total_len() as u64, false)
        }
        Some(NetSlice::Ipv6(v6)) => {
            let h = v6.header();
            (h.source(), h.destination(), v6.payload().ip_number.0, 40 + h.payload_length() as u64, true)
        }
        other => panic!("no IP in a generated frame: {other:?}"),
    };
    let ports = match &p.transport {
        Some(TransportSlice::Udp(u)) => (u.source_port(), u.destination_port()),
        Some(TransportSlice::Tcp(t)) => (t.source_port(), t.destination_port()),
        Some(TransportSlice::Icmpv4(_)) | Some(TransportSlice::Icmpv6(_)) => (0, 0),
        None if fragment => {
            let Some(NetSlice::Ipv4(v4)) = &p.net else { unreachable!() };
            let h = v4.header();
            let id = (h.source(), h.destination(), h.identification());
            if h.fragments_offset().value() == 0 {
                let b = v4.payload().payload;
                let ports = (u16::from_be_bytes([b[0], b[1]]), u16::from_be_bytes([b[2], b[3]]));
                first_fragments.insert(id, ports);
                ports
            } else {
                *first_fragments.get(&id).expect("a non-first fragment follows its first fragment")
            }
        }
        other => panic!("unexpected transport {other:?}"),
    };
    Decoded { key: (src, dst, proto, ports.0, ports.1), ip_len, v6, vlan, vxlan, fragment }
}

#[test]
fn generated_pcap_matches_the_ground_truth_etherparse_finds_in_it() {
    let spec = TrafficSpec {
        packets: 6_000,
        flows: 700,
        seed: 42,
        ipv6_frac: 0.3,
        vlan_frac: 0.2,
        vxlan_frac: 0.1,
        fragment_frac: 0.2,
        frame_size: FrameSize::Imix,
        ..TrafficSpec::default()
    };
    let mut file = Vec::new();
    let truth = write_pcap(&spec, &mut file).unwrap();
    let (header, frames) = legacy_frames(&file, false);
    assert_eq!(header.network, pcap_parser::Linktype(1));
    assert_eq!(frames.len() as u64, spec.packets);
    assert_eq!(truth.packets, spec.packets);

    let mut keys = HashSet::new();
    let mut firsts = HashMap::new();
    let (mut bytes, mut v6, mut vlan, mut vxlan, mut frag) = (0, 0, 0, 0, 0);
    let mut last_ts = 0u64;
    for (sec, usec, orig_len, data) in &frames {
        let ts = *sec as u64 * 1_000_000 + *usec as u64;
        assert!(ts >= last_ts, "timestamps ascend");
        last_ts = ts;
        assert_eq!(*orig_len as usize, data.len());
        assert!(data.len() >= 60 && data.len() <= 1514, "IMIX frames are 60..=1514 captured bytes");
        let d = decode(data, &mut firsts);
        keys.insert(d.key);
        bytes += d.ip_len;
        v6 += d.v6 as u64;
        vlan += d.vlan as u64;
        vxlan += d.vxlan as u64;
        frag += d.fragment as u64;
    }
    let start_us = spec.start_ns / 1000;
    assert!(last_ts < start_us + spec.duration_ns / 1000);
    assert_eq!(keys.len() as u32, truth.flows);
    assert_eq!(truth.flows, 700);
    assert_eq!(bytes, truth.bytes);
    assert_eq!(
        (v6, vlan, vxlan, frag),
        (truth.ipv6_packets, truth.vlan_packets, truth.vxlan_packets, truth.fragment_packets)
    );
    // Every feature asked for is present.
    assert!(v6 > 0 && vlan > 0 && vxlan > 0 && frag > 0, "{truth:?}");
}

#[test]
fn min64_frames_are_60_captured_bytes_when_the_headers_fit() {
    let spec = TrafficSpec {
        packets: 500,
        flows: 50,
        ipv6_frac: 0.0,
        vlan_frac: 0.0,
        vxlan_frac: 0.0,
        fragment_frac: 0.0,
        frame_size: FrameSize::Min64,
        ..TrafficSpec::default()
    };
    for f in spec.frames() {
        assert_eq!(f.data.len(), 60);
        let p = SlicedPacket::from_ethernet(&f.data).unwrap();
        assert_eq!(ipv4(&p).total_len(), 46);
    }
}

#[test]
fn snaplen_cuts_captured_bytes_but_keeps_the_wire_length() {
    let spec = TrafficSpec { packets: 400, flows: 30, snaplen: 128, ..TrafficSpec::default() };
    let frames = spec.generate();
    let whole = TrafficSpec { snaplen: 0, ..spec }.generate();
    for (cut, full) in frames.iter().zip(&whole) {
        assert_eq!(cut.data.len(), full.data.len().min(128));
        assert_eq!(cut.orig_len as usize, full.data.len());
        assert_eq!(cut.data[..], full.data[..cut.data.len()]);
    }
    let t = spec.truth();
    assert_eq!(t.captured_bytes, frames.iter().map(|f| f.data.len() as u64).sum::<u64>());
    assert_eq!(t.wire_bytes, whole.iter().map(|f| f.data.len() as u64).sum::<u64>());
}

#[test]
fn frame_buffer_holds_the_same_frames_as_the_iterator() {
    let spec = TrafficSpec { packets: 300, flows: 20, ..TrafficSpec::default() };
    let buf = spec.frame_buffer();
    let frames = spec.generate();
    assert_eq!(buf.len(), frames.len());
    for ((ts, orig_len, data), f) in buf.iter().zip(&frames) {
        assert_eq!((ts, orig_len, data), (f.ts_ns, f.orig_len, &f.data[..]));
    }
    assert_eq!(buf.truth(), spec.truth());
}
