//! The shared test vectors (`tests/vectors/*.json`, format in its README): every binding meters
//! the same frames and must produce these bytes.
//!
//! Frames are built with the testkit (independent of flowlog's parser), and before a file is
//! accepted every record is checked against a small reference meter that decodes the same frames
//! with etherparse and applies SPEC §4's window rules. `FLOWLOG_BLESS=1` rewrites the
//! files; otherwise the test fails when a file differs from what the core produces now.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use flowlog_core::format::{FormatKind, Formatter};
use flowlog_core::{Accounting, Config, Decap, Frame, LinkType, Meter, Record, Timestamp};
use flowlog_testkit::tcp_flags::{ACK, FIN, PSH, SYN};
use flowlog_testkit::Pkt;
use serde_json::{json, Value};

const S: u64 = 1_000_000_000;
const T0: u64 = 1_700_000_040 * S; // window-aligned for 60 s windows

const MAC_A: [u8; 6] = [2, 0, 0, 0, 0, 1];
const MAC_B: [u8; 6] = [2, 0, 0, 0, 0, 2];

struct VecFrame {
    ts_ns: Option<u64>,
    data: Vec<u8>,
    observation_point: u32,
}

/// An Ethernet frame from `MAC_A` to `MAC_B` with an IPv4 header as most hosts send it (DF set).
fn eth_ipv4(src: [u8; 4], dst: [u8; 4]) -> Pkt {
    Pkt::eth(MAC_A, MAC_B).ipv4(src, dst).dont_fragment()
}

/// A TCP segment with `payload` bytes. Sequence 1000, acknowledgment 1 when ACK is set: the meter
/// reads neither, they keep the frames of the shared vectors as they were first written.
fn tcp4(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, flags: u16, payload: usize) -> Vec<u8> {
    let ack = u32::from(flags & ACK != 0);
    eth_ipv4(src, dst).tcp(sport, dport, flags).seq_ack(1000, ack).payload_bytes(&vec![0x61; payload]).bytes()
}

fn udp4(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, payload: usize) -> Vec<u8> {
    eth_ipv4(src, dst).udp(sport, dport).payload_bytes(&vec![0x62; payload]).bytes()
}

fn udp4_vlan(vlan: u16, src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, payload: usize) -> Vec<u8> {
    Pkt::eth(MAC_A, MAC_B)
        .vlan(vlan)
        .ipv4(src, dst)
        .dont_fragment()
        .udp(sport, dport)
        .payload_bytes(&vec![0x63; payload])
        .bytes()
}

fn udp6(src: [u8; 16], dst: [u8; 16], sport: u16, dport: u16, payload: usize) -> Vec<u8> {
    Pkt::eth(MAC_A, MAC_B).ipv6(src, dst).udp(sport, dport).payload_bytes(&vec![0x64; payload]).bytes()
}

fn ping4(src: [u8; 4], dst: [u8; 4], seq: u16) -> Vec<u8> {
    eth_ipv4(src, dst).icmp_echo_request(7, seq).payload_bytes(&[0x65; 32]).bytes()
}

fn ping6(src: [u8; 16], dst: [u8; 16], seq: u16) -> Vec<u8> {
    Pkt::eth(MAC_A, MAC_B).ipv6(src, dst).icmpv6_echo_request(7, seq).payload_bytes(&[0x66; 16]).bytes()
}

fn arp() -> Vec<u8> {
    Pkt::eth(MAC_A, [0xff; 6]).arp_request([0; 6], [0; 4], [0; 4]).bytes()
}

fn v6(last: u8) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    a[15] = last;
    a
}

const A: [u8; 4] = [10, 0, 1, 5];
const B: [u8; 4] = [192, 0, 2, 80];
const C: [u8; 4] = [10, 0, 1, 6];

fn at(ts_ns: u64, data: Vec<u8>) -> VecFrame {
    VecFrame { ts_ns: Some(ts_ns), data, observation_point: 0 }
}

