//! SPEC §3 (session table) and §4 (capture windows) through the public `Meter` API.
//!
//! Packets are raw IPv4 (LINKTYPE_RAW) from the testkit's builder, so every expected value below is
//! read straight off the packet: bytes = the IPv4 total length, 20 + the L4 header + the payload.

use flowlog_core::{Config, EndReason, Frame, LinkType, Meter, Outcome, Record, Skip, Timestamp};
use flowlog_testkit::{tcp_flags, Pkt};

const S: u64 = 1_000_000_000;
/// 2023-11-14T22:13:20Z, a multiple of 600 s.
const T0: u64 = 1_700_000_400 * S;

/// An IPv4 header from 10.0.0.`src` to 10.0.0.`dst`, with no link header before it.
fn ipv4(src: u8, dst: u8) -> Pkt {
    Pkt::raw().ipv4([10, 0, 0, src], [10, 0, 0, dst])
}

/// UDP from 10.0.0.`src` to 10.0.0.99 with `payload` bytes: 28 + `payload` IP bytes.
fn udp(src: u8, sport: u16, dport: u16, payload: usize) -> Vec<u8> {
    ipv4(src, 99).udp(sport, dport).payload(payload).bytes()
}

/// TCP from 10.0.0.1:`sport` to 10.0.0.2:80 with `flags` ([`tcp_flags`]).
fn tcp(sport: u16, flags: u16) -> Vec<u8> {
    ipv4(1, 2).tcp(sport, 80, flags).bytes()
}

/// ICMP from 10.0.0.1 to 10.0.0.2.
fn icmp(kind: u8, code: u8) -> Vec<u8> {
    ipv4(1, 2).icmp(kind, code).bytes()
}

struct Harness {
    meter: Meter,
    records: Vec<Record>,
}

impl Harness {
    fn new(window_secs: u64, max_flows: u32) -> Harness {
        let config = Config { window_secs, max_flows, hash_seed: Some(7), ..Config::default() };
        Harness { meter: Meter::new(config).unwrap(), records: Vec::new() }
    }

    fn feed(&mut self, ts: Timestamp, pkt: &[u8]) -> Result<(), Skip> {
        let mut frame = Frame::new(0, LinkType::RAW, pkt);
        frame.ts = ts;
        let records = &mut self.records;
        match self.meter.process(&frame, &mut |r: &Record| records.push(*r)) {
            Outcome::Metered => Ok(()),
            Outcome::Skipped(skip) => Err(skip),
        }
    }

    fn at(&mut self, ts_ns: u64, pkt: &[u8]) {
        self.feed(Timestamp::Ns(ts_ns), pkt).expect("metered");
    }

    fn flush(&mut self) {
        let records = &mut self.records;
        self.meter.flush(&mut |r: &Record| records.push(*r));
    }

    fn packets_in_records(&self) -> u64 {
        self.records.iter().map(|r| r.packets).sum()
    }
}

#[test]
fn one_record_per_unidirectional_flow_with_packets_bytes_start_end() {
    let mut h = Harness::new(600, 16);
    h.at(T0 + 5 * S, &udp(1, 1000, 53, 10)); // 38 bytes
    h.at(T0 + 9 * S + 1, &udp(1, 1000, 53, 30)); // 58 bytes
    h.at(T0 + 7 * S, &udp(2, 53, 1000, 0)); // the reverse direction is its own flow
    h.flush();
    assert_eq!(h.records.len(), 2);
    let r = h.records.iter().find(|r| r.key.src_port == 1000).unwrap();
    assert_eq!((r.packets, r.bytes), (2, 96));
    assert_eq!((r.start_ns, r.end_ns), (T0 + 5 * S, T0 + 9 * S + 1));
    assert_eq!((r.window_start_secs, r.window_secs), (T0 / S, 600));
    assert_eq!(r.end_reason, EndReason::Flush);
    assert_eq!(r.key.src_addr().to_string(), "10.0.0.1");
}

