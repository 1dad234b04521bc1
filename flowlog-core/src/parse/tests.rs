//! Unit tests of `dissect`, one per SPEC §2 sentence. Packets are built by the small helpers at
//! the top; every expected value is worked out by hand from the bytes built.

use super::fast::Fast;
use super::udp_tunnels::TunnelFilter;
use super::*;
use crate::config::{Accounting, Config, Decap, PortList};

const S: u64 = 1_000_000_000;
const A: [u8; 4] = [10, 0, 0, 1];
const B: [u8; 4] = [10, 0, 0, 2];
const C: [u8; 4] = [192, 168, 0, 1];
const D: [u8; 4] = [192, 168, 0, 2];
const A6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const B6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

// ---- packet builders -------------------------------------------------------------------------

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// IPv4 header (IHL 5) + payload; total length = 20 + payload.
fn v4(proto: u8, src: [u8; 4], dst: [u8; 4], payload: &[u8]) -> Vec<u8> {
    v4_full(proto, src, dst, payload, (20 + payload.len()) as u16, 0, 0x1234)
}

fn v4_full(proto: u8, src: [u8; 4], dst: [u8; 4], payload: &[u8], total: u16, frag: u16, id: u16) -> Vec<u8> {
    let t = total.to_be_bytes();
    let f = frag.to_be_bytes();
    let i = id.to_be_bytes();
    let mut h = vec![0x45, 0, t[0], t[1], i[0], i[1], f[0], f[1], 64, proto, 0, 0];
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    h.extend_from_slice(payload);
    h
}

/// IPv6 header + payload; payload length = payload.len().
fn v6(nh: u8, src: [u8; 16], dst: [u8; 16], payload: &[u8]) -> Vec<u8> {
    v6_len(nh, src, dst, payload, payload.len() as u16)
}

fn v6_len(nh: u8, src: [u8; 16], dst: [u8; 16], payload: &[u8], len: u16) -> Vec<u8> {
    let l = len.to_be_bytes();
    let mut h = vec![0x60, 0, 0, 0, l[0], l[1], nh, 64];
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    h.extend_from_slice(payload);
    h
}

fn udp(sp: u16, dp: u16, payload: &[u8]) -> Vec<u8> {
    let l = ((8 + payload.len()) as u16).to_be_bytes();
    cat(&[&sp.to_be_bytes(), &dp.to_be_bytes(), &l, &[0, 0], payload])
}

/// A 20-byte TCP header with `flags` and the NS bit.
fn tcp(sp: u16, dp: u16, flags: u8, ns: bool) -> Vec<u8> {
    let mut h = cat(&[&sp.to_be_bytes(), &dp.to_be_bytes(), &[0; 8]]);
    h.push(0x50 | u8::from(ns));
    h.push(flags);
    h.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
    h
}

fn eth(et: u16, payload: &[u8]) -> Vec<u8> {
    cat(&[&[0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], &et.to_be_bytes(), payload])
}

fn vlan_tag(tpid: u16, vid: u16, inner: u16) -> Vec<u8> {
    cat(&[&tpid.to_be_bytes(), &(0xe000 | vid).to_be_bytes(), &inner.to_be_bytes()])
}

fn udp4(sp: u16, dp: u16) -> Vec<u8> {
    v4(17, A, B, &udp(sp, dp, b"data"))
}

fn tcp4() -> Vec<u8> {
    v4(6, A, B, &tcp(1234, 80, 0x12, false))
}

// ---- running ---------------------------------------------------------------------------------

fn run(link: u32, frame: &[u8]) -> Result<Dissected, Skip> {
    run_cfg(&Config::default(), link, frame)
}

fn run_cfg(config: &Config, link: u32, frame: &[u8]) -> Result<Dissected, Skip> {
    let mut frags = FragTable::new(16);
    dissect(LinkType(link), frame, frame.len() as u32, S, config, &mut frags)
}

fn none() -> Config {
    Config { decap: Decap::None, ..Config::default() }
}

fn v4addr(a: [u8; 4]) -> [u8; 16] {
    let mut x = [0; 16];
    x[..4].copy_from_slice(&a);
    x
}

/// Assert the 5-tuple and bytes of a dissection.
#[track_caller]
fn check(d: Result<Dissected, Skip>, src: [u8; 4], dst: [u8; 4], proto: u8, sp: u16, dp: u16, bytes: u64) {
    let d = d.expect("metered");
    assert_eq!(d.ip_version, 4);
    assert_eq!((d.src, d.dst), (v4addr(src), v4addr(dst)), "addresses");
    assert_eq!((d.protocol, d.src_port, d.dst_port, d.bytes), (proto, sp, dp, bytes));
}

// ---- link layers -----------------------------------------------------------------------------

#[test]
fn ethernet_ii_carries_ipv4_and_ipv6() {
    check(run(1, &eth(0x0800, &tcp4())), A, B, 6, 1234, 80, 40);
    let d = run(1, &eth(0x86dd, &v6(17, A6, B6, &udp(1, 2, b"xy")))).unwrap();
    assert_eq!(
        (d.ip_version, d.src, d.dst, d.protocol, d.src_port, d.dst_port, d.bytes),
        (6, A6, B6, 17, 1, 2, 50)
    );
}

#[test]
fn ieee_802_3_with_llc_snap_carries_ip_and_other_llc_is_non_ip() {
    let ip = udp4(5, 6);
    let snap = cat(&[&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00], &ip]);
    check(run(1, &eth(snap.len() as u16, &snap)), A, B, 17, 5, 6, 32);
    let stp = [0x42, 0x42, 0x03, 0, 0, 0, 0];
    assert_eq!(run(1, &eth(stp.len() as u16, &stp)), Err(Skip::NonIp));
}

#[test]
fn arp_and_pppoe_discovery_are_non_ip() {
    assert_eq!(run(1, &eth(0x0806, &[0; 28])), Err(Skip::NonIp));
    assert_eq!(run(1, &eth(0x8863, &[0x11, 0x09, 0, 0, 0, 0])), Err(Skip::NonIp));
}

#[test]
fn linux_cooked_v1_and_v2() {
    let ip = udp4(5, 6);
    let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
    sll.extend_from_slice(&ip);
    check(run(113, &sll), A, B, 17, 5, 6, 32);
    let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
    sll2.extend_from_slice(&ip);
    check(run(276, &sll2), A, B, 17, 5, 6, 32);
    // Protocol 4 = 802.2 LLC follows.
    let mut llc = vec![0, 4, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x42, 0x42, 0x03];
    assert_eq!(run(276, &llc), Err(Skip::NonIp));
    llc.truncate(19);
    assert_eq!(run(276, &llc), Err(Skip::TruncatedL2));
}

#[test]
fn raw_ip_link_types_decide_by_version_or_by_link() {
    let ip4 = udp4(5, 6);
    let ip6 = v6(17, A6, B6, &udp(1, 2, b""));
    for link in [101, 12, 14] {
        check(run(link, &ip4), A, B, 17, 5, 6, 32);
        assert_eq!(run(link, &ip6).unwrap().ip_version, 6);
    }
    check(run(228, &ip4), A, B, 17, 5, 6, 32);
    assert_eq!(run(229, &ip6).unwrap().ip_version, 6);
    // A version nibble that contradicts the link type.
    assert_eq!(run(228, &ip6), Err(Skip::BadIpHeader));
    assert_eq!(run(229, &ip4), Err(Skip::BadIpHeader));
    assert_eq!(run(101, &[0x55; 40]), Err(Skip::BadIpHeader));
}

#[test]
fn null_and_loop_take_the_address_family_in_either_byte_order() {
    let ip4 = udp4(5, 6);
    let ip6 = v6(58, A6, B6, &[128, 0, 0, 0]);
    for link in [0, 108] {
        check(run(link, &cat(&[&2u32.to_le_bytes(), &ip4])), A, B, 17, 5, 6, 32);
        check(run(link, &cat(&[&2u32.to_be_bytes(), &ip4])), A, B, 17, 5, 6, 32);
        for af in [10u32, 23, 24, 28, 30] {
            assert_eq!(run(link, &cat(&[&af.to_le_bytes(), &ip6])).unwrap().ip_version, 6);
            assert_eq!(run(link, &cat(&[&af.to_be_bytes(), &ip6])).unwrap().ip_version, 6);
        }
        assert_eq!(run(link, &cat(&[&7u32.to_le_bytes(), &ip4])), Err(Skip::NonIp));
        assert_eq!(run(link, &[2, 0, 0]), Err(Skip::TruncatedL2));
    }
}

#[test]
fn ppp_ppp_in_hdlc_and_cisco_hdlc() {
    let ip = udp4(5, 6);
    check(run(9, &cat(&[&[0x00, 0x21], &ip])), A, B, 17, 5, 6, 32);
    check(run(9, &cat(&[&[0xff, 0x03, 0x00, 0x21], &ip])), A, B, 17, 5, 6, 32);
    check(run(9, &cat(&[&[0x21], &ip])), A, B, 17, 5, 6, 32); // protocol-field compression
    check(run(50, &cat(&[&[0xff, 0x03, 0x00, 0x21], &ip])), A, B, 17, 5, 6, 32);
    assert_eq!(run(50, &[0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4]), Err(Skip::NonIp)); // LCP
    check(run(104, &cat(&[&[0x0f, 0x00, 0x08, 0x00], &ip])), A, B, 17, 5, 6, 32);
    assert_eq!(run(104, &[0x8f, 0x00, 0x80, 0x35, 0, 0]), Err(Skip::NonIp)); // SLARP
}