/// A TCP connection both ways, DNS, IPv6, ICMP, a VLAN tag, ARP, two windows, a late packet,
/// a frame without timestamp and two observation points.
fn mixed() -> (Config, Vec<VecFrame>) {
    let mut f = vec![
        at(T0 + S, tcp4(A, B, 40000, 443, SYN, 0)),
        at(T0 + S + 20_000_000, tcp4(B, A, 443, 40000, SYN | ACK, 0)),
        at(T0 + S + 40_000_000, tcp4(A, B, 40000, 443, ACK, 0)),
        at(T0 + 2 * S, tcp4(A, B, 40000, 443, PSH | ACK, 517)),
        at(T0 + 2 * S + 30_000_000, tcp4(B, A, 443, 40000, PSH | ACK, 1400)),
        at(T0 + 3 * S, udp4(A, [10, 0, 0, 2], 53000, 53, 40)),
        at(T0 + 3 * S + 1_000_000, udp4([10, 0, 0, 2], A, 53, 53000, 120)),
        at(T0 + 4 * S, udp6(v6(1), v6(0x20), 5353, 5353, 60)),
        at(T0 + 5 * S, ping4(A, C, 1)),
        at(T0 + 6 * S, ping4(A, C, 2)),
        at(T0 + 7 * S, ping6(v6(1), v6(2), 1)),
        at(T0 + 8 * S, udp4_vlan(42, C, B, 123, 123, 48)),
        at(T0 + 9 * S, arp()),
        VecFrame { ts_ns: None, data: udp4(A, [10, 0, 0, 2], 53001, 53, 30), observation_point: 0 },
        // next window: the connection continues, then closes
        at(T0 + 61 * S, tcp4(A, B, 40000, 443, PSH | ACK, 100)),
        at(T0 + 62 * S, tcp4(A, B, 40000, 443, FIN | ACK, 0)),
        at(T0 + 62 * S + 10_000_000, tcp4(B, A, 443, 40000, FIN | ACK, 0)),
        // late: belongs to the first window, counted in the current one at its start
        at(T0 + 30 * S, udp4(A, B, 1111, 2222, 10)),
    ];
    f.push(VecFrame { observation_point: 3, ..at(T0 + 63 * S, udp4(A, B, 1111, 2222, 10)) });
    (Config { window_secs: 60, max_flows: 64, max_fragments: 64, hash_seed: Some(1), ..Config::default() }, f)
}

/// Five flows through a table of two: evictions split records.
fn eviction() -> (Config, Vec<VecFrame>) {
    let mut f = Vec::new();
    for round in 0..3u64 {
        for flow in 0..5u16 {
            f.push(at(T0 + round * S + flow as u64 * 1000, udp4(A, B, 30000 + flow, 53, 20 + flow as usize)));
        }
    }
    (Config { window_secs: 600, max_flows: 2, max_fragments: 64, hash_seed: Some(1), ..Config::default() }, f)
}

/// The other options: VLAN in the key, ICMP type/code in the ports, L2 byte accounting.
fn options() -> (Config, Vec<VecFrame>) {
    let f = vec![
        at(T0, udp4_vlan(10, C, B, 5000, 80, 30)),
        at(T0 + 1, udp4_vlan(20, C, B, 5000, 80, 30)),
        at(T0 + 2, ping4(A, C, 1)),
        at(T0 + 3, tcp4(A, B, 40000, 22, SYN, 0)),
    ];
    let config = Config {
        window_secs: 300,
        max_flows: 16,
        max_fragments: 64,
        accounting: Accounting::L2,
        icmp_in_ports: true,
        key_vlan: true,
        decap: Decap::None,
        hash_seed: Some(1),
        ..Config::default()
    };
    (config, f)
}

fn meter_frames(config: Config, frames: &[VecFrame]) -> (Vec<Record>, Meter) {
    let mut meter = Meter::new(config).unwrap();
    let mut records = Vec::new();
    for f in frames {
        let mut frame = Frame::new(0, LinkType::ETHERNET, &f.data);
        frame.ts = f.ts_ns.map_or(Timestamp::Missing, Timestamp::Ns);
        frame.observation_point = f.observation_point;
        let _ = meter.process(&frame, &mut |r: &Record| records.push(*r));
    }
    meter.flush(&mut |r: &Record| records.push(*r));
    (records, meter)
}