#[test]
fn full_table_emits_the_least_recently_updated_flow_as_evicted_and_loses_no_packet() {
    let mut h = Harness::new(600, 2);
    h.at(T0, &udp(1, 1, 1, 0));
    h.at(T0 + 1, &udp(1, 2, 2, 0));
    h.at(T0 + 2, &udp(1, 1, 1, 0)); // flow 1 is now the most recently updated
    h.at(T0 + 3, &udp(1, 3, 3, 0)); // table full: flow 2 goes
    assert_eq!(h.records.len(), 1);
    assert_eq!(h.records[0].key.src_port, 2);
    assert_eq!(h.records[0].end_reason, EndReason::Evicted);
    assert_eq!(h.meter.counters().evictions, 1);
    h.at(T0 + 4, &udp(1, 2, 2, 0)); // flow 2 comes back: a split record, flow 1 evicted
    h.flush();
    assert_eq!(h.records.iter().filter(|r| r.key.src_port == 2).count(), 2);
    assert_eq!(h.packets_in_records(), 5);
}

#[test]
fn eviction_churn_over_ten_times_capacity_keeps_the_conservation_law() {
    let mut h = Harness::new(600, 64);
    for i in 0..640u32 {
        h.at(T0 + i as u64, &udp(1, (i % 200) as u16, 9, (i % 7) as usize));
    }
    h.flush();
    let c = *h.meter.counters();
    assert!(c.is_conserved());
    assert_eq!(c.metered, 640);
    assert_eq!(h.packets_in_records(), 640);
    assert_eq!(c.record_packets, 640);
    // The 200 flows come round in the same order, so each one was updated 199 other flows ago when
    // it comes back, more than the 64 the table keeps: every packet finds its flow evicted and adds
    // it again. 640 additions into 64 slots: all but the first 64 evict one.
    assert_eq!(c.evictions, 640 - 64);
}

#[test]
fn windows_are_epoch_aligned_and_rollover_emits_the_previous_window() {
    let mut h = Harness::new(60, 16);
    h.at(T0 + 59 * S, &udp(1, 1, 1, 0));
    assert!(h.records.is_empty());
    h.at(T0 + 61 * S, &udp(1, 1, 1, 0)); // next window
    assert_eq!(h.records.len(), 1);
    let r = h.records[0];
    assert_eq!((r.window_start_secs, r.end_reason, r.packets), (T0 / S, EndReason::Window, 1));
    h.flush();
    assert_eq!(h.records[1].window_start_secs, T0 / S + 60, "a flow that continues gets a new record");
    assert_eq!(h.meter.counters().rollovers, 1);
}

#[test]
fn the_window_being_filled_starts_at_its_epoch_aligned_start_and_moves_on_rollover() {
    let mut h = Harness::new(600, 16);
    assert_eq!(h.meter.window_start_ns(), None, "no window before the first packet");
    // 1 700 000 123.5 s lies in [1 699 999 800 s, 1 700 000 400 s): 1 699 999 800 = 2 833 333 × 600.
    h.at(1_700_000_123 * S + S / 2, &udp(1, 1, 1, 0));
    assert_eq!(h.meter.window_start_ns(), Some(1_699_999_800 * S));
    h.at(1_700_000_399 * S, &udp(1, 1, 1, 0));
    h.at(1_699_999_000 * S, &udp(1, 1, 1, 0)); // late: counted in the current window
    assert_eq!(h.meter.window_start_ns(), Some(1_699_999_800 * S));
    assert!(h.records.is_empty());
    h.at(1_700_000_400 * S, &udp(1, 1, 1, 0)); // the end of the window opens the next one
    assert_eq!(h.meter.window_start_ns(), Some(1_700_000_400 * S));
    assert_eq!(h.records.len(), 1);
    h.flush();
    assert_eq!(h.meter.window_start_ns(), Some(1_700_000_400 * S), "a flush does not close the clock");
}

#[test]
fn a_jump_over_years_costs_one_rollover() {
    let mut h = Harness::new(60, 16);
    h.at(T0, &udp(1, 1, 1, 0));
    h.at(T0 + 5 * 365 * 86_400 * S, &udp(1, 1, 1, 0));
    assert_eq!(h.meter.counters().rollovers, 1);
    assert_eq!(h.records.len(), 1);
}