#[test]
fn ieee_802_11_data_frames_with_llc_snap_plain_and_radiotap() {
    let ip = udp4(5, 6);
    let snap = [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00];
    // Data frame, FromDS: 24-byte header.
    let mut data = vec![0x08, 0x02];
    data.extend_from_slice(&[0; 22]);
    let frame = cat(&[&data, &snap, &ip]);
    check(run(105, &frame), A, B, 17, 5, 6, 32);
    // QoS data (subtype 8) with both DS bits: 24 + 6 + 2.
    let mut qos = vec![0x88, 0x03];
    qos.extend_from_slice(&[0; 30]);
    check(run(105, &cat(&[&qos, &snap, &ip])), A, B, 17, 5, 6, 32);
    // Radiotap of 12 bytes in front.
    let rt = [0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    check(run(127, &cat(&[&rt, &frame])), A, B, 17, 5, 6, 32);
    // A beacon (management) and a protected data frame carry no readable IP.
    let mut beacon = vec![0x80, 0x00];
    beacon.extend_from_slice(&[0; 40]);
    assert_eq!(run(105, &beacon), Err(Skip::NonIp));
    assert_eq!(run(105, &cat(&[&[0x08, 0x42], &[0; 22], &snap, &ip])), Err(Skip::NonIp));
}

#[test]
fn any_other_link_type_is_unsupported_and_never_fatal() {
    for link in [239, 147, 65_000, u32::MAX] {
        assert_eq!(run(link, &udp4(1, 2)), Err(Skip::UnsupportedLink));
        assert_eq!(run(link, &[]), Err(Skip::UnsupportedLink));
    }
}

// ---- shims -----------------------------------------------------------------------------------

#[test]
fn vlan_tags_are_walked_in_a_loop_and_the_innermost_id_is_kept() {
    let ip = udp4(5, 6);
    for tpid in [0x8100, 0x88a8, 0x9100] {
        let f = eth(tpid, &cat(&[&vlan_tag(0, 100, 0x8100)[2..], &vlan_tag(0, 200, 0x0800)[2..], &ip]));
        let d = run(1, &f).unwrap();
        assert_eq!((d.vlan, d.src_port, d.dst_port, d.bytes), (200, 5, 6, 32));
    }
    // A cut-off tag is a truncated link layer.
    assert_eq!(run(1, &eth(0x8100, &[0x00])), Err(Skip::TruncatedL2));
}

#[test]
fn vn_tag_is_skipped() {
    let f = eth(0x8926, &cat(&[&[0x80, 0x01, 0x00, 0x02], &[0x08, 0x00], &udp4(5, 6)]));
    check(run(1, &f), A, B, 17, 5, 6, 32);
}

#[test]
fn mpls_labels_to_bottom_of_stack_then_the_first_nibble_decides() {
    let ip4 = udp4(5, 6);
    let l = |bos: bool| [0x00, 0x01, if bos { 0x01 } else { 0x00 }, 64];
    for et in [0x8847, 0x8848] {
        check(run(1, &eth(et, &cat(&[&l(false), &l(false), &l(true), &ip4]))), A, B, 17, 5, 6, 32);
    }
    let ip6 = v6(17, A6, B6, &udp(1, 2, b""));
    assert_eq!(run(1, &eth(0x8847, &cat(&[&l(true), &ip6]))).unwrap().ip_version, 6);
    // Pseudowire control word (first nibble 0), then an Ethernet frame with a VLAN tag.
    let inner = eth(0x8100, &cat(&[&vlan_tag(0, 7, 0x0800)[2..], &ip4]));
    let d = run(1, &eth(0x8847, &cat(&[&l(true), &[0, 0, 0, 0], &inner]))).unwrap();
    assert_eq!((d.src_port, d.dst_port, d.vlan), (5, 6, 7));
    // Another first nibble is not IP; a stack without bottom is truncated.
    assert_eq!(run(1, &eth(0x8847, &cat(&[&l(true), &[0x10; 20]]))), Err(Skip::NonIp));
    assert_eq!(run(1, &eth(0x8847, &cat(&[&l(false), &l(false)]))), Err(Skip::TruncatedL2));
}

#[test]
fn pppoe_session_carries_ipv4_ipv6_and_mpls_and_ppp_control_is_non_ip() {
    let hdr = [0x11, 0x00, 0x00, 0x01, 0x00, 0x00];
    let ip4 = udp4(5, 6);
    check(run(1, &eth(0x8864, &cat(&[&hdr, &[0x00, 0x21], &ip4]))), A, B, 17, 5, 6, 32);
    let ip6 = v6(17, A6, B6, &udp(1, 2, b""));
    assert_eq!(run(1, &eth(0x8864, &cat(&[&hdr, &[0x00, 0x57], &ip6]))).unwrap().ip_version, 6);
    check(run(1, &eth(0x8864, &cat(&[&hdr, &[0x02, 0x81], &[0, 1, 1, 64], &ip4]))), A, B, 17, 5, 6, 32);
    assert_eq!(run(1, &eth(0x8864, &cat(&[&hdr, &[0xc0, 0x21], &[1, 1, 0, 4]]))), Err(Skip::NonIp));
    assert_eq!(run(1, &eth(0x8864, &hdr[..4])), Err(Skip::TruncatedL2));
}

// ---- tunnels ---------------------------------------------------------------------------------

/// Outer IPv4 C→D carrying `payload` as protocol `proto`.
fn outer(proto: u8, payload: &[u8]) -> Vec<u8> {
    eth(0x0800, &v4(proto, C, D, payload))
}

fn vxlan(vni: u32, inner: &[u8]) -> Vec<u8> {
    cat(&[&[0x08, 0, 0, 0], &(vni << 8).to_be_bytes(), inner])
}

#[test]
fn vxlan_on_both_default_ports_keys_the_inner_packet_with_its_vni() {
    let inner = eth(0x0800, &tcp4());
    for port in [4789, 8472] {
        let f = outer(17, &udp(40000, port, &vxlan(77, &inner)));
        let d = run(1, &f).unwrap();
        check(Ok(d), A, B, 6, 1234, 80, 40);
        assert_eq!((d.tunnel_id, d.tcp_flags), (77, 0x12));
        // Decap none: the outer header.
        let outer_len = (20 + 8 + 8 + inner.len()) as u64;
        check(run_cfg(&none(), 1, &f), C, D, 17, 40000, port, outer_len);
    }
    // The source port is flow entropy, never a tunnel marker.
    let f = outer(17, &udp(4789, 5000, &vxlan(77, &inner)));
    check(run(1, &f), C, D, 17, 4789, 5000, 20 + 8 + 8 + inner.len() as u64);
}

#[test]
fn tunnel_ports_are_configurable() {
    let inner = eth(0x0800, &tcp4());
    let f = outer(17, &udp(1, 9999, &vxlan(1, &inner)));
    let mut c = Config::default();
    check(run_cfg(&c, 1, &f), C, D, 17, 1, 9999, 20 + 8 + 8 + inner.len() as u64);
    c.tunnel_ports.vxlan = PortList::new(&[9999]).unwrap();
    check(run_cfg(&c, 1, &f), A, B, 6, 1234, 80, 40);
}

#[test]
fn a_tunnel_payload_that_is_not_ip_keys_the_tunnel_packet() {
    let arp = eth(0x0806, &[0; 28]);
    let f = outer(17, &udp(1, 4789, &vxlan(5, &arp)));
    let d = run(1, &f).unwrap();
    check(Ok(d), C, D, 17, 1, 4789, 20 + 8 + 8 + arp.len() as u64);
    assert_eq!(d.tunnel_id, 5);
}

#[test]
fn an_unusable_inner_ip_header_keys_the_tunnel_packet() {
    // Wrong version behind IP-in-IP 41 (inner says 4), and a cut-off inner header.
    let f = outer(41, &tcp4());
    check(run(1, &f), C, D, 41, 0, 0, 60);
    let cut = &tcp4()[..15];
    check(run(1, &outer(4, cut)), C, D, 4, 0, 0, 35);
    // ... and likewise behind an IPv6 outer header.
    let f6 = eth(0x86dd, &v6(41, A6, B6, &tcp4()));
    let d = run(1, &f6).unwrap();
    assert_eq!((d.ip_version, d.protocol, d.bytes), (6, 41, 80));
}

#[test]
fn geneve_options_are_skipped() {
    let inner = eth(0x0800, &tcp4());
    // Option length 2 words (8 bytes of options), protocol 0x6558, VNI 0x123456.
    let g = cat(&[&[0x02, 0x00, 0x65, 0x58, 0x12, 0x34, 0x56, 0x00], &[0xaa; 8], &inner]);
    let d = run(1, &outer(17, &udp(1, 6081, &g))).unwrap();
    check(Ok(d), A, B, 6, 1234, 80, 40);
    assert_eq!(d.tunnel_id, 0x123456);
    // Protocol IPv4 directly.
    let g4 = cat(&[&[0x00, 0x00, 0x08, 0x00, 0, 0, 1, 0], &tcp4()]);
    check(run(1, &outer(17, &udp(1, 6081, &g4))), A, B, 6, 1234, 80, 40);
}

/// GRE header with the given flags/version word, protocol and optional fields appended.
fn gre(flags: u16, proto: u16, fields: &[u8], payload: &[u8]) -> Vec<u8> {
    cat(&[&flags.to_be_bytes(), &proto.to_be_bytes(), fields, payload])
}

#[test]
fn gre_v0_with_checksum_key_sequence_and_routing_carries_ipv4() {
    let ip = tcp4();
    // C + K + S: checksum/offset, key 0xdeadbeef, sequence.
    let f = outer(47, &gre(0xb000, 0x0800, &[0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1], &ip));
    let d = run(1, &f).unwrap();
    check(Ok(d), A, B, 6, 1234, 80, 40);
    assert_eq!(d.tunnel_id, 0xdead_beef);
    // R: checksum/offset, one SRE of 4 bytes, then the null SRE.
    let f = outer(47, &gre(0x4000, 0x0800, &[0, 0, 0, 0, 0x08, 0x00, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0], &ip));
    check(run(1, &f), A, B, 6, 1234, 80, 40);
    // Decap none: keyed on the GRE packet, protocol 47, ports 0.
    check(run_cfg(&none(), 1, &f), C, D, 47, 0, 0, 20 + 4 + 16 + 40);
}

#[test]
fn gre_carries_ipv6_ethernet_erspan_and_mpls() {
    let ip6 = v6(17, A6, B6, &udp(1, 2, b""));
    assert_eq!(run(1, &outer(47, &gre(0, 0x86dd, &[], &ip6))).unwrap().ip_version, 6);
    let inner = eth(0x0800, &tcp4());
    check(run(1, &outer(47, &gre(0, 0x6558, &[], &inner))), A, B, 6, 1234, 80, 40);
    // ERSPAN II: sequence number present, 8-byte ERSPAN header.
    let erspan2 = cat(&[&[0x10, 0x01, 0x00, 0x05, 0, 0, 0, 0], &inner]);
    check(run(1, &outer(47, &gre(0x1000, 0x88be, &[0, 0, 0, 1], &erspan2))), A, B, 6, 1234, 80, 40);
    // ERSPAN I: no sequence number, no ERSPAN header.
    check(run(1, &outer(47, &gre(0, 0x88be, &[], &inner))), A, B, 6, 1234, 80, 40);
    // ERSPAN III: 12 bytes, plus 8 when O (bit 0 of the last byte) is set.
    let erspan3 = cat(&[&[0x20, 0, 0, 0], &[0; 7], &[0x00], &inner]);
    check(run(1, &outer(47, &gre(0x1000, 0x22eb, &[0, 0, 0, 1], &erspan3))), A, B, 6, 1234, 80, 40);
    let erspan3o = cat(&[&[0x20, 0, 0, 0], &[0; 7], &[0x01], &[0; 8], &inner]);
    check(run(1, &outer(47, &gre(0x1000, 0x22eb, &[0, 0, 0, 1], &erspan3o))), A, B, 6, 1234, 80, 40);
    // MPLS.
    check(run(1, &outer(47, &gre(0, 0x8847, &[], &cat(&[&[0, 1, 1, 64], &tcp4()])))), A, B, 6, 1234, 80, 40);
}

#[test]
fn gre_keepalive_and_unlisted_payload_types_key_the_gre_packet() {
    check(run(1, &outer(47, &gre(0, 0x0800, &[], &[]))), C, D, 47, 0, 0, 24);
    // Cisco MetaData 0x8909 is not listed.
    check(run(1, &outer(47, &gre(0, 0x8909, &[], &[1, 2, 3, 4]))), C, D, 47, 0, 0, 28);
}

#[test]
fn gre_v1_pptp_carries_ppp() {
    let ip = tcp4();
    let ppp = cat(&[&[0xff, 0x03, 0x00, 0x21], &ip]);
    // K + S, version 1, call id 0x0042.
    let fields = cat(&[&(ppp.len() as u16).to_be_bytes(), &[0x00, 0x42], &[0, 0, 0, 9]]);
    let d = run(1, &outer(47, &gre(0x3001, 0x880b, &fields, &ppp))).unwrap();
    check(Ok(d), A, B, 6, 1234, 80, 40);
    assert_eq!(d.tunnel_id, 0x42);
    // PPP control (LCP) and an acknowledgment without payload key the GRE packet.
    let lcp = [0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4];
    let fields = cat(&[&8u16.to_be_bytes(), &[0x00, 0x42], &[0, 0, 0, 9]]);
    check(run(1, &outer(47, &gre(0x3001, 0x880b, &fields, &lcp))), C, D, 47, 0, 0, 20 + 12 + 8);
    let ack = cat(&[&0u16.to_be_bytes(), &[0x00, 0x42], &[0, 0, 0, 9]]);
    check(run(1, &outer(47, &gre(0x2081, 0x880b, &ack, &[]))), C, D, 47, 0, 0, 20 + 12);
}

#[test]
fn ip_in_ip_any_nesting() {
    // 4 in 6 in 4 in Ethernet: the innermost header keys.
    let inner = tcp4();
    let mid = v6(4, A6, B6, &inner);
    check(run(1, &outer(41, &mid)), A, B, 6, 1234, 80, 40);
    let deep = v4(4, C, D, &v4(4, D, C, &v4(4, C, D, &tcp4())));
    check(run(101, &deep), A, B, 6, 1234, 80, 40);
    check(run_cfg(&none(), 101, &deep), C, D, 4, 0, 0, 100);
}

#[test]
fn gtp_u_with_extension_headers() {
    let ip = tcp4();
    // Flags 0x34 (version 1, PT, E), G-PDU, TEID 0x01020304, seq/npdu/next ext = 0x85 (PDU
    // session container, 1 word: len 1, two bytes, next 0).
    let h = cat(&[
        &[0x34, 0xff],
        &(ip.len() as u16 + 8).to_be_bytes(),
        &[1, 2, 3, 4],
        &[0, 0, 0, 0x85],
        &[1, 0x10, 0x09, 0x00],
    ]);
    let d = run(1, &outer(17, &udp(2152, 2152, &cat(&[&h, &ip])))).unwrap();
    check(Ok(d), A, B, 6, 1234, 80, 40);
    assert_eq!(d.tunnel_id, 0x0102_0304);
    // Plain header, no optional fields.
    let h = cat(&[&[0x30, 0xff, 0, 40], &[0, 0, 0, 9]]);
    check(run(1, &outer(17, &udp(1, 2152, &cat(&[&h, &ip])))), A, B, 6, 1234, 80, 40);
    // An echo request (type 1) carries no IP.
    let echo = [0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0];
    check(run(1, &outer(17, &udp(1, 2152, &echo))), C, D, 17, 1, 2152, 20 + 8 + 12);
}

#[test]
fn teredo_on_source_or_destination_port() {
    let ip6 = v6(17, A6, B6, &udp(1, 2, b"x"));
    for (sp, dp) in [(3544, 50000), (50000, 3544)] {
        let d = run(1, &outer(17, &udp(sp, dp, &ip6))).unwrap();
        assert_eq!((d.ip_version, d.src, d.src_port, d.bytes), (6, A6, 1, 49));
    }
    // Origin indication before the IPv6 packet.
    let oi = cat(&[&[0, 0, 0x12, 0x34, 1, 2, 3, 4], &ip6]);
    assert_eq!(run(1, &outer(17, &udp(3544, 1, &oi))).unwrap().ip_version, 6);
    // Authentication (id len 1, auth len 2) then origin indication.
    let au = cat(&[&[0, 1, 1, 2, 0xaa, 0xbb, 0xcc], &[0; 9], &oi]);
    assert_eq!(run(1, &outer(17, &udp(3544, 1, &au))).unwrap().ip_version, 6);
}

#[test]
fn mpls_over_udp_and_gre_over_udp() {
    let ip = tcp4();
    check(run(1, &outer(17, &udp(1, 6635, &cat(&[&[0, 1, 1, 64], &ip])))), A, B, 6, 1234, 80, 40);
    check(run(1, &outer(17, &udp(1, 4754, &gre(0, 0x0800, &[], &ip)))), A, B, 6, 1234, 80, 40);
}

#[test]
fn the_ip_header_quoted_in_an_icmp_error_is_never_a_tunnel() {
    // ICMP port unreachable quoting an IPv4/UDP to 4789.
    let quoted = udp4(1, 4789);
    let icmp = cat(&[&[3, 3, 0, 0, 0, 0, 0, 0], &quoted]);
    let d = run(1, &outer(1, &icmp)).unwrap();
    assert!(d.has_icmp);
    assert_eq!((d.src, d.protocol, d.icmp_type, d.icmp_code), (v4addr(C), 1, 3, 3));
}

// ---- IPv4 ------------------------------------------------------------------------------------

#[test]
fn ipv4_options_are_skipped() {
    let payload = tcp(1, 2, 0x10, false);
    let mut ip = v4(6, A, B, &[]);
    ip[0] = 0x47; // IHL 7: 8 bytes of options
    ip.extend_from_slice(&[1, 1, 1, 1, 1, 1, 1, 0]);
    ip.extend_from_slice(&payload);
    ip[3] = (28 + 20) as u8;
    check(run(101, &ip), A, B, 6, 1, 2, 48);
}

#[test]
fn an_unusable_ipv4_header_is_not_metered() {
    let mut ip = tcp4();
    ip[0] = 0x44; // IHL 4
    assert_eq!(run(101, &ip), Err(Skip::BadIpHeader));
    let mut ip = tcp4();
    ip[0] = 0x4f; // IHL 15 = 60 bytes, only 40 captured
    assert_eq!(run(101, &ip), Err(Skip::BadIpHeader));
    assert_eq!(run(1, &eth(0x0800, &tcp4()[..19])), Err(Skip::BadIpHeader));
    // An ethertype that contradicts the version nibble.
    assert_eq!(run(1, &eth(0x86dd, &tcp4())), Err(Skip::BadIpHeader));
}

#[test]
fn bytes_are_the_ip_length_field_even_when_larger_than_the_frame() {
    let mut ip = tcp4();
    ip[2..4].copy_from_slice(&1500u16.to_be_bytes());
    let f = eth(0x0800, &ip);
    let mut frags = FragTable::new(4);
    let d = dissect(LinkType(1), &f, 1514, S, &Config::default(), &mut frags).unwrap();
    assert_eq!((d.bytes, d.src_port, d.notes), (1500, 1234, Notes(0)));
}

#[test]
fn a_length_field_of_zero_or_below_the_header_takes_orig_len_minus_the_ip_offset() {
    for total in [0u16, 19] {
        let mut ip = tcp4();
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        let f = eth(0x8100, &cat(&[&vlan_tag(0, 1, 0x0800)[2..], &ip]));
        let mut frags = FragTable::new(4);
        let d = dissect(LinkType(1), &f, 9000, S, &Config::default(), &mut frags).unwrap();
        assert_eq!(d.bytes, 9000 - 18);
        assert!(d.notes.contains(Notes::BAD_LENGTH));
        assert_eq!((d.src_port, d.dst_port), (1234, 80), "ports bounded by the captured end alone");
    }
}

#[test]
fn l2_accounting_counts_orig_len() {
    let f = eth(0x0800, &tcp4());
    let c = Config { accounting: Accounting::L2, ..Config::default() };
    let mut frags = FragTable::new(4);
    let d = dissect(LinkType(1), &f, 1000, S, &c, &mut frags).unwrap();
    assert_eq!(d.bytes, 1000);
}

// ---- ports, flags, ICMP ----------------------------------------------------------------------

#[test]
fn ports_of_tcp_udp_sctp_dccp_and_udp_lite_and_none_for_others() {
    for proto in [6u8, 17, 132, 33, 136] {
        let d = run(101, &v4(proto, A, B, &[0x12, 0x34, 0x56, 0x78])).unwrap();
        assert_eq!((d.src_port, d.dst_port), (0x1234, 0x5678), "protocol {proto}");
    }
    let d = run(101, &v4(89, A, B, &[0x12, 0x34, 0x56, 0x78])).unwrap();
    assert_eq!((d.protocol, d.src_port, d.dst_port, d.notes), (89, 0, 0, Notes(0)));
}

#[test]
fn ports_need_four_bytes_bounded_by_the_ip_length_field() {
    // Three bytes of UDP captured.
    let d = run(101, &v4(17, A, B, &[0, 53, 0])).unwrap();
    assert_eq!((d.src_port, d.dst_port), (0, 0));
    assert!(d.notes.contains(Notes::TRUNCATED_L4));
    // Four bytes captured, but the length field ends the packet after 2 of them (padding).
    let mut ip = v4(17, A, B, &[0, 53, 0, 54]);
    ip[3] = 22;
    let d = run(101, &ip).unwrap();
    assert_eq!((d.src_port, d.dst_port, d.bytes), (0, 0, 22));
    assert!(d.notes.contains(Notes::TRUNCATED_L4));
}

#[test]
fn tcp_flags_are_nine_bits_and_need_fourteen_bytes() {
    let d = run(101, &v4(6, A, B, &tcp(1, 2, 0x11, true))).unwrap();
    assert_eq!(d.tcp_flags, 0x111);
    let d = run(101, &v4(6, A, B, &tcp(1, 2, 0x02, false)[..13])).unwrap();
    assert_eq!((d.src_port, d.dst_port, d.tcp_flags), (1, 2, 0));
}

#[test]
fn icmp_and_icmpv6_keep_type_and_code_with_ports_zero_or_in_the_destination_port() {
    let d = run(101, &v4(1, A, B, &[8, 0, 0, 0, 0, 1, 0, 1])).unwrap();
    assert!(d.has_icmp);
    assert_eq!((d.icmp_type, d.icmp_code, d.src_port, d.dst_port), (8, 0, 0, 0));
    let c = Config { icmp_in_ports: true, ..Config::default() };
    let d = run_cfg(&c, 101, &v4(1, A, B, &[3, 13, 0, 0, 0, 0, 0, 0])).unwrap();
    assert_eq!((d.src_port, d.dst_port), (0, 3 * 256 + 13));
    let d = run(101, &v6(58, A6, B6, &[135, 0, 0, 0])).unwrap();
    assert!(d.has_icmp);
    assert_eq!((d.icmp_type, d.icmp_code, d.protocol), (135, 0, 58));
}

// ---- IPv6 extension chain --------------------------------------------------------------------

/// An 8-byte extension header (hop-by-hop, routing, destination options, ...) of `nh`.
fn ext8(nh: u8) -> [u8; 8] {
    [nh, 0, 1, 4, 0, 0, 0, 0]
}

#[test]
fn the_ipv6_chain_is_walked_to_the_upper_layer_protocol() {
    let u = udp(7, 8, b"");
    // hop-by-hop → routing → destination options → mobility → HIP → shim6 → AH → UDP
    let ah = [17u8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // (1 + 2) × 4 = 12 bytes
    let p = cat(&[&ext8(43), &ext8(60), &ext8(135), &ext8(139), &ext8(140), &ext8(51), &ah, &u]);
    let d = run(229, &v6(0, A6, B6, &p)).unwrap();
    assert_eq!((d.protocol, d.src_port, d.dst_port, d.notes), (17, 7, 8, Notes(0)));
    assert_eq!(d.bytes, 40 + p.len() as u64);
}

#[test]
fn esp_and_no_next_header_end_the_chain() {
    let d = run(229, &v6(60, A6, B6, &cat(&[&ext8(50), &[1, 2, 3, 4, 5, 6, 7, 8]]))).unwrap();
    assert_eq!((d.protocol, d.src_port, d.notes), (50, 0, Notes(0)));
    let d = run(229, &v6(59, A6, B6, &[])).unwrap();
    assert_eq!((d.protocol, d.bytes), (59, 40));
}

#[test]
fn a_chain_cut_by_the_capture_or_the_payload_length_keys_the_last_header_type() {
    // Routing header of 16 bytes (len 1), only 8 captured.
    let f = v6_len(0, A6, B6, &cat(&[&ext8(43), &[17, 1, 0, 0, 0, 0, 0, 0]]), 40);
    let d = run(229, &f).unwrap();
    assert_eq!((d.protocol, d.src_port, d.dst_port), (43, 0, 0));
    assert!(d.notes.contains(Notes::BAD_IPV6_CHAIN));
    assert_eq!(d.bytes, 80);
    // Captured, but the payload length ends inside the destination options header.
    let f = v6_len(60, A6, B6, &cat(&[&ext8(17), &udp(1, 2, b"")]), 4);
    let d = run(229, &f).unwrap();
    assert_eq!((d.protocol, d.src_port), (60, 0));
    assert!(d.notes.contains(Notes::BAD_IPV6_CHAIN));
}

#[test]
fn a_jumbogram_takes_its_length_from_the_option() {
    // Hop-by-hop with the Jumbo Payload option: C2 04 <len>; payload length 0.
    let jumbo: u32 = 100_000;
    let hbh = cat(&[&[17, 0, 0xc2, 4], &jumbo.to_be_bytes()]);
    let d = run(229, &v6_len(0, A6, B6, &cat(&[&hbh, &udp(1, 2, b"")]), 0)).unwrap();
    assert_eq!((d.protocol, d.src_port, d.bytes, d.notes), (17, 1, 40 + 100_000, Notes(0)));
    // Payload length 0 without the option: bytes from orig_len.
    let d = run(229, &v6_len(17, A6, B6, &udp(1, 2, b""), 0)).unwrap();
    assert_eq!((d.bytes, d.src_port), (48, 1));
    assert!(d.notes.contains(Notes::BAD_LENGTH));
}

#[test]
fn an_ipv6_header_not_fully_captured_is_unusable() {
    assert_eq!(run(229, &v6(17, A6, B6, &[])[..39]), Err(Skip::BadIpHeader));
}

// ---- fragments -------------------------------------------------------------------------------

fn frag4(id: u16, frag: u16, payload: &[u8]) -> Vec<u8> {
    v4_full(17, A, B, payload, (20 + payload.len()) as u16, frag, id)
}

#[test]
fn a_non_first_fragment_takes_the_ports_of_its_first_fragment() {
    let mut frags = FragTable::new(16);
    let c = Config::default();
    let first = frag4(7, 0x2000, &udp(53, 999, &[0; 16]));
    let d = dissect(LinkType(101), &first, 44, S, &c, &mut frags).unwrap();
    assert_eq!((d.src_port, d.dst_port), (53, 999));
    let second = frag4(7, 3, &[0xee; 12]); // offset 24 bytes, last fragment
    let d = dissect(LinkType(101), &second, 32, 2 * S, &c, &mut frags).unwrap();
    assert_eq!((d.protocol, d.src_port, d.dst_port, d.tcp_flags, d.notes), (17, 53, 999, 0, Notes(0)));
    // Its payload is never read as ports, even when a datagram of another id is looked up.
    let d = dissect(LinkType(101), &frag4(8, 3, &[0xee; 12]), 32, 2 * S, &c, &mut frags).unwrap();
    assert_eq!((d.src_port, d.dst_port), (0, 0));
    assert!(d.notes.contains(Notes::ORPHAN_FRAGMENT));
}

#[test]
fn a_first_fragment_is_forgotten_after_30_seconds_of_packet_time() {
    let mut frags = FragTable::new(16);
    let c = Config::default();
    dissect(LinkType(101), &frag4(7, 0x2000, &udp(53, 999, &[0; 16])), 44, S, &c, &mut frags).unwrap();
    let d = dissect(LinkType(101), &frag4(7, 3, &[0; 8]), 28, 31 * S, &c, &mut frags).unwrap();
    assert_eq!(d.src_port, 53);
    let d = dissect(LinkType(101), &frag4(7, 4, &[0; 8]), 28, 31 * S + 1, &c, &mut frags).unwrap();
    assert_eq!(d.src_port, 0);
    assert!(d.notes.contains(Notes::ORPHAN_FRAGMENT));
}

#[test]
fn ipv6_fragments_match_by_fragment_id_and_the_atomic_fragment_is_plain() {
    let mut frags = FragTable::new(16);
    let c = Config::default();
    let fh = |off_m: u16, id: u32| cat(&[&[17, 0], &off_m.to_be_bytes(), &id.to_be_bytes()]);
    let first = v6(44, A6, B6, &cat(&[&fh(0x0001, 0xabcd), &udp(547, 546, &[0; 8])]));
    let d = dissect(LinkType(229), &first, 72, S, &c, &mut frags).unwrap();
    assert_eq!((d.protocol, d.src_port, d.dst_port), (17, 547, 546));
    let next = v6(44, A6, B6, &cat(&[&fh(2 << 3, 0xabcd), &[0xee; 8]]));
    let d = dissect(LinkType(229), &next, 64, S, &c, &mut frags).unwrap();
    assert_eq!((d.protocol, d.src_port, d.dst_port, d.notes), (17, 547, 546, Notes(0)));
    let orphan = v6(44, A6, B6, &cat(&[&fh(2 << 3, 0x9999), &[0xee; 8]]));
    let d = dissect(LinkType(229), &orphan, 64, S, &c, &mut frags).unwrap();
    assert_eq!((d.protocol, d.src_port), (17, 0));
    assert!(d.notes.contains(Notes::ORPHAN_FRAGMENT));
    // Atomic: offset 0, M clear.
    let atomic = v6(44, A6, B6, &cat(&[&fh(0, 1), &udp(1, 2, b"")]));
    let d = dissect(LinkType(229), &atomic, 56, S, &c, &mut frags).unwrap();
    assert_eq!((d.protocol, d.src_port, d.dst_port, d.notes), (17, 1, 2, Notes(0)));
}

#[test]
fn in_decap_all_first_fragments_of_every_ip_header_on_the_path_are_remembered() {
    let mut frags = FragTable::new(16);
    let c = Config::default();
    // An inner UDP first fragment inside IP-in-IP; its second fragment later in another tunnel
    // packet: the inner ports are found.
    let inner_first = frag4(5, 0x2000, &udp(1000, 2000, &[0; 8]));
    let f1 = v4(4, C, D, &inner_first);
    let d = dissect(LinkType(101), &f1, f1.len() as u32, S, &c, &mut frags).unwrap();
    assert_eq!((d.src, d.src_port), (v4addr(A), 1000));
    let f2 = v4(4, C, D, &frag4(5, 2, &[0; 8]));
    let d = dissect(LinkType(101), &f2, f2.len() as u32, S, &c, &mut frags).unwrap();
    assert_eq!((d.src, d.src_port, d.dst_port), (v4addr(A), 1000, 2000));
}

// ---- robustness ------------------------------------------------------------------------------

/// Every prefix of `frame` dissects without panicking, and every result is a metered packet or
/// one of the link/IP skip reasons that fits the cut.
fn every_cut(link: u32, frame: &[u8]) {
    for n in 0..=frame.len() {
        let _ = run(link, &frame[..n]);
        let _ = run_cfg(&none(), link, &frame[..n]);
    }
}

#[test]
fn cuts_at_every_length_never_panic_and_give_the_right_reason() {
    let plain = eth(0x8100, &cat(&[&vlan_tag(0, 1, 0x0800)[2..], &tcp4()]));
    every_cut(1, &plain);
    for n in 0..18 {
        assert_eq!(run(1, &plain[..n]), Err(Skip::TruncatedL2), "cut at {n}");
    }
    for n in 18..38 {
        assert_eq!(run(1, &plain[..n]), Err(Skip::BadIpHeader), "cut at {n}");
    }
    for n in 38..42 {
        let d = run(1, &plain[..n]).unwrap();
        assert!(d.notes.contains(Notes::TRUNCATED_L4), "cut at {n}");
        assert_eq!((d.src_port, d.bytes), (0, 40));
    }
    for n in 42..=plain.len() {
        assert_eq!(run(1, &plain[..n]).unwrap().src_port, 1234, "cut at {n}");
    }
    // Tunnels: every cut inside the tunnel keys the outer packet.
    let inner = eth(0x0800, &tcp4());
    let vx = outer(17, &udp(1, 4789, &vxlan(1, &inner)));
    every_cut(1, &vx);
    let inner_ip = 14 + 20 + 8 + 8 + 14;
    for n in 14 + 20 + 8..inner_ip + 20 {
        let d = run(1, &vx[..n]).unwrap();
        assert_eq!(d.src, v4addr(C), "cut at {n}");
    }
    for n in inner_ip + 20..vx.len() {
        assert_eq!(run(1, &vx[..n]).unwrap().src, v4addr(A), "cut at {n}");
    }
    let ip6 = v6(0, A6, B6, &cat(&[&ext8(44), &[17, 0, 0, 1, 0, 0, 0, 1], &udp(1, 2, b"abc")]));
    every_cut(229, &ip6);
    let gtp = outer(
        17,
        &udp(
            1,
            2152,
            &cat(&[&[0x34, 0xff, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0x85, 2, 0, 0, 0, 0, 0, 0, 0], &tcp4()]),
        ),
    );
    every_cut(1, &gtp);
    let teredo =
        outer(17, &udp(3544, 1, &cat(&[&[0, 1, 1, 2, 0xaa, 0xbb, 0xcc], &[0; 9], &v6(59, A6, B6, &[])])));
    every_cut(1, &teredo);
    let gre = outer(47, &gre(0xf000, 0x22eb, &[0; 16], &cat(&[&[0; 11], &[1], &[0; 8], &inner])));
    every_cut(1, &gre);
    for link in [0, 9, 50, 104, 105, 113, 127, 276] {
        every_cut(link, &[0xff; 64]);
        every_cut(link, &[0x00; 64]);
    }
}

// ---- fast path -------------------------------------------------------------------------------

/// A summary as the meter counts it: bytes and notes by the configured accounting (the tiers
/// report the IP length; the accounting is applied after them, as here).
fn accounted(config: &Config, mut d: Dissected, orig_len: u32) -> Dissected {
    d.bytes = config.accounting.bytes(d.bytes, orig_len);
    d.notes = d.notes.under(config.accounting);
    d
}

/// The general walk alone, with every UDP datagram checked against the tunnel lists.
fn walk_only(config: &Config, frame: &[u8], orig_len: u32) -> Result<Dissected, Skip> {
    let mut frags = FragTable::new(16);
    let mut d = Dissected::EMPTY;
    let settings = Settings { config, tunnels: &TunnelFilter::CHECK_EVERY_PORT };
    walk::walk(
        LinkType::ETHERNET,
        Captured { data: frame, orig_len, ts_ns: S },
        settings,
        &mut frags,
        &mut d,
    )?;
    Ok(accounted(config, d, orig_len))
}

/// The fast path's outer headers alone: `Some` when it took the frame.
fn fast_outer_only(config: &Config, frame: &[u8], orig_len: u32) -> Option<Dissected> {
    let mut d = Dissected::EMPTY;
    let tunnels = TunnelFilter::new(&config.tunnel_ports);
    let settings = Settings { config, tunnels: &tunnels };
    matches!(fast::outer(frame, settings, &mut d), Fast::Done).then(|| accounted(config, d, orig_len))
}

/// Every configuration the fast path reads.
fn fast_path_configs() -> Vec<Config> {
    let mut configs = Vec::new();
    for decap in [Decap::All, Decap::None] {
        for accounting in [Accounting::Ip, Accounting::L2] {
            for icmp_in_ports in [false, true] {
                configs.push(Config { decap, accounting, icmp_in_ports, ..Config::default() });
            }
        }
    }
    configs
}

/// Mixed generated traffic (IMIX sizes, 30 % IPv6, 30 % VLAN-tagged, 10 % fragmented) of which
/// `vxlan_frac` is VXLAN: the input of the fast paths' agreement tests.
fn mixed_traffic(vxlan_frac: f64) -> Vec<crate::testkit::GeneratedFrame> {
    use crate::testkit::{FrameSize, TrafficSpec};
    let spec = TrafficSpec {
        packets: 4_000,
        flows: 300,
        ipv6_frac: 0.3,
        vlan_frac: 0.3,
        vxlan_frac,
        fragment_frac: 0.1,
        frame_size: FrameSize::Imix,
        ..TrafficSpec::default()
    };
    spec.generate()
}

/// A fast path alone, as the summary it gives: `Some` when it took the frame.
type FastPath = fn(&Config, &[u8], u32) -> Option<Dissected>;

/// How many of `frames` the fast path `path` takes in `config`, asserting that each one it takes
/// gives the walk's summary and passes `also`.
fn taken_agreeing_with_the_walk(
    config: &Config,
    frames: &[crate::testkit::GeneratedFrame],
    path: FastPath,
    also: impl Fn(&[u8], u32, &Dissected),
) -> usize {
    let mut taken = 0;
    for f in frames {
        if let Some(d) = path(config, &f.data, f.orig_len) {
            taken += 1;
            assert_eq!(Ok(d), walk_only(config, &f.data, f.orig_len), "{config:?} {:02x?}", f.data);
            also(&f.data, f.orig_len, &d);
        }
    }
    taken
}

#[test]
fn fast_path_agrees_with_the_walk_on_generated_traffic() {
    let frames = mixed_traffic(0.1);
    for config in fast_path_configs() {
        let taken = taken_agreeing_with_the_walk(&config, &frames, fast_outer_only, |_, _, _| ());
        // Not vacuous: the generator's plain frames (all but VXLAN and fragments) go fast.
        assert!(taken * 10 >= frames.len() * 7, "{config:?}: fast path took {taken} of {}", frames.len());
    }
}

#[test]
fn fast_path_declines_tunnels_fragments_options_and_extension_headers() {
    let all = Config::default();
    let declined = [
        outer(17, &udp(1, 4789, &vxlan(1, &eth(0x0800, &tcp4())))),
        eth(0x0800, &udp4(3544, 1)),
        outer(4, &tcp4()),
        outer(47, &gre(0, 0x0800, &[], &tcp4())),
        eth(0x0800, &frag4(7, 0x2000, &udp(1, 2, b"abcd"))),
        eth(0x0800, &v4_full(17, A, B, &udp(1, 2, b""), 0, 0, 1)),
        eth(0x86dd, &v6(44, A6, B6, &cat(&[&[17, 0, 0, 1, 0, 0, 0, 1], &udp(1, 2, b"abc")]))),
        eth(0x86dd, &v6_len(17, A6, B6, &udp(1, 2, b"abc"), 0)),
        eth(0x8100, &cat(&[&vlan_tag(0, 1, 0x8100)[2..], &vlan_tag(0x8100, 2, 0x0800)[2..], &tcp4()])),
        eth(0x0800, &{
            let mut h = tcp4();
            h[0] = 0x46; // IHL 6: an option word (the TCP header's first 4 bytes serve as one)
            h
        }),
    ];
    for f in &declined {
        assert_eq!(fast_outer_only(&all, f, f.len() as u32), None, "{f:02x?}");
        assert!(walk_only(&all, f, f.len() as u32).is_ok(), "the walk meters it: {f:02x?}");
    }
    // Mode `none` does not follow tunnels: the fast path keeps a VXLAN packet as the walk does.
    let vx = outer(17, &udp(1, 4789, &vxlan(1, &eth(0x0800, &tcp4()))));
    assert_eq!(
        fast_outer_only(&none(), &vx, vx.len() as u32).map(Ok),
        Some(walk_only(&none(), &vx, vx.len() as u32))
    );
}

#[test]
fn the_tunnel_filter_never_misses_a_listed_port() {
    let ports = crate::config::TunnelPorts {
        vxlan: PortList::new(&[53, 4789, 8472]).unwrap(),
        teredo: PortList::new(&[3544, 0, 65535]).unwrap(),
        ..crate::config::TunnelPorts::default()
    };
    let f = TunnelFilter::new(&ports);
    for list in [ports.vxlan, ports.geneve, ports.gtp_u, ports.mpls_udp, ports.gre_udp, ports.teredo] {
        for &p in list.as_slice() {
            assert!(f.may_match(12345, p), "destination {p}");
        }
    }
    for &p in ports.teredo.as_slice() {
        assert!(f.may_match(p, 12345), "teredo source {p}");
    }
    // The default lists let the common service ports through without a scan.
    let d = TunnelFilter::new(&crate::config::TunnelPorts::default());
    for service in [53, 80, 123, 443] {
        assert!(!d.may_match(40000, service), "{service}");
    }
    // And nearly every other port: each listed port lets at most 64 through (1024-bit sets).
    let hits = (0..=u16::MAX).filter(|&p| d.may_match(40000, p)).count();
    let listed = [ports_default().vxlan, ports_default().geneve, ports_default().gtp_u]
        .iter()
        .chain(&[ports_default().mpls_udp, ports_default().gre_udp, ports_default().teredo])
        .map(|l| l.as_slice().len())
        .sum::<usize>();
    assert!(hits <= listed * 64, "{hits} of 65536 destination ports pass");
    let hits = (0..=u16::MAX).filter(|&p| d.may_match(p, 40000)).count();
    assert!(hits <= ports_default().teredo.as_slice().len() * 64, "{hits} of 65536 source ports pass");
}

fn ports_default() -> crate::config::TunnelPorts {
    crate::config::TunnelPorts::default()
}

/// Frame `pick` of a small generated VPC capture (seeded; `vxlan_frac` of it tunnelled), with
/// the bytes at `flips` overwritten and cut to `cut` bytes (at least 1).
fn damaged_generated_frame(
    seed: u64,
    pick: usize,
    flips: &[(usize, u8)],
    cut: usize,
    vxlan_frac: f64,
    frame_size: crate::testkit::FrameSize,
) -> Vec<u8> {
    let spec = crate::testkit::TrafficSpec {
        packets: 64,
        flows: 16,
        seed,
        ipv6_frac: 0.4,
        vlan_frac: 0.3,
        vxlan_frac,
        fragment_frac: 0.1,
        frame_size,
        ..crate::testkit::TrafficSpec::default()
    };
    let frames = spec.generate();
    let mut data = frames[pick % frames.len()].data.clone();
    for &(at, v) in flips {
        if let Some(b) = data.get_mut(at) {
            *b = v;
        }
    }
    data.truncate(cut.max(1));
    data
}

/// The IPv4 and IPv6 transport paths alone, as the summary they stand for: `Some` when one took
/// the frame.
fn transport_only(config: &Config, frame: &[u8], orig_len: u32) -> Option<Dissected> {
    let tunnels = TunnelFilter::new(&config.tunnel_ports);
    let settings = Settings { config, tunnels: &tunnels };
    let v4 = direct::ipv4(frame, settings).map(|t| t.dissected());
    let v6 = direct::ipv6(frame, settings).map(|t| t.dissected());
    assert!(v4.is_none() || v6.is_none());
    v4.or(v6).map(|d| accounted(config, d, orig_len))
}

#[test]
fn transport_paths_agree_with_the_walk_on_generated_traffic() {
    let frames = mixed_traffic(0.1);
    for config in fast_path_configs() {
        let taken = taken_agreeing_with_the_walk(&config, &frames, transport_only, |_, _, _| ());
        // Not vacuous: the untagged TCP and UDP frames (about 45%) take them.
        assert!(taken * 10 >= frames.len() * 3, "{config:?}: took {taken} of {}", frames.len());
    }
}

#[test]
fn transport_paths_decline_every_other_shape() {
    let all = Config::default();
    let declined = [
        // A VXLAN port, a Teredo source port: tunnels in decap mode `all`.
        outer(17, &udp(1, 4789, &vxlan(1, &eth(0x0800, &tcp4())))),
        eth(0x0800, &v4(17, A, B, &udp(3544, 1, b"0123456789"))),
        outer(4, &tcp4()),
        eth(0x0800, &frag4(7, 0x2000, &udp(1, 2, b"abcd"))),
        eth(0x0800, &v4_full(17, A, B, &udp(1, 2, b""), 0, 0, 1)),
        eth(0x86dd, &v6(44, A6, B6, &cat(&[&[17, 0, 0, 1, 0, 0, 0, 1], &udp(1, 2, b"0123456789")]))),
        eth(0x86dd, &v6_len(17, A6, B6, &udp(1, 2, b"0123456789"), 0)),
        eth(0x86dd, &v6(58, A6, B6, &[128; 20])),
        eth(0x8100, &cat(&[&vlan_tag(0x8100, 2, 0x0800)[2..], &tcp4()])),
        eth(0x0800, &v4(1, A, B, &[8; 20])),
    ];
    for frame in declined {
        assert_eq!(transport_only(&all, &frame, frame.len() as u32), None, "{frame:02x?}");
    }
    // A TCP header cut before its flags, by the capture or by the IP length.
    let plain_tcp = eth(0x0800, &tcp4());
    assert!(transport_only(&all, &plain_tcp, plain_tcp.len() as u32).is_some());
    for cut in 14 + 20..14 + 20 + 14 {
        assert_eq!(transport_only(&all, &plain_tcp[..cut], plain_tcp.len() as u32), None, "cut at {cut}");
    }
    let mut short = plain_tcp.clone();
    short[14 + 2..14 + 4].copy_from_slice(&33u16.to_be_bytes());
    assert_eq!(transport_only(&all, &short, short.len() as u32), None);
    let dns = eth(0x0800, &v4(17, A, B, &udp(53, 4242, b"0123456789")));
    assert!(transport_only(&all, &dns, dns.len() as u32).is_some());
    let tcp6 = eth(0x86dd, &v6(6, A6, B6, &tcp(1234, 80, 0x12, true)));
    assert!(transport_only(&all, &tcp6, tcp6.len() as u32).is_some());
    let mut short6 = tcp6.clone();
    short6[14 + 4..14 + 6].copy_from_slice(&13u16.to_be_bytes());
    assert_eq!(transport_only(&all, &short6, short6.len() as u32), None);
    // In decap mode `none` a tunnel port is a plain UDP datagram.
    let vxlan = outer(17, &udp(1, 4789, &vxlan(1, &eth(0x0800, &tcp4()))));
    let d = transport_only(&none(), &vxlan, vxlan.len() as u32);
    assert_eq!(d.map(Ok), Some(walk_only(&none(), &vxlan, vxlan.len() as u32)));
}

#[test]
fn a_udp_header_needs_only_its_ports_captured_on_the_transport_paths() {
    // A minimum-size frame (60 bytes) holds an IPv6 UDP header only up to its length field.
    let all = Config::default();
    let udp6 = eth(0x86dd, &v6(17, A6, B6, &udp(5353, 4242, b"")));
    let udp4 = eth(0x0800, &v4(17, A, B, &udp(5353, 4242, b"")));
    for (frame, l4) in [(udp6, 14 + 40), (udp4, 14 + 20)] {
        for cut in l4 + 4..=frame.len() {
            let got = transport_only(&all, &frame[..cut], frame.len() as u32);
            let d = got.unwrap_or_else(|| panic!("declined at {cut}: {frame:02x?}"));
            assert_eq!((d.src_port, d.dst_port, d.tcp_flags), (5353, 4242, 0));
            assert_eq!(Ok(d), walk_only(&all, &frame[..cut], frame.len() as u32), "cut at {cut}");
        }
        for cut in l4..l4 + 4 {
            assert_eq!(transport_only(&all, &frame[..cut], frame.len() as u32), None, "cut at {cut}");
        }
    }
    // The same inside VXLAN: the inner frame need not hold more.
    let inner = eth(0x86dd, &v6(17, A6, B6, &udp(5353, 4242, b"")));
    let frame = outer(17, &udp(1, 4789, &vxlan(1, &inner)));
    let cut = frame.len() - 4;
    let got = vxlan_transport_only(&all, &frame[..cut], frame.len() as u32);
    assert_eq!(got.map(Ok), Some(walk_only(&all, &frame[..cut], frame.len() as u32)));
}

/// The whole dissection (fast path, then the walk from where it stopped) on one frame.
fn fast_then_walk(config: &Config, frame: &[u8], orig_len: u32) -> Result<Dissected, Skip> {
    let mut frags = FragTable::new(16);
    let tunnels = TunnelFilter::new(&config.tunnel_ports);
    let settings = Settings { config, tunnels: &tunnels };
    let mut d = Dissected::EMPTY;
    dissect_into(
        LinkType::ETHERNET,
        Captured { data: frame, orig_len, ts_ns: S },
        settings,
        &mut frags,
        &mut d,
    )?;
    Ok(accounted(config, d, orig_len))
}

#[test]
fn a_tunnel_behind_a_plain_outer_header_is_dissected_as_the_walk_alone_dissects_it() {
    use crate::testkit::{FrameSize, TrafficSpec};
    let spec = TrafficSpec {
        packets: 4_000,
        flows: 300,
        ipv6_frac: 0.3,
        vlan_frac: 0.3,
        vxlan_frac: 0.5,
        fragment_frac: 0.1,
        frame_size: FrameSize::Imix,
        ..TrafficSpec::default()
    };
    let mut handed = 0;
    for config in fast_path_configs() {
        let tunnels = TunnelFilter::new(&config.tunnel_ports);
        let settings = Settings { config: &config, tunnels: &tunnels };
        for f in spec.generate() {
            let mut d = Dissected::EMPTY;
            if matches!(fast::outer(&f.data, settings, &mut d), Fast::Tunnel(_)) {
                handed += 1;
            }
            assert_eq!(
                fast_then_walk(&config, &f.data, f.orig_len),
                walk_only(&config, &f.data, f.orig_len),
                "{config:?} {:02x?}",
                f.data
            );
        }
    }
    // Not vacuous: in decap mode `all` the VXLAN frames are handed over.
    assert!(handed > 100, "handed over {handed}");
    // Also the hand-written tunnels: IP in IP, GRE, VXLAN, each behind a VLAN tag too.
    let config = Config::default();
    for inner in [
        outer(4, &tcp4()),
        outer(47, &gre(0, 0x0800, &[], &tcp4())),
        outer(17, &udp(1, 4789, &vxlan(1, &eth(0x0800, &tcp4())))),
    ] {
        let tagged = eth(0x8100, &cat(&[&vlan_tag(0x8100, 7, 0x0800)[2..], &inner[14..]]));
        for frame in [inner, tagged] {
            let want = walk_only(&config, &frame, frame.len() as u32);
            assert!(want.is_ok());
            assert_eq!(fast_then_walk(&config, &frame, frame.len() as u32), want, "{frame:02x?}");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Generated frames (many tunnelled) with random byte changes and cuts: the fast path and the
    /// walk it hands over to give what the walk alone gives.
    #[test]
    fn the_fast_path_and_its_hand_over_agree_with_the_walk_on_damaged_frames(
        seed in 0u64..1_000,
        pick in 0usize..64,
        flips in proptest::collection::vec((0usize..128, proptest::prelude::any::<u8>()), 0..4),
        cut in 0usize..200,
        orig_extra in 0u32..100,
        config in 0usize..8,
    ) {
        let data = damaged_generated_frame(seed, pick, &flips, cut, 0.5, crate::testkit::FrameSize::Fixed(200));
        let config = fast_path_configs()[config];
        let orig_len = data.len() as u32 + orig_extra;
        proptest::prop_assert_eq!(fast_then_walk(&config, &data, orig_len), walk_only(&config, &data, orig_len));
    }
}

/// The VXLAN fast path alone, behind a plain outer header: `Some` when it took the frame to the
/// end (a tunnel inside goes on in the walk, which `fast_then_walk` covers).
fn fast_vxlan_only(config: &Config, frame: &[u8], orig_len: u32) -> Option<Dissected> {
    let tunnels = TunnelFilter::new(&config.tunnel_ports);
    let settings = Settings { config, tunnels: &tunnels };
    let mut d = Dissected::EMPTY;
    let Fast::Tunnel(at) = fast::outer(frame, settings, &mut d) else {
        return None;
    };
    if at.next != Next::Vxlan {
        return None;
    }
    let outer = d;
    match fast::vxlan_inner(frame, at, settings, &mut d) {
        Fast::Done => Some(accounted(config, d, orig_len)),
        Fast::Tunnel(_) => None,
        Fast::Declined => {
            // Declined, it leaves the outer summary for the walk.
            assert_eq!(d, outer);
            None
        }
    }
}

/// Whether the key of summary `d`, whichever ids it takes, is the key of the walk's summary.
fn assert_same_keys_as_the_walk(config: &Config, frame: &[u8], orig_len: u32, d: &Dissected) {
    for (key_vlan, key_tunnel) in [(false, false), (true, false), (false, true), (true, true)] {
        let key = |d: &Dissected| {
            crate::key::FlowKey::new(d, 3, Default::default(), Default::default(), key_vlan, key_tunnel)
        };
        assert_eq!(walk_only(config, frame, orig_len).map(|w| key(&w)), Ok(key(d)));
    }
}

/// `path`, one of the VXLAN paths, on mixed traffic half of whose flows are VXLAN, in every
/// fast-path configuration: what it takes is the walk's summary, keyed as the walk keys it with
/// whichever ids; not vacuous, it takes at least `tenths` tenths of the frames in decap mode
/// `all`, and none in `none`.
fn assert_vxlan_path_agrees_with_the_walk(path: FastPath, tenths: usize) {
    let frames = mixed_traffic(0.5);
    for config in fast_path_configs() {
        let same_keys = |frame: &[u8], orig_len: u32, d: &Dissected| {
            assert_same_keys_as_the_walk(&config, frame, orig_len, d)
        };
        let taken = taken_agreeing_with_the_walk(&config, &frames, path, same_keys);
        if config.decap == Decap::All {
            assert!(taken * 10 >= frames.len() * tenths, "{config:?}: took {taken} of {}", frames.len());
        } else {
            assert_eq!(taken, 0);
        }
    }
}

#[test]
fn the_vxlan_fast_path_agrees_with_the_walk_on_generated_traffic() {
    // The VXLAN frames (but fragments) take it.
    assert_vxlan_path_agrees_with_the_walk(fast_vxlan_only, 3);
}

/// The direct VXLAN path alone ([`vxlan_inner`], then the transport paths on the inner frame),
/// as the summary it stands for: `Some` when it took the frame.
fn vxlan_transport_only(config: &Config, frame: &[u8], orig_len: u32) -> Option<Dissected> {
    let tunnels = TunnelFilter::new(&config.tunnel_ports);
    let (vni, inner) = direct::vxlan_inner(frame, Settings { config, tunnels: &tunnels })?;
    let mut d = transport_only(config, inner, orig_len)?;
    d.tunnel_id = vni;
    Some(d)
}

#[test]
fn the_direct_vxlan_path_agrees_with_the_walk_on_generated_traffic() {
    // The VXLAN frames with an untagged outer frame and an untagged inner TCP or UDP packet take
    // it (fragments, tags and ICMP do not).
    assert_vxlan_path_agrees_with_the_walk(vxlan_transport_only, 2);
}

#[test]
fn the_direct_vxlan_path_takes_untagged_tcp_and_udp_and_declines_every_other_shape() {
    let all = Config::default();
    let l2 = Config { accounting: Accounting::L2, ..Config::default() };
    let udp6 = v6(17, A6, B6, &udp(1, 2, b"0123456789"));
    for inner in [eth(0x0800, &tcp4()), eth(0x86dd, &udp6)] {
        let frame = outer(17, &udp(40000, 4789, &vxlan(0x12345, &inner)));
        for config in [&all, &l2] {
            let orig_len = frame.len() as u32 + 4;
            let d = vxlan_transport_only(config, &frame, orig_len).expect("taken");
            assert_eq!(Ok(d), walk_only(config, &frame, orig_len), "{frame:02x?}");
            assert_eq!((d.tunnel_id, d.vlan), (0x12345, 0));
            let want_bytes =
                if config.accounting == Accounting::L2 { orig_len } else { inner.len() as u32 - 14 };
            assert_eq!(d.bytes, u64::from(want_bytes));
            assert_same_keys_as_the_walk(config, &frame, orig_len, &d);
            // Cut anywhere: taken only with the walk's answer.
            for cut in 0..frame.len() {
                let f = &frame[..cut];
                if let Some(d) = vxlan_transport_only(config, f, orig_len) {
                    assert_eq!(Ok(d), walk_only(config, f, orig_len), "cut at {cut}");
                }
            }
        }
    }
    let inner = eth(0x0800, &tcp4());
    let vxlan_udp = udp(40000, 4789, &vxlan(1, &inner));
    let mut cut_by_length = outer(17, &vxlan_udp);
    cut_by_length[14 + 2..14 + 4].copy_from_slice(&23u16.to_be_bytes());
    let declined = [
        // Outer or inner VLAN tag, another tunnel's port, a fragment, UDP ports beyond the IP
        // length, VXLAN in VXLAN, ICMP inside.
        eth(0x8100, &cat(&[&vlan_tag(0, 7, 0x0800)[2..], &outer(17, &vxlan_udp)[14..]])),
        outer(17, &udp(40000, 4789, &vxlan(1, &eth(0x8100, &cat(&[&vlan_tag(0, 9, 0x0800)[2..], &tcp4()]))))),
        outer(17, &udp(40000, 6081, &vxlan(1, &inner))),
        eth(0x0800, &frag4(7, 0x2000, &vxlan_udp)),
        cut_by_length,
        outer(17, &udp(40000, 4789, &vxlan(1, &outer(17, &udp(1, 4789, &vxlan(2, &inner)))))),
        outer(17, &udp(40000, 4789, &vxlan(1, &eth(0x0800, &v4(1, A, B, &[8; 20]))))),
    ];
    for frame in declined {
        assert_eq!(vxlan_transport_only(&all, &frame, frame.len() as u32), None, "{frame:02x?}");
    }
    // Decap mode `none`, or 4789 not in the VXLAN list: no tunnel to follow.
    let frame = outer(17, &vxlan_udp);
    assert!(vxlan_transport_only(&all, &frame, frame.len() as u32).is_some());
    let mut elsewhere = Config::default();
    elsewhere.tunnel_ports.vxlan = PortList::new(&[9999]).unwrap();
    for config in [none(), elsewhere] {
        assert_eq!(vxlan_transport_only(&config, &frame, frame.len() as u32), None, "{config:?}");
    }
}

/// The direct paths behind one VLAN tag ([`one_vlan_tag`], then the untagged direct paths on
/// what follows it), as the summary they stand for: `Some` when one took the frame.
fn tagged_transport_only(config: &Config, frame: &[u8], orig_len: u32) -> Option<Dissected> {
    let (vlan, untagged) = direct::behind_one_tag(frame)?;
    let direct = transport_only(config, untagged, orig_len);
    let mut d = direct.or_else(|| vxlan_transport_only(config, untagged, orig_len))?;
    d.vlan = vlan;
    Some(d)
}

#[test]
fn the_tagged_direct_paths_agree_with_the_walk_on_generated_traffic() {
    for vxlan_frac in [0.0, 0.5] {
        let frames = mixed_traffic(vxlan_frac);
        for config in fast_path_configs() {
            let same_keys = |frame: &[u8], orig_len: u32, d: &Dissected| {
                assert_same_keys_as_the_walk(&config, frame, orig_len, d)
            };
            let taken = taken_agreeing_with_the_walk(&config, &frames, tagged_transport_only, same_keys);
            // Not vacuous: the generator tags 30 % of its frames; most are TCP or UDP.
            assert!(taken * 100 >= frames.len() * 15, "{config:?}: took {taken} of {}", frames.len());
        }
    }
}

#[test]
fn the_tagged_direct_paths_take_one_tag_of_either_kind_and_decline_every_other_shape() {
    let all = Config::default();
    let l2 = Config { accounting: Accounting::L2, ..Config::default() };
    let udp6 = v6(17, A6, B6, &udp(1, 2, b"0123456789"));
    let vxlan_tcp = outer(17, &udp(40000, 4789, &vxlan(0x12345, &eth(0x0800, &tcp4()))));
    let payloads = [(0x0800, tcp4(), 0), (0x86dd, udp6, 0), (0x0800, vxlan_tcp[14..].to_vec(), 0x12345)];
    for (tpid, vid) in [(0x8100, 9), (0x88a8, 0xfff), (0x8100, 0)] {
        for (et, ip, tunnel_id) in &payloads {
            let frame = eth(tpid, &cat(&[&vlan_tag(0, vid, *et)[2..], ip]));
            for config in [&all, &l2] {
                let orig_len = frame.len() as u32 + 4;
                let d = tagged_transport_only(config, &frame, orig_len).expect("taken");
                assert_eq!(Ok(d), walk_only(config, &frame, orig_len), "{frame:02x?}");
                assert_eq!((d.vlan, d.tunnel_id), (vid, *tunnel_id));
                assert_same_keys_as_the_walk(config, &frame, orig_len, &d);
                // Cut anywhere: taken only with the walk's answer.
                for cut in 0..frame.len() {
                    let f = &frame[..cut];
                    if let Some(d) = tagged_transport_only(config, f, orig_len) {
                        assert_eq!(Ok(d), walk_only(config, f, orig_len), "cut at {cut}");
                    }
                }
            }
        }
    }
    let declined = [
        // No tag, two tags, the old QinQ tag protocol id, a tag before ARP, a tagged fragment,
        // ICMP.
        eth(0x0800, &tcp4()),
        eth(0x8100, &cat(&[&vlan_tag(0, 2, 0x8100)[2..], &vlan_tag(0, 3, 0x0800)[2..], &tcp4()])),
        eth(0x88a8, &cat(&[&vlan_tag(0, 2, 0x88a8)[2..], &vlan_tag(0, 3, 0x0800)[2..], &tcp4()])),
        eth(0x9100, &cat(&[&vlan_tag(0, 2, 0x0800)[2..], &tcp4()])),
        eth(0x8100, &cat(&[&vlan_tag(0, 2, 0x0806)[2..], &[0; 28]])),
        eth(0x8100, &cat(&[&vlan_tag(0, 2, 0x0800)[2..], &frag4(7, 0x2000, &udp(1, 2, b"abcd"))])),
        eth(0x8100, &cat(&[&vlan_tag(0, 2, 0x0800)[2..], &v4(1, A, B, &[8; 20])])),
    ];
    for frame in declined {
        assert_eq!(tagged_transport_only(&all, &frame, frame.len() as u32), None, "{frame:02x?}");
    }
}

#[test]
fn the_vxlan_fast_path_takes_one_inner_tag_and_declines_every_other_shape() {
    let all = Config::default();
    let l2 = Config { accounting: Accounting::L2, ..Config::default() };
    let udp6 = v6(17, A6, B6, &udp(1, 2, b"0123456789"));
    let taken = [
        (eth(0x0800, &tcp4()), 0),
        (eth(0x86dd, &udp6), 0),
        (eth(0x8100, &cat(&[&vlan_tag(0, 9, 0x0800)[2..], &tcp4()])), 9),
        // A tag with VLAN 0 still replaces the outer frame's id.
        (eth(0x88a8, &cat(&[&vlan_tag(0, 0, 0x86dd)[2..], &udp6])), 0),
    ];
    for (inner, vid) in taken {
        let plain_outer = outer(17, &udp(1, 4789, &vxlan(0x12345, &inner)));
        let tagged_outer = eth(0x8100, &cat(&[&vlan_tag(0, 7, 0x0800)[2..], &plain_outer[14..]]));
        for (frame, outer_vid) in [(plain_outer, 0), (tagged_outer, 7)] {
            for config in [&all, &l2] {
                let orig_len = frame.len() as u32 + 4;
                let d = fast_vxlan_only(config, &frame, orig_len).expect("taken");
                assert_eq!(Ok(d), walk_only(config, &frame, orig_len), "{frame:02x?}");
                let want_vlan = if inner[12..14] == [0x08, 0x00] || inner[12..14] == [0x86, 0xdd] {
                    outer_vid
                } else {
                    vid
                };
                assert_eq!((d.tunnel_id, d.vlan), (0x12345, want_vlan));
                // Cut anywhere: taken only with the walk's answer.
                for cut in 0..frame.len() {
                    let f = &frame[..cut];
                    if let Some(d) = fast_vxlan_only(config, f, orig_len) {
                        assert_eq!(Ok(d), walk_only(config, f, orig_len), "cut at {cut}");
                    }
                }
            }
        }
    }
    let declined = [
        // Two inner tags, the old QinQ id, non-IP, a fragment, an IPv4 length of 0, VXLAN in
        // VXLAN, an IPv6 extension header. (ICMP, below, is the fast path's shape.)
        eth(0x8100, &cat(&[&vlan_tag(0, 2, 0x8100)[2..], &vlan_tag(0, 3, 0x0800)[2..], &tcp4()])),
        eth(0x9100, &cat(&[&vlan_tag(0, 2, 0x0800)[2..], &tcp4()])),
        eth(0x0806, &[0; 28]),
        eth(0x0800, &frag4(7, 0x2000, &udp(1, 2, b"abcd"))),
        eth(0x0800, &v4_full(17, A, B, &udp(1, 2, b""), 0, 0, 1)),
        eth(0x0800, &v4(17, A, B, &udp(1, 4789, &vxlan(5, &eth(0x0800, &tcp4()))))),
        eth(0x86dd, &v6(44, A6, B6, &cat(&[&[17, 0, 0, 1, 0, 0, 0, 1], &udp(1, 2, b"0123456789")]))),
    ];
    for inner in declined {
        let frame = outer(17, &udp(1, 4789, &vxlan(1, &inner)));
        assert_eq!(fast_vxlan_only(&all, &frame, frame.len() as u32), None, "{frame:02x?}");
        assert_eq!(
            fast_then_walk(&all, &frame, frame.len() as u32),
            walk_only(&all, &frame, frame.len() as u32)
        );
    }
    let icmp = outer(17, &udp(1, 4789, &vxlan(1, &eth(0x0800, &v4(1, A, B, &[8; 20])))));
    assert_eq!(
        fast_vxlan_only(&all, &icmp, icmp.len() as u32).map(Ok),
        Some(walk_only(&all, &icmp, icmp.len() as u32))
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6000))]

    /// Generated frames with random byte changes and cuts, from 64-byte mixed traffic or from
    /// 200-byte traffic half of it VXLAN (so that inner frames fit): whenever a fast path takes a
    /// frame (`plain`, the IPv4/IPv6 transport paths, the VXLAN paths), the walk gives the same
    /// summary.
    #[test]
    fn every_fast_path_agrees_with_the_walk_on_damaged_frames(
        seed in 0u64..1_000,
        pick in 0usize..64,
        flips in proptest::collection::vec((0usize..128, proptest::prelude::any::<u8>()), 0..4),
        cut in 0usize..200,
        orig_extra in 0u32..100,
        config in 0usize..8,
        vxlan_heavy in proptest::prelude::any::<bool>(),
    ) {
        use crate::testkit::FrameSize;
        let (vxlan_frac, size) = if vxlan_heavy { (0.5, FrameSize::Fixed(200)) } else { (0.1, FrameSize::Min64) };
        let data = damaged_generated_frame(seed, pick, &flips, cut, vxlan_frac, size);
        let config = fast_path_configs()[config];
        let orig_len = data.len() as u32 + orig_extra;
        let paths: [FastPath; 5] =
            [fast_outer_only, transport_only, fast_vxlan_only, vxlan_transport_only, tagged_transport_only];
        for path in paths {
            if let Some(d) = path(&config, &data, orig_len) {
                proptest::prop_assert_eq!(Ok(d), walk_only(&config, &data, orig_len));
            }
        }
    }
}

// ---- the direct paths' keys ------------------------------------------------------------------

/// The key of a [`direct::DirectPacket`] (with VLAN and tunnel ids or none) equals the key of its
/// summary, whatever the masks.
fn check_transport_key<const A: usize>(t: direct::DirectPacket<A>) {
    for (direction, action) in [(Direction::Unknown, Action::Accept), (Direction::Out, Action::Reject)] {
        for (key_vlan, key_tunnel) in [(false, false), (true, true)] {
            for (vlan, tunnel_id) in [(0, 0), (0x0abc, 0), (0, 0x00ab_cdef), (0x0fff, 1)] {
                let mut d = t.dissected();
                (d.vlan, d.tunnel_id) = (vlan, tunnel_id);
                let want = FlowKey::new(&d, 0x8000_0003, direction, action, key_vlan, key_tunnel);
                let masks = KeyMasks::new(key_vlan, key_tunnel);
                let mut frame = Frame::new(0, LinkType::ETHERNET, &[]);
                (frame.observation_point, frame.direction, frame.action) = (0x8000_0003, direction, action);
                let got = t.key(vlan, tunnel_id, &frame, masks);
                assert_eq!(got.words(), want.words());
            }
        }
    }
}

#[test]
fn transport_key_is_the_key_of_its_summary() {
    let (protocol, src_port, dst_port, tcp_flags, ip_bytes) = (6, 40000, 443, 0x12, 60);
    check_transport_key(direct::DirectPacket {
        src: [10, 0, 0, 1],
        dst: [192, 168, 7, 9],
        protocol,
        src_port,
        dst_port,
        tcp_flags,
        ip_bytes,
    });
    let (src, dst) = ([0x20; 16], [0xfe; 16]);
    check_transport_key(direct::DirectPacket { src, dst, protocol, src_port, dst_port, tcp_flags, ip_bytes });
}