fn render(kind: FormatKind, records: &[Record]) -> String {
    let formatter = Formatter::new(kind);
    let mut buf = vec![0u8; Formatter::MAX_RECORD_LEN];
    let mut out = Vec::new();
    let n = formatter.write_header(&mut buf).unwrap();
    out.extend_from_slice(&buf[..n]);
    for r in records {
        let n = formatter.write_record(r, &mut buf).unwrap();
        out.extend_from_slice(&buf[..n]);
    }
    String::from_utf8(out).unwrap()
}

/// (window_start, observation point, src, dst, protocol, sport, dport, vlan)
type RefKey = (u64, u32, IpAddr, IpAddr, u8, u16, u16, u16);

#[derive(Debug, Default, PartialEq, Eq)]
struct RefTotals {
    packets: u64,
    bytes: u64,
    start_ns: u64,
    end_ns: u64,
    tcp_flags: u16,
}

/// The reference meter: etherparse decodes, SPEC §4's clock and window rules, no table limit.
fn reference(config: &Config, frames: &[VecFrame]) -> (BTreeMap<RefKey, RefTotals>, u64, u64) {
    let w = config.window_secs * S;
    let (mut clock, mut window): (u64, Option<u64>) = (0, None);
    let mut out: BTreeMap<RefKey, RefTotals> = BTreeMap::new();
    let (mut metered, mut non_ip) = (0, 0);
    for f in frames {
        let mut ts = f.ts_ns.unwrap_or(clock);
        clock = clock.max(ts);
        let current = window.map_or(clock - clock % w, |cur| cur.max(clock - clock % w));
        window = Some(current);
        ts = ts.max(current);
        let p = SlicedPacket::from_ethernet(&f.data).unwrap();
        let (src, dst, proto, ip_len): (IpAddr, IpAddr, u8, u64) = match &p.net {
            Some(NetSlice::Ipv4(v4)) => {
                let h = v4.header();
                (h.source_addr().into(), h.destination_addr().into(), h.protocol().0, h.total_len() as u64)
            }
            Some(NetSlice::Ipv6(v6)) => {
                let h = v6.header();
                let proto = v6.payload().ip_number.0;
                (h.source_addr().into(), h.destination_addr().into(), proto, 40 + h.payload_length() as u64)
            }
            _ => {
                non_ip += 1;
                continue;
            }
        };
        metered += 1;
        let (mut sport, mut dport, mut flags) = (0u16, 0u16, 0u16);
        match &p.transport {
            Some(TransportSlice::Tcp(t)) => {
                sport = t.source_port();
                dport = t.destination_port();
                for (set, bit) in [
                    (t.fin(), 0x01),
                    (t.syn(), 0x02),
                    (t.rst(), 0x04),
                    (t.psh(), 0x08),
                    (t.ack(), 0x10),
                    (t.urg(), 0x20),
                    (t.ece(), 0x40),
                    (t.cwr(), 0x80),
                    (t.ns(), 0x100),
                ] {
                    if set {
                        flags |= bit;
                    }
                }
            }
            Some(TransportSlice::Udp(u)) => {
                sport = u.source_port();
                dport = u.destination_port();
            }
            Some(TransportSlice::Icmpv4(i)) if config.icmp_in_ports => {
                dport = (i.type_u8() as u16) << 8 | i.code_u8() as u16;
            }
            Some(TransportSlice::Icmpv6(i)) if config.icmp_in_ports => {
                dport = (i.type_u8() as u16) << 8 | i.code_u8() as u16;
            }
            _ => {}
        }
        let vlan = if config.key_vlan {
            p.link_exts
                .iter()
                .find_map(|e| match e {
                    etherparse::LinkExtSlice::Vlan(v) => Some(v.vlan_identifier().value()),
                    _ => None,
                })
                .unwrap_or(0)
        } else {
            0
        };
        let bytes = if config.accounting == Accounting::L2 { f.data.len() as u64 } else { ip_len };
        let t = out
            .entry((current / S, f.observation_point, src, dst, proto, sport, dport, vlan))
            .or_insert(RefTotals { start_ns: u64::MAX, ..RefTotals::default() });
        t.packets += 1;
        t.bytes += bytes;
        t.start_ns = t.start_ns.min(ts);
        t.end_ns = t.end_ns.max(ts);
        t.tcp_flags |= flags;
    }
    (out, metered, non_ip)
}