#[test]
fn late_packet_counts_in_the_current_window_with_its_time_clamped_to_the_window_start() {
    let mut h = Harness::new(60, 16);
    h.at(T0 + 70 * S, &udp(1, 1, 1, 0));
    h.at(T0 + 10 * S, &udp(1, 1, 1, 0)); // before the current window [T0+60, T0+120)
    h.flush();
    assert_eq!(h.records.len(), 1);
    let r = h.records[0];
    assert_eq!((r.packets, r.start_ns, r.end_ns), (2, T0 + 60 * S, T0 + 70 * S));
    assert_eq!(h.meter.counters().late_packets, 1);
    assert_eq!(h.meter.counters().rollovers, 0);
}

#[test]
fn the_clock_counts_packets_that_are_not_metered() {
    let mut h = Harness::new(60, 16);
    h.at(T0, &udp(1, 1, 1, 0));
    // A bad IP version is not metered, but its time still moves the clock into the next window.
    let mut bad = udp(1, 1, 1, 0);
    bad[0] = 0x75;
    assert_eq!(h.feed(Timestamp::Ns(T0 + 61 * S), &bad), Err(Skip::BadIpHeader));
    assert_eq!(h.records.len(), 1, "the rollover happened on the unmetered packet");
    h.at(T0 + 30 * S, &udp(1, 1, 1, 0));
    assert_eq!(h.meter.counters().late_packets, 1);
}

#[test]
fn missing_timestamp_takes_the_clock_and_an_out_of_range_one_is_counted() {
    let mut h = Harness::new(60, 16);
    h.feed(Timestamp::Missing, &udp(1, 1, 1, 0)).unwrap(); // clock 0 before any packet
    h.at(T0 + 3 * S, &udp(2, 1, 1, 0));
    h.feed(Timestamp::OutOfRange, &udp(3, 1, 1, 0)).unwrap();
    h.flush();
    let c = *h.meter.counters();
    assert_eq!(c.bad_timestamp, 1);
    let third = h.records.iter().find(|r| r.key.src[3] == 3).unwrap();
    assert_eq!(third.start_ns, T0 + 3 * S, "takes the clock");
    let first = h.records.iter().find(|r| r.key.src[3] == 1).unwrap();
    assert_eq!((first.window_start_secs, first.start_ns), (0, 0));
}

#[test]
fn tcp_flags_are_ored_over_the_record_and_icmp_type_is_the_first_packets() {
    let mut h = Harness::new(600, 16);
    h.at(T0, &tcp(5000, tcp_flags::SYN));
    h.at(T0 + 1, &tcp(5000, tcp_flags::ACK));
    h.at(T0 + 2, &tcp(5000, tcp_flags::FIN | tcp_flags::ACK));
    h.at(T0 + 3, &icmp(8, 0));
    h.at(T0 + 4, &icmp(0, 0));
    h.flush();
    let t = h.records.iter().find(|r| r.key.protocol == 6).unwrap();
    assert_eq!(t.tcp_flags, 0x13);
    assert!(t.closed());
    let i = h.records.iter().find(|r| r.key.protocol == 1).unwrap();
    assert!(i.has_icmp);
    assert_eq!((i.icmp_type, i.icmp_code, i.packets), (8, 0, 2));
    assert_eq!((i.key.src_port, i.key.dst_port), (0, 0));
}

#[test]
fn flush_emits_everything_and_the_meter_stays_usable() {
    let mut h = Harness::new(600, 16);
    for i in 0..5 {
        h.at(T0 + i, &udp(i as u8, 1, 1, 0));
    }
    h.flush();
    assert_eq!(h.records.len(), 5);
    assert!(h.records.iter().all(|r| r.end_reason == EndReason::Flush));
    assert_eq!(h.meter.active_flows(), 0);
    h.at(T0 + 10, &udp(1, 1, 1, 0));
    h.flush();
    assert_eq!(h.records.len(), 6);
    assert_eq!(h.meter.counters().metered, h.meter.counters().record_packets);
}

#[test]
fn table_memory_is_at_most_96_bytes_per_flow_at_the_configured_capacity() {
    for max_flows in [1_000u32, 65_536, 1_000_000] {
        let meter = Meter::new(Config { max_flows, max_fragments: 1, ..Config::default() }).unwrap();
        let per_flow = meter.heap_bytes() as f64 / max_flows as f64;
        assert!(per_flow <= 96.1, "{max_flows} flows: {per_flow:.1} bytes per flow");
    }
}