fn check_against_reference(
    name: &str,
    config: &Config,
    frames: &[VecFrame],
    records: &[Record],
    meter: &Meter,
) {
    let (want, metered, non_ip) = reference(config, frames);
    let mut got: BTreeMap<RefKey, RefTotals> = BTreeMap::new();
    for r in records {
        let k = &r.key;
        let t = got
            .entry((
                r.window_start_secs,
                k.observation_point,
                k.src_addr(),
                k.dst_addr(),
                k.protocol,
                k.src_port,
                k.dst_port,
                k.vlan,
            ))
            .or_insert(RefTotals { start_ns: u64::MAX, ..RefTotals::default() });
        t.packets += r.packets;
        t.bytes += r.bytes;
        t.start_ns = t.start_ns.min(r.start_ns);
        t.end_ns = t.end_ns.max(r.end_ns);
        t.tcp_flags |= r.tcp_flags;
    }
    assert_eq!(got, want, "{name}: records disagree with the reference meter");
    let c = meter.counters();
    assert_eq!((c.metered, c.skipped(flowlog_core::Skip::NonIp)), (metered, non_ip), "{name}");
    assert!(c.is_conserved());
}

fn vector(name: &str, description: &str, config: Config, frames: Vec<VecFrame>) -> Value {
    let (records, meter) = meter_frames(config, &frames);
    check_against_reference(name, &config, &frames, &records, &meter);
    let counters: serde_json::Map<String, Value> =
        meter.counters().fields().iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    json!({
        "name": name,
        "description": description,
        "config": {
            "window_secs": config.window_secs,
            "max_flows": config.max_flows,
            "max_fragments": config.max_fragments,
            "decap": config.decap.as_str(),
            "accounting": config.accounting.as_str(),
            "icmp_in_ports": config.icmp_in_ports,
            "key_vlan": config.key_vlan,
            "key_tunnel": config.key_tunnel,
        },
        "frames": frames.iter().map(|f| json!({
            "ts_ns": f.ts_ns.map(|t| t.to_string()),
            "link_type": 1,
            "orig_len": f.data.len(),
            "observation_point": f.observation_point,
            "data": hex(&f.data),
        })).collect::<Vec<_>>(),
        "expected": {
            "counters": counters,
            "jsonl": render(FormatKind::Jsonl, &records),
            "sls": render(FormatKind::Sls, &records),
            "aws": render(FormatKind::Aws, &records),
            "csv": render(FormatKind::Csv, &records),
        }
    })
}

#[test]
fn shared_vectors_match_the_core_and_the_reference_meter() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let bless = std::env::var_os("FLOWLOG_BLESS").is_some();
    let all = [
        ("mixed", "TCP both ways, DNS, IPv6, ICMP and ICMPv6, a VLAN tag, ARP, two 60 s windows, a late packet, a frame without timestamp, two observation points", mixed()),
        ("eviction", "five flows through a two-flow table: least recently updated flows are emitted early and records are split, never lost", eviction()),
        ("options", "key_vlan, icmp_in_ports, accounting l2 and decap none", options()),
    ];
    let mut stale = Vec::new();
    for (name, description, (config, frames)) in all {
        let v = vector(name, description, config, frames);
        let text = serde_json::to_string_pretty(&v).unwrap() + "\n";
        let path = dir.join(format!("{name}.json"));
        if bless {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(stale.is_empty(), "vectors differ from the core's output (FLOWLOG_BLESS=1 rewrites): {stale:?}");
}