/// Meter, at one packet a second, three frames made by `frame(id, inner_tcp)` with the ids 5, 6
/// and 5 (an inner TCP packet of 50 IP bytes, or ICMP of 38), once with `config(false)` and once
/// with `config(true)` (the id keyed): the id keyed only then, read back by `key_id`, splits the
/// flow in two. Inner TCP takes the meter's direct paths, inner ICMP the general walk; both must
/// key alike, by the inner 10.0.0.1 → 10.0.0.2 packet.
fn assert_id_is_keyed_only_when_asked(
    config: impl Fn(bool) -> Config,
    frame: impl Fn(u16, bool) -> Vec<u8>,
    key_id: impl Fn(&Record) -> u32,
) {
    for keyed in [false, true] {
        for (inner_tcp, protocol, ip_len) in [(true, 6, 20 + 20 + 10), (false, 1, 20 + 8 + 10)] {
            let mut meter = Meter::new(config(keyed)).unwrap();
            let mut records = Vec::new();
            for (i, id) in [5, 6, 5].into_iter().enumerate() {
                let f = frame(id, inner_tcp);
                let mut sink = |r: &Record| records.push(*r);
                assert!(meter
                    .process(&Frame::new(T0 + i as u64 * S, LinkType::ETHERNET, &f), &mut sink)
                    .is_metered());
            }
            meter.flush(&mut |r: &Record| records.push(*r));
            let mut by_id: Vec<(u32, u64, u64)> =
                records.iter().map(|r| (key_id(r), r.packets, r.bytes)).collect();
            by_id.sort();
            let want =
                if keyed { vec![(5, 2, 2 * ip_len), (6, 1, ip_len)] } else { vec![(0, 3, 3 * ip_len)] };
            assert_eq!(by_id, want, "keyed {keyed}, inner TCP {inner_tcp}");
            for r in &records {
                assert_eq!(r.key.src_addr().to_string(), "10.0.0.1");
                assert_eq!(r.key.dst_addr().to_string(), "10.0.0.2");
                assert_eq!(r.key.protocol, protocol);
            }
        }
    }
}

/// The inner packet of a frame: TCP or ICMP, 10 bytes of payload.
fn inner_packet(p: Pkt, tcp: bool) -> Vec<u8> {
    let p = p.ipv4([10, 0, 0, 1], [10, 0, 0, 2]);
    if tcp {
        p.tcp(1234, 80, tcp_flags::ACK).payload(10).bytes()
    } else {
        p.icmp(8, 0).payload(10).bytes()
    }
}

const MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];

/// VXLAN in decap mode `all` (SPEC §2, §3): a packet is keyed by its inner 5-tuple and counted by
/// its inner IP length, and its VNI enters the key only with `key_tunnel`.
#[test]
fn vxlan_packets_are_keyed_by_the_inner_packet_and_by_their_vni_only_when_asked() {
    assert_id_is_keyed_only_when_asked(
        |key_tunnel| Config { key_tunnel, window_secs: 60, hash_seed: Some(7), ..Config::default() },
        |vni, tcp| {
            let outer = Pkt::eth(MAC, MAC).ipv4([192, 168, 0, 1], [192, 168, 0, 2]).udp(40000, 4789);
            inner_packet(outer.vxlan_header(u32::from(vni)).inner_eth(MAC, MAC), tcp)
        },
        |r| r.key.tunnel_id,
    );
}

/// One 802.1Q tag (SPEC §2, §3): a tagged packet is keyed like an untagged one, with its VLAN id
/// only when `key_vlan` is on.
#[test]
fn tagged_packets_are_keyed_by_their_vlan_id_only_when_asked() {
    assert_id_is_keyed_only_when_asked(
        |key_vlan| Config { key_vlan, window_secs: 60, hash_seed: Some(7), ..Config::default() },
        |vid, tcp| inner_packet(Pkt::eth(MAC, MAC).vlan(vid), tcp),
        |r| u32::from(r.key.vlan),
    );
}
