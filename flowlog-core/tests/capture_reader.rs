//! The capture reader (SPEC §6): pcap and pcapng files built here byte by byte, read back field
//! by field; damaged and truncated files; the corpus's frame counts.

use std::cell::Cell;
use std::io::Read;
use std::path::PathBuf;

use flowlog_core::capture::{CaptureError, CaptureErrorKind, CaptureReader, MeteredCapture};
use flowlog_core::{Config, LinkType, Meter, Record, Timestamp};
use flowlog_testkit::corpus_dir;

// ---------------------------------------------------------------------------------------------
// A per-thread counting allocator, to show that reading frames does not allocate.

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static ALLOCATED_BYTES: Cell<u64> = const { Cell::new(0) };
}

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        let _ = ALLOCATED_BYTES.try_with(|c| c.set(c.get() + layout.size() as u64));
        // SAFETY: forwarded unchanged to the system allocator with the caller's layout.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout (see `alloc`).
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        let _ = ALLOCATED_BYTES.try_with(|c| c.set(c.get() + new_size as u64));
        // SAFETY: as `dealloc`; the new size is the caller's.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(|c| c.get())
}

// ---------------------------------------------------------------------------------------------
// Builders.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Order {
    Le,
    Be,
}

fn put32(out: &mut Vec<u8>, order: Order, v: u32) {
    out.extend_from_slice(&match order {
        Order::Le => v.to_le_bytes(),
        Order::Be => v.to_be_bytes(),
    });
}

fn put16(out: &mut Vec<u8>, order: Order, v: u16) {
    out.extend_from_slice(&match order {
        Order::Le => v.to_le_bytes(),
        Order::Be => v.to_be_bytes(),
    });
}

/// What a test expects to read back, and where its record ends in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Expected {
    ts: Timestamp,
    link: LinkType,
    orig_len: u32,
    data: Vec<u8>,
    interface: u32,
}

/// A capture under construction: its bytes, the frames it holds, and the offsets where each
/// header, record or block ends (the places a cut leaves a clean end).
struct Capture {
    bytes: Vec<u8>,
    frames: Vec<(Expected, usize)>,
    /// End offsets of every header, record and block, in order.
    boundaries: Vec<usize>,
}

impl Capture {
    fn mark(&mut self) {
        self.boundaries.push(self.bytes.len());
    }
}

/// A pcap file: `nanos` picks the nanosecond magic.
fn pcap(order: Order, nanos: bool, link: u32) -> Capture {
    let mut b = Vec::new();
    let magic = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
    put32(&mut b, order, magic);
    put16(&mut b, order, 2);
    put16(&mut b, order, 4);
    put32(&mut b, order, 0); // thiszone
    put32(&mut b, order, 0); // sigfigs
    put32(&mut b, order, 65_535);
    put32(&mut b, order, link);
    let mut c = Capture { bytes: b, frames: Vec::new(), boundaries: Vec::new() };
    c.mark();
    c
}

#[allow(clippy::too_many_arguments)]
fn pcap_record(
    c: &mut Capture,
    order: Order,
    sec: u32,
    frac: u32,
    data: &[u8],
    orig_len: u32,
    expect: Expected,
) {
    put32(&mut c.bytes, order, sec);
    put32(&mut c.bytes, order, frac);
    put32(&mut c.bytes, order, data.len() as u32);
    put32(&mut c.bytes, order, orig_len);
    c.bytes.extend_from_slice(data);
    c.mark();
    let end = c.bytes.len();
    c.frames.push((expect, end));
}

/// A pcapng block: type, total length, body padded to 4, total length.
fn block(c: &mut Capture, order: Order, block_type: u32, body: &[u8]) {
    let padded = body.len().div_ceil(4) * 4;
    let total = (12 + padded) as u32;
    put32(&mut c.bytes, order, block_type);
    put32(&mut c.bytes, order, total);
    c.bytes.extend_from_slice(body);
    c.bytes.resize(c.bytes.len() + padded - body.len(), 0);
    put32(&mut c.bytes, order, total);
    c.mark();
}

fn option(out: &mut Vec<u8>, order: Order, code: u16, value: &[u8]) {
    put16(out, order, code);
    put16(out, order, value.len() as u16);
    out.extend_from_slice(value);
    out.resize(out.len() + value.len().div_ceil(4) * 4 - value.len(), 0);
}

fn end_of_options(out: &mut Vec<u8>, order: Order) {
    put16(out, order, 0);
    put16(out, order, 0);
}

fn shb(c: &mut Capture, order: Order, major: u16) {
    let mut body = Vec::new();
    put32(&mut body, order, 0x1a2b_3c4d);
    put16(&mut body, order, major);
    put16(&mut body, order, 0);
    body.extend_from_slice(&[0xff; 8]); // section length unknown
    option(&mut body, order, 4, b"flowlog tests"); // shb_userappl
    end_of_options(&mut body, order);
    block(c, order, 0x0a0d_0d0a, &body);
}

fn pcapng() -> Capture {
    Capture { bytes: Vec::new(), frames: Vec::new(), boundaries: Vec::new() }
}

fn idb(c: &mut Capture, order: Order, link: u16, snaplen: u32, tsresol: Option<u8>, tsoffset: Option<i64>) {
    let mut body = Vec::new();
    put16(&mut body, order, link);
    put16(&mut body, order, 0);
    put32(&mut body, order, snaplen);
    option(&mut body, order, 2, b"eth0"); // if_name
    if let Some(r) = tsresol {
        option(&mut body, order, 9, &[r]);
    }
    if let Some(o) = tsoffset {
        let v = match order {
            Order::Le => o.to_le_bytes(),
            Order::Be => o.to_be_bytes(),
        };
        option(&mut body, order, 14, &v);
    }
    end_of_options(&mut body, order);
    block(c, order, 1, &body);
}

fn epb(
    c: &mut Capture,
    order: Order,
    if_id: u32,
    ts_units: u64,
    data: &[u8],
    orig_len: u32,
    expect: Expected,
) {
    let mut body = Vec::new();
    put32(&mut body, order, if_id);
    put32(&mut body, order, (ts_units >> 32) as u32);
    put32(&mut body, order, ts_units as u32);
    put32(&mut body, order, data.len() as u32);
    put32(&mut body, order, orig_len);
    body.extend_from_slice(data);
    body.resize(body.len().div_ceil(4) * 4, 0);
    option(&mut body, order, 2, &0x0000_0001u32.to_le_bytes()); // epb_flags: inbound
    end_of_options(&mut body, order);
    block(c, order, 6, &body);
    let end = c.bytes.len();
    c.frames.push((expect, end));
}

fn spb(c: &mut Capture, order: Order, data: &[u8], orig_len: u32, expect: Expected) {
    let mut body = Vec::new();
    put32(&mut body, order, orig_len);
    body.extend_from_slice(data);
    block(c, order, 3, &body);
    let end = c.bytes.len();
    c.frames.push((expect, end));
}

/// An interface statistics block (not a packet).
fn isb(c: &mut Capture, order: Order, if_id: u32) {
    let mut body = Vec::new();
    put32(&mut body, order, if_id);
    put32(&mut body, order, 0);
    put32(&mut body, order, 0);
    option(&mut body, order, 4, &7u64.to_le_bytes()); // isb_ifrecv
    end_of_options(&mut body, order);
    block(c, order, 5, &body);
}

/// A custom block (not a packet): private enterprise number, then data.
fn custom(c: &mut Capture, order: Order) {
    let mut body = Vec::new();
    put32(&mut body, order, 32_473);
    body.extend_from_slice(b"custom data!");
    block(c, order, 0x0000_0bad, &body);
}

/// A name resolution block with one IPv4 record (not a packet).
fn nrb(c: &mut Capture, order: Order) {
    let mut body = Vec::new();
    let mut rec = vec![10, 0, 0, 1];
    rec.extend_from_slice(b"host\0");
    put16(&mut body, order, 1);
    put16(&mut body, order, rec.len() as u16);
    body.extend_from_slice(&rec);
    body.resize(body.len().div_ceil(4) * 4, 0);
    put16(&mut body, order, 0); // nrb_record_end
    put16(&mut body, order, 0);
    block(c, order, 4, &body);
}

fn expect(ts: Timestamp, link: u32, orig_len: u32, data: &[u8], interface: u32) -> Expected {
    Expected { ts, link: LinkType(link), orig_len, data: data.to_vec(), interface }
}

/// Read everything: the frames, then how it ended.
fn read_all<R: Read>(reader: R) -> (Vec<Expected>, Result<(), CaptureError>) {
    let mut frames = Vec::new();
    let mut r = match CaptureReader::new(reader) {
        Ok(r) => r,
        Err(e) => return (frames, Err(e)),
    };
    loop {
        match r.next_frame() {
            Ok(Some(f)) => frames.push(Expected {
                ts: f.ts,
                link: f.link,
                orig_len: f.orig_len,
                data: f.data.to_vec(),
                interface: f.interface,
            }),
            Ok(None) => return (frames, Ok(())),
            Err(e) => {
                // An error is sticky: asking again does not go past the damage.
                assert_eq!(r.next_frame().err(), Some(e));
                return (frames, Err(e));
            }
        }
    }
}

fn ns(secs: u64, nanos: u64) -> Timestamp {
    Timestamp::Ns(secs * 1_000_000_000 + nanos)
}

/// A pcapng file with two sections of different byte orders, three interfaces with different
/// link types and resolutions, and every kind of non-packet block.
fn two_section_pcapng() -> Capture {
    let mut c = pcapng();
    let le = Order::Le;
    shb(&mut c, le, 1);
    // Interface 0: Ethernet, default resolution (µs).
    idb(&mut c, le, 1, 0, None, None);
    // Interface 1: raw IP, 2^-20 s units, snaplen 6 (for the simple packet block test below it
    // is interface 0 that counts).
    idb(&mut c, le, 101, 6, Some(0x80 | 20), None);
    let p0 = [0xaa; 14];
    epb(&mut c, le, 0, 1_700_000_000_123_456, &p0, 60, expect(ns(1_700_000_000, 123_456_000), 1, 60, &p0, 0));
    isb(&mut c, le, 0);
    let p1 = [0x45, 0, 0, 20, 1];
    // 1_600_000_000.5 s in 2^-20 units.
    epb(
        &mut c,
        le,
        1,
        (1_600_000_000u64 << 20) | (1 << 19),
        &p1,
        20,
        expect(ns(1_600_000_000, 500_000_000), 101, 20, &p1, 1),
    );
    custom(&mut c, le);
    // A simple packet block: interface 0 (snaplen 0 = unlimited), no timestamp.
    let p2 = [1, 2, 3, 4, 5, 6, 7];
    spb(&mut c, le, &p2, 7, expect(Timestamp::Missing, 1, 7, &p2, 0));
    nrb(&mut c, le);

    let be = Order::Be;
    shb(&mut c, be, 1);
    // Section 1, interface 0 = running index 2: Linux cooked, ns units, offset +100 s.
    idb(&mut c, be, 113, 0, Some(9), Some(100));
    // Section 1, interface 1 = running index 3: raw IPv6, 10^-3 s units, snaplen 4.
    idb(&mut c, be, 229, 4, Some(3), None);
    let p3 = [0x60; 16];
    epb(&mut c, be, 0, 5_000_000_007, &p3, 1500, expect(ns(105, 7), 113, 1500, &p3, 2));
    let p4 = [0x60, 0, 0, 0];
    epb(&mut c, be, 1, 1_234_567, &p4, 40, expect(ns(1_234, 567_000_000), 229, 40, &p4, 3));
    isb(&mut c, be, 1);
    // A simple packet block of section 1: interface 0 of this section, running index 2.
    let p5 = [9, 8, 7];
    spb(&mut c, be, &p5, 3, expect(Timestamp::Missing, 113, 3, &p5, 2));
    c
}

fn expected_frames(c: &Capture) -> Vec<Expected> {
    c.frames.iter().map(|(e, _)| e.clone()).collect()
}

// ---------------------------------------------------------------------------------------------
// pcap.

#[test]
fn pcap_is_read_in_both_byte_orders_and_both_resolutions() {
    for order in [Order::Le, Order::Be] {
        for nanos in [false, true] {
            let mut c = pcap(order, nanos, 1);
            let scale = if nanos { 1 } else { 1_000 };
            let a = [0x11; 20];
            let b = [0x22; 3];
            pcap_record(
                &mut c,
                order,
                1_700_000_000,
                123_456,
                &a,
                20,
                expect(ns(1_700_000_000, 123_456 * scale), 1, 20, &a, 0),
            );
            pcap_record(&mut c, order, 7, 999_999, &b, 1514, expect(ns(7, 999_999 * scale), 1, 1514, &b, 0));
            pcap_record(&mut c, order, 8, 0, &[], 0, expect(ns(8, 0), 1, 0, &[], 0));
            let (frames, end) = read_all(&c.bytes[..]);
            assert_eq!(end, Ok(()), "{order:?} nanos={nanos}");
            assert_eq!(frames, expected_frames(&c), "{order:?} nanos={nanos}");
        }
    }
}

#[test]
fn modified_pcap_with_24_byte_record_headers_is_read() {
    // Kuznetzov's patched libpcap: magic a1b2cd34, records with 8 more bytes (ifindex, protocol,
    // packet type, padding).
    let mut c = pcap(Order::Le, false, 1);
    c.bytes[..4].copy_from_slice(&0xa1b2_cd34u32.to_le_bytes());
    let a = [0x5a; 9];
    for v in [3u32, 4, 9, 9, 2] {
        put32(&mut c.bytes, Order::Le, v);
    }
    c.bytes.extend_from_slice(&[0x08, 0x00, 0, 0]);
    c.bytes.extend_from_slice(&a);
    let (frames, end) = read_all(&c.bytes[..]);
    assert_eq!((frames, end), (vec![expect(ns(3, 4_000), 1, 9, &a, 0)], Ok(())));
}

#[test]
fn pcap_link_type_is_the_low_16_bits_and_the_fcs_bits_are_ignored() {
    // LINKTYPE 101 with the FCS-length-present flag (bit 26) and an FCS length of 4 (bits 28-31).
    let mut c = pcap(Order::Le, false, 101 | 0x0400_0000 | (4 << 28));
    let a = [0x45, 0, 0, 20];
    pcap_record(&mut c, Order::Le, 1, 2, &a, 20, expect(ns(1, 2_000), 101, 20, &a, 0));
    let (frames, end) = read_all(&c.bytes[..]);
    assert_eq!((frames, end), (expected_frames(&c), Ok(())));
}

#[test]
fn pcap_link_type_with_reserved_bits_set_is_malformed() {
    let c = pcap(Order::Le, false, 1 | 0x0030_0000);
    let (_, end) = read_all(&c.bytes[..]);
    assert_eq!(end, Err(CaptureError { offset: 0, kind: CaptureErrorKind::Malformed }));
}

#[test]
fn pcap_major_version_other_than_2_is_unsupported() {
    let mut c = pcap(Order::Be, false, 1);
    c.bytes[4..6].copy_from_slice(&1u16.to_be_bytes());
    let (_, end) = read_all(&c.bytes[..]);
    assert_eq!(end, Err(CaptureError { offset: 0, kind: CaptureErrorKind::UnsupportedVersion }));
}

#[test]
fn empty_pcap_ends_at_once() {
    let c = pcap(Order::Le, true, 1);
    let mut r = CaptureReader::new(&c.bytes[..]).unwrap();
    assert_eq!(r.next_frame(), Ok(None));
    assert_eq!(r.offset(), 24);
}

#[test]
fn zero_byte_file_is_truncated_at_offset_0() {
    let (_, end) = read_all(&[][..]);
    assert_eq!(end, Err(CaptureError { offset: 0, kind: CaptureErrorKind::Truncated }));
}

#[test]
fn unknown_magic_is_unknown_format_whatever_the_file_is_called() {
    for bytes in [&b"GET / HTTP/1.1\r\n\r\n"[..], &b"hi"[..], &[0u8; 64][..]] {
        let (_, end) = read_all(bytes);
        assert_eq!(end, Err(CaptureError { offset: 0, kind: CaptureErrorKind::UnknownFormat }), "{bytes:?}");
    }
}

#[test]
fn record_caplen_over_256_mib_is_malformed_at_the_record() {
    let mut c = pcap(Order::Le, false, 1);
    let a = [1, 2, 3];
    pcap_record(&mut c, Order::Le, 1, 0, &a, 3, expect(ns(1, 0), 1, 3, &a, 0));
    let bad_at = c.bytes.len();
    put32(&mut c.bytes, Order::Le, 2);
    put32(&mut c.bytes, Order::Le, 0);
    put32(&mut c.bytes, Order::Le, (256 << 20) + 1);
    put32(&mut c.bytes, Order::Le, 100);
    c.bytes.extend_from_slice(&[0; 100]);
    let (frames, end) = read_all(&c.bytes[..]);
    assert_eq!(frames, expected_frames(&c));
    assert_eq!(end, Err(CaptureError { offset: bad_at as u64, kind: CaptureErrorKind::Malformed }));
}

#[test]
fn a_damaged_length_in_a_small_file_does_not_reserve_what_it_claims() {
    let mut c = pcap(Order::Le, false, 1);
    let at = c.bytes.len();
    for v in [1u32, 0, 200 << 20, 200 << 20] {
        put32(&mut c.bytes, Order::Le, v);
    }
    c.bytes.extend_from_slice(&[0; 100]);
    let before = ALLOCATED_BYTES.with(|b| b.get());
    let (frames, end) = read_all(&c.bytes[..]);
    let allocated = ALLOCATED_BYTES.with(|b| b.get()) - before;
    assert!(frames.is_empty());
    assert_eq!(end, Err(CaptureError { offset: at as u64, kind: CaptureErrorKind::Truncated }));
    assert!(allocated < 1 << 20, "{allocated} bytes allocated for a {}-byte file", c.bytes.len());
}

#[test]
fn a_large_record_grows_the_buffer_and_reads_whole() {
    let mut c = pcap(Order::Le, false, 1);
    let big: Vec<u8> = (0..300_000u32).map(|i| i as u8).collect();
    pcap_record(&mut c, Order::Le, 1, 0, &big, 300_000, expect(ns(1, 0), 1, 300_000, &big, 0));
    let small = [7; 5];
    pcap_record(&mut c, Order::Le, 2, 0, &small, 5, expect(ns(2, 0), 1, 5, &small, 0));
    let (frames, end) = read_all(&c.bytes[..]);
    assert_eq!((frames, end), (expected_frames(&c), Ok(())));
}

// ---------------------------------------------------------------------------------------------
// pcapng.

#[test]
fn pcapng_interfaces_of_all_sections_form_one_running_index() {
    let c = two_section_pcapng();
    let (frames, end) = read_all(&c.bytes[..]);
    assert_eq!(end, Ok(()));
    assert_eq!(frames, expected_frames(&c));
    let mut r = CaptureReader::new(&c.bytes[..]).unwrap();
    while r.next_frame().unwrap().is_some() {}
    assert_eq!(r.interfaces(), 4, "two interfaces in each of two sections");
    let p = pcap(Order::Le, false, 1);
    assert_eq!(CaptureReader::new(&p.bytes[..]).unwrap().interfaces(), 1, "a pcap file is one interface");
}

#[test]
fn pcapng_big_endian_first_section_is_read() {
    let mut c = pcapng();
    let be = Order::Be;
    shb(&mut c, be, 1);
    idb(&mut c, be, 1, 0, Some(6), Some(-10));
    let a = [0xab; 15];
    epb(&mut c, be, 0, 20_000_001, &a, 15, expect(ns(10, 1_000), 1, 15, &a, 0));
    let (frames, end) = read_all(&c.bytes[..]);
    assert_eq!((frames, end), (expected_frames(&c), Ok(())));
}

#[test]
fn pcapng_timestamp_before_the_epoch_or_after_2554_is_out_of_range() {
    let mut c = pcapng();
    let le = Order::Le;
    shb(&mut c, le, 1);
    idb(&mut c, le, 101, 0, Some(0), Some(-10)); // 1-second units, 10 s before
    idb(&mut c, le, 101, 0, Some(0), None); // 1-second units
    let a = [0x45];
    epb(&mut c, le, 0, 5, &a, 1, expect(Timestamp::OutOfRange, 101, 1, &a, 0));
    epb(&mut c, le, 1, 1 << 40, &a, 1, expect(Timestamp::OutOfRange, 101, 1, &a, 1));
    epb(&mut c, le, 0, 11, &a, 1, expect(ns(1, 0), 101, 1, &a, 0));
    let (frames, end) = read_all(&c.bytes[..]);
    assert_eq!((frames, end), (expected_frames(&c), Ok(())));
}

#[test]
fn simple_packet_block_is_cut_at_the_interface_snaplen() {
    let mut c = pcapng();
    let le = Order::Le;
    shb(&mut c, le, 1);
    idb(&mut c, le, 1, 4, None, None);
    let a = [1, 2, 3, 4, 5, 6];
    spb(&mut c, le, &a, 6, expect(Timestamp::Missing, 1, 6, &a[..4], 0));
    let (frames, end) = read_all(&c.bytes[..]);
    assert_eq!((frames, end), (expected_frames(&c), Ok(())));
}

#[test]
fn empty_pcapng_with_only_section_and_interface_ends_at_once() {
    let mut c = pcapng();
    shb(&mut c, Order::Le, 1);
    idb(&mut c, Order::Le, 1, 0, None, None);
    let mut r = CaptureReader::new(&c.bytes[..]).unwrap();
    assert_eq!(r.next_frame(), Ok(None));
    assert_eq!(r.offset(), c.bytes.len() as u64);
}

#[test]
fn pcapng_section_major_version_other_than_1_is_unsupported() {
    let mut c = pcapng();
    shb(&mut c, Order::Le, 2);
    let (_, end) = read_all(&c.bytes[..]);
    assert_eq!(end, Err(CaptureError { offset: 0, kind: CaptureErrorKind::UnsupportedVersion }));
}

#[test]
fn pcapng_block_length_not_a_multiple_of_4_or_below_12_is_malformed_at_the_block() {
    for bad_len in [13u32, 8, 0] {
        let mut c = pcapng();
        let le = Order::Le;
        shb(&mut c, le, 1);
        idb(&mut c, le, 1, 0, None, None);
        let a = [1; 4];
        epb(&mut c, le, 0, 1, &a, 4, expect(ns(0, 1_000), 1, 4, &a, 0));
        let at = c.bytes.len();
        put32(&mut c.bytes, le, 6);
        put32(&mut c.bytes, le, bad_len);
        c.bytes.extend_from_slice(&[0; 40]);
        let (frames, end) = read_all(&c.bytes[..]);
        assert_eq!(frames, expected_frames(&c));
        assert_eq!(
            end,
            Err(CaptureError { offset: at as u64, kind: CaptureErrorKind::Malformed }),
            "{bad_len}"
        );
    }
}

#[test]
fn pcapng_packet_naming_an_undescribed_interface_is_malformed() {
    let mut c = pcapng();
    let le = Order::Le;
    shb(&mut c, le, 1);
    idb(&mut c, le, 1, 0, None, None);
    let at = c.bytes.len();
    let a = [1; 4];
    epb(&mut c, le, 1, 1, &a, 4, expect(ns(0, 1_000), 1, 4, &a, 1));
    let (frames, end) = read_all(&c.bytes[..]);
    assert!(frames.is_empty());
    assert_eq!(end, Err(CaptureError { offset: at as u64, kind: CaptureErrorKind::Malformed }));
}

#[test]
fn pcapng_trailing_length_that_disagrees_is_malformed() {
    let mut c = pcapng();
    let le = Order::Le;
    shb(&mut c, le, 1);
    idb(&mut c, le, 1, 0, None, None);
    let at = c.bytes.len();
    let a = [1; 4];
    epb(&mut c, le, 0, 1, &a, 4, expect(ns(0, 1_000), 1, 4, &a, 0));
    let n = c.bytes.len();
    c.bytes[n - 4] ^= 4;
    let (_, end) = read_all(&c.bytes[..]);
    assert_eq!(end, Err(CaptureError { offset: at as u64, kind: CaptureErrorKind::Malformed }));
}

// ---------------------------------------------------------------------------------------------
// Truncation, short reads, read errors.

/// Cut `c` at every length: no panic, every frame whose record ends before the cut, then a clean
/// end exactly at a boundary or `Truncated` at the start of the cut record.
fn check_every_cut(c: &Capture, what: &str) {
    let first_boundary = c.boundaries[0];
    for cut in 0..=c.bytes.len() {
        let (frames, end) = read_all(&c.bytes[..cut]);
        let complete: Vec<Expected> =
            c.frames.iter().filter(|(_, e)| *e <= cut).map(|(f, _)| f.clone()).collect();
        assert_eq!(frames, complete, "{what}: cut at {cut}");
        if c.boundaries.contains(&cut) {
            assert_eq!(end, Ok(()), "{what}: cut at boundary {cut}");
        } else {
            let start = if cut < first_boundary {
                0
            } else {
                *c.boundaries.iter().filter(|&&b| b <= cut).max().unwrap_or(&0)
            };
            assert_eq!(
                end,
                Err(CaptureError { offset: start as u64, kind: CaptureErrorKind::Truncated }),
                "{what}: cut at {cut}"
            );
        }
    }
}

#[test]
fn pcap_cut_at_any_length_yields_every_complete_frame_then_truncated() {
    for order in [Order::Le, Order::Be] {
        let mut c = pcap(order, false, 1);
        for i in 0..4u8 {
            let data = vec![i; 3 + i as usize * 5];
            let n = data.len() as u32;
            pcap_record(
                &mut c,
                order,
                10 + i as u32,
                5,
                &data,
                n,
                expect(ns(10 + i as u64, 5_000), 1, n, &data, 0),
            );
        }
        check_every_cut(&c, &format!("pcap {order:?}"));
    }
}

#[test]
fn pcapng_cut_at_any_length_yields_every_complete_frame_then_truncated() {
    check_every_cut(&two_section_pcapng(), "pcapng");
}

/// Hands out at most `step` bytes per read.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

#[test]
fn short_reads_give_the_same_frames() {
    let c = two_section_pcapng();
    for step in [1, 3, 7, 64] {
        let (frames, end) = read_all(Trickle { bytes: &c.bytes, step });
        assert_eq!((frames, end), (expected_frames(&c), Ok(())), "step {step}");
    }
}

/// Fails with `kind` after `ok` bytes; `Interrupted` once at the start.
struct Failing<'a> {
    bytes: &'a [u8],
    interrupted: bool,
}

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.interrupted {
            self.interrupted = true;
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        if self.bytes.is_empty() {
            return Err(std::io::ErrorKind::PermissionDenied.into());
        }
        let n = buf.len().min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

#[test]
fn read_error_is_io_at_the_record_being_read_and_interrupted_is_retried() {
    let mut c = pcap(Order::Le, false, 1);
    let a = [5; 10];
    pcap_record(&mut c, Order::Le, 1, 0, &a, 10, expect(ns(1, 0), 1, 10, &a, 0));
    let (frames, end) = read_all(Failing { bytes: &c.bytes, interrupted: false });
    assert_eq!(frames, expected_frames(&c));
    assert_eq!(
        end,
        Err(CaptureError {
            offset: c.bytes.len() as u64,
            kind: CaptureErrorKind::Io(std::io::ErrorKind::PermissionDenied)
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Batches and mapped files: the same frames and the same end as one frame at a time.

/// Read everything `batch` frames at a time through `next_frames`.
fn read_batched<R: Read>(
    reader: Result<CaptureReader<R>, CaptureError>,
    batch: usize,
) -> (Vec<Expected>, Result<(), CaptureError>) {
    let mut frames = Vec::new();
    let mut r = match reader {
        Ok(r) => r,
        Err(e) => return (frames, Err(e)),
    };
    loop {
        // Frames borrow the reader until the next call, so each call gets its own array.
        let mut out = vec![flowlog_core::Frame::EMPTY; batch];
        match r.next_frames(&mut out) {
            Ok(0) => return (frames, Ok(())),
            Ok(n) => {
                assert!(n <= batch);
                frames.extend(out[..n].iter().map(|f| Expected {
                    ts: f.ts,
                    link: f.link,
                    orig_len: f.orig_len,
                    data: f.data.to_vec(),
                    interface: f.observation_point,
                }));
            }
            Err(e) => {
                let mut again = vec![flowlog_core::Frame::EMPTY; batch];
                assert_eq!(r.next_frames(&mut again).err(), Some(e));
                return (frames, Err(e));
            }
        }
    }
}

/// `bytes` written to a fresh file in the temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> TempFile {
        let path = std::env::temp_dir().join(format!("flowlog-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn batches_and_mapped_files_give_the_frames_and_the_end_of_single_reads_at_every_cut() {
    let mut pcap_file = pcap(Order::Be, true, 1);
    for i in 0..6u8 {
        let data = vec![i; 7 + i as usize * 3];
        let n = data.len() as u32;
        pcap_record(&mut pcap_file, Order::Be, 3, 9, &data, n, expect(ns(3, 9), 1, n, &data, 0));
    }
    for (what, c) in [("pcap", pcap_file), ("pcapng", two_section_pcapng())] {
        for cut in 0..=c.bytes.len() {
            let bytes = &c.bytes[..cut];
            let single = read_all(bytes);
            for batch in [1, 2, 5, 256] {
                let label = format!("{what} cut at {cut}, batch {batch}");
                assert_eq!(read_batched(CaptureReader::new(bytes), batch), single, "{label}: slice");
                let trickle = Trickle { bytes, step: 5 };
                assert_eq!(read_batched(CaptureReader::new(trickle), batch), single, "{label}: trickle");
            }
            let file = TempFile::new(&format!("{what}-{cut}"), bytes);
            let mapped = read_batched(CaptureReader::open_mapped(&file.0), 64);
            assert_eq!(mapped, single, "{what} cut at {cut}: mapped");
            let opened = read_batched(CaptureReader::open(&file.0), 64);
            assert_eq!(opened, single, "{what} cut at {cut}: opened and read");
        }
    }
}

/// A mapped pcap file is framed by a batch path of its own; each pcap variant, and damage after good
/// records, reads as single frames from a slice read it, which in turn give the frames built.
#[test]
fn mapped_pcap_files_of_every_variant_read_as_single_frames_do() {
    let mut variants = Vec::new();
    for (order, nanos) in [(Order::Le, false), (Order::Le, true), (Order::Be, false), (Order::Be, true)] {
        let mut c = pcap(order, nanos, 1);
        for i in 0..5u32 {
            let data = vec![i as u8; i as usize * 13];
            let frac = 999_999 - i;
            let ts = ns(1_000 + i as u64, if nanos { frac as u64 } else { frac as u64 * 1_000 });
            pcap_record(&mut c, order, 1_000 + i, frac, &data, 1500, expect(ts, 1, 1500, &data, 0));
        }
        variants.push((format!("{order:?} nanos={nanos}"), c));
    }
    // Modified pcap: 24-byte record headers (8 bytes after the usual four fields).
    let mut c = pcap(Order::Le, false, 1);
    c.bytes[..4].copy_from_slice(&0xa1b2_cd34u32.to_le_bytes());
    for i in 0..4u32 {
        let data = vec![0x5a; 9 + i as usize];
        for v in [3 + i, 4, data.len() as u32, 60, 2] {
            put32(&mut c.bytes, Order::Le, v);
        }
        c.bytes.extend_from_slice(&[0x08, 0x00, 0, 0]);
        c.bytes.extend_from_slice(&data);
        c.mark();
        let end = c.bytes.len();
        c.frames.push((expect(ns(3 + i as u64, 4_000), 1, 60, &data, 0), end));
    }
    variants.push(("modified".to_owned(), c));
    // Good records, then a length over 256 MiB: the good ones, then Malformed at that record.
    let mut c = pcap(Order::Le, false, 1);
    for i in 0..3u32 {
        let data = [i as u8; 20];
        pcap_record(&mut c, Order::Le, i, 0, &data, 20, expect(ns(i as u64, 0), 1, 20, &data, 0));
    }
    let bad_at = c.bytes.len() as u64;
    for v in [9, 0, (256 << 20) + 1, 100] {
        put32(&mut c.bytes, Order::Le, v);
    }
    c.bytes.extend_from_slice(&[0; 100]);
    variants.push(("damaged".to_owned(), c));

    for (what, c) in &variants {
        let single = read_all(&c.bytes[..]);
        let built = expected_frames(c);
        assert_eq!(single.0, built, "{what}: single frames give the frames built");
        let file = TempFile::new(&format!("variant-{}", what.replace([' ', '='], "-")), &c.bytes);
        for batch in [1, 2, 3, 256] {
            let mapped = read_batched(CaptureReader::open_mapped(&file.0), batch);
            assert_eq!(mapped, single, "{what}, batch {batch}");
        }
        let end = if what == "damaged" {
            Err(CaptureError { offset: bad_at, kind: CaptureErrorKind::Malformed })
        } else {
            Ok(())
        };
        assert_eq!(single.1, end, "{what}");
    }
}

#[test]
fn a_mapped_file_larger_than_the_mapping_window_reads_whole() {
    // 40 MiB of records: the reader maps ahead and releases behind several times over.
    let mut c = pcap(Order::Le, false, 1);
    for i in 0..40_000u32 {
        let data = vec![(i % 251) as u8; 1000 + (i % 48) as usize];
        let n = data.len() as u32;
        pcap_record(
            &mut c,
            Order::Le,
            i,
            i % 1_000_000,
            &data,
            n,
            expect(ns(i as u64, (i % 1_000_000) as u64 * 1000), 1, n, &data, 0),
        );
    }
    let file = TempFile::new("large", &c.bytes);
    let want = (expected_frames(&c), Ok(()));
    assert_eq!(read_batched(CaptureReader::open_mapped(&file.0), 256), want, "batches");
    let mut one_by_one = Vec::new();
    let mut r = CaptureReader::open_mapped(&file.0).unwrap();
    while let Some(f) = r.next_frame().unwrap() {
        one_by_one.push(Expected {
            ts: f.ts,
            link: f.link,
            orig_len: f.orig_len,
            data: f.data.to_vec(),
            interface: f.interface,
        });
    }
    assert_eq!((one_by_one, Ok(())), want, "single frames");
    assert_eq!(r.offset(), c.bytes.len() as u64);

    // With the page-table work handed to a thread of the caller's, and the reader dropped
    // halfway through.
    for whole in [true, false] {
        let mut r = CaptureReader::open_mapped(&file.0).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (send, receive) = std::sync::mpsc::sync_channel::<flowlog_core::capture::Pager>(1);
        let done = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut pager = receive.recv().unwrap();
            while !done.load(std::sync::atomic::Ordering::Acquire) {
                pager.follow_reader();
                std::thread::park_timeout(flowlog_core::capture::Pager::NAP);
            }
        });
        send.send(r.hand_off_paging(thread.thread().clone()).unwrap()).unwrap();
        assert!(r.hand_off_paging(thread.thread().clone()).is_none(), "paging is handed off once");
        if whole {
            assert_eq!(read_batched(Ok(r), 256), want, "batches, paging handed off");
        } else {
            for _ in 0..20_000 {
                assert!(r.next_frame().unwrap().is_some());
            }
            drop(r);
        }
        stop.store(true, std::sync::atomic::Ordering::Release);
        thread.thread().unpark();
        thread.join().unwrap();
    }
    // A reader that reads a stream has no paging to hand off.
    let mut r = CaptureReader::open(&file.0).unwrap();
    assert!(r.hand_off_paging(std::thread::current()).is_none());
}

/// SPEC §6 for a file truncated in place while it is read (log rotation by `copytruncate`): a
/// file opened with `open` is read, not mapped, so the reader ends with `Truncated` or a clean
/// end at what it had read, and the process lives on.
#[test]
fn a_file_truncated_in_place_while_opened_ends_with_an_error_or_a_clean_end() {
    let mut c = pcap(Order::Le, false, 1);
    for i in 0..4_000u32 {
        let data = vec![(i % 251) as u8; 200 + (i % 7) as usize];
        let n = data.len() as u32;
        pcap_record(&mut c, Order::Le, i, 0, &data, n, expect(ns(i as u64, 0), 1, n, &data, 0));
    }
    let file = TempFile::new("truncated-in-place", &c.bytes);
    let mut r = CaptureReader::open(&file.0).unwrap();
    for _ in 0..10 {
        assert!(r.next_frame().unwrap().is_some());
    }
    std::fs::OpenOptions::new().write(true).open(&file.0).unwrap().set_len(10).unwrap();
    let mut n = 10;
    let end = loop {
        match r.next_frame() {
            Ok(Some(_)) => n += 1,
            Ok(None) => break Ok(()),
            Err(e) => break Err(e.kind),
        }
    };
    assert!(matches!(end, Ok(()) | Err(CaptureErrorKind::Truncated)), "{end:?}");
    assert!(n < 4_000, "{n} frames read from a file truncated to 10 bytes");
}

#[test]
fn reading_frames_does_not_allocate_after_warm_up() {
    let mut c = pcapng();
    let le = Order::Le;
    shb(&mut c, le, 1);
    idb(&mut c, le, 1, 0, None, None);
    for i in 0..2_000u64 {
        let data = [i as u8; 60];
        epb(&mut c, le, 0, i, &data, 60, expect(Timestamp::Ns(i * 1_000), 1, 60, &data, 0));
        if i % 100 == 0 {
            isb(&mut c, le, 0);
        }
    }
    let mut r = CaptureReader::new(&c.bytes[..]).unwrap();
    // Warm-up: the interface description is parsed on the first call.
    assert!(r.next_frame().unwrap().is_some());
    let before = allocations();
    let mut n = 1;
    while let Some(f) = r.next_frame().unwrap() {
        assert_eq!(f.data.len(), 60);
        n += 1;
    }
    assert_eq!(allocations() - before, 0, "allocations while reading frames");
    assert_eq!(n, 2_000);

    // In batches, from a mapped file: the first call reserves the batch's bookkeeping.
    let file = TempFile::new("no-alloc", &c.bytes);
    let mut r = CaptureReader::open_mapped(&file.0).unwrap();
    let mut out = [flowlog_core::Frame::EMPTY; 64];
    assert_eq!(r.next_frames(&mut out).unwrap(), 64);
    let before = allocations();
    let mut n = 64;
    loop {
        let mut out = [flowlog_core::Frame::EMPTY; 64];
        match r.next_frames(&mut out).unwrap() {
            0 => break,
            k => n += k,
        }
    }
    assert_eq!(allocations() - before, 0, "allocations while reading batches");
    assert_eq!(n, 2_000);
}

// ---------------------------------------------------------------------------------------------
// The corpus.

/// The `"frames": N` field of an expected file, or `None` for a file tshark could not read.
fn expected_frame_count(path: &std::path::Path) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("frames")?.as_u64()
}

#[test]
fn corpus_invalid_files_fail_cleanly_with_their_kind() {
    let Some(dir) = corpus_dir() else { return };
    let conf = dir.join("conformance");
    let cases = [
        ("libpcap_pcap-invalid-version-1.pcap", CaptureErrorKind::UnsupportedVersion),
        ("libpcap_pcapng-invalid-vers-1.pcapng", CaptureErrorKind::UnsupportedVersion),
        ("libpcap_linktype-reserved-field-not-zero.pcap", CaptureErrorKind::Malformed),
    ];
    for (name, kind) in cases {
        let e = CaptureReader::open(&conf.join(name)).err();
        assert_eq!(e, Some(CaptureError { offset: 0, kind }), "{name}");
    }
}

#[test]
fn corpus_files_open_and_frame_counts_match_the_expected_files() {
    let Some(dir) = corpus_dir() else { return };
    let mut checked = 0;
    for sub in ["conformance", "realistic"] {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(dir.join(sub)).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let expected = expected_frame_count(&dir.join("expected").join(format!("{name}.inner.json")));
            let Some(expected) = expected else {
                // tshark could not read it: we must fail cleanly, which the test above checks.
                continue;
            };
            let mut r = CaptureReader::open(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut frames = 0u64;
            while let Some(_f) = r.next_frame().unwrap_or_else(|e| panic!("{name}: {e}")) {
                frames += 1;
            }
            assert_eq!(frames, expected, "{name}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} corpus files checked");
}

/// The `rollovers` and `bad_timestamp` of an expected-windows file.
fn expected_window_counts(path: &std::path::Path) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some((v.get("rollovers")?.as_u64()?, v.get("bad_timestamp")?.as_u64()?))
}

#[test]
fn corpus_timestamps_give_the_expected_rollovers_and_bad_timestamps() {
    // Rollovers and bad timestamps depend on every packet's time, metered or not (SPEC §4), so
    // they check the reader's timestamps against tshark's whatever the parser does.
    let Some(dir) = corpus_dir() else { return };
    let mut checked = 0;
    for sub in ["conformance", "realistic"] {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(dir.join(sub)).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            for window_secs in [60u64, 600] {
                let expected_path =
                    dir.join("expected-windows").join(format!("{name}.inner.w{window_secs}.json"));
                let Some(expected) = expected_window_counts(&expected_path) else { continue };
                let config = flowlog_core::Config { window_secs, ..Default::default() };
                let mut meter = flowlog_core::Meter::new(config).unwrap();
                let mut sink = |_: &flowlog_core::Record| {};
                let mut r = CaptureReader::open(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
                while let Some(f) = r.next_frame().unwrap_or_else(|e| panic!("{name}: {e}")) {
                    let _ = meter.process(&f.to_frame(), &mut sink);
                }
                let c = meter.counters();
                assert_eq!((c.rollovers, c.bad_timestamp), expected, "{name}, window {window_secs} s");
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "only {checked} expected-windows files checked");
}

proptest::proptest! {
    /// SPEC §6: nothing a capture file contains makes the reader panic or hang; the frames it
    /// returns before an error are whole (their data lies within the file).
    #[test]
    fn corrupted_capture_never_panics_and_ends(
        flips in proptest::collection::vec((0usize..100_000, proptest::prelude::any::<u8>()), 1..12),
        pcap_file in proptest::prelude::any::<bool>(),
    ) {
        let mut bytes = if pcap_file {
            let mut c = pcap(Order::Be, true, 1);
            for i in 0..5u8 {
                let data = vec![i; 10 + i as usize];
                let n = data.len() as u32;
                pcap_record(&mut c, Order::Be, 1, 2, &data, n, expect(ns(1, 2), 1, n, &data, 0));
            }
            c.bytes
        } else {
            two_section_pcapng().bytes
        };
        let len = bytes.len();
        for (at, value) in flips {
            bytes[at % len] = value;
        }
        let (frames, _end) = read_all(&bytes[..]);
        let data: usize = frames.iter().map(|f| f.data.len()).sum();
        proptest::prop_assert!(data <= len);
    }
}

// ---------------------------------------------------------------------------------------------
// Metering a capture.

/// The records of `bytes` metered frame by frame with `Meter::process`, flushed: what
/// `MeteredCapture` must give.
fn records_one_frame_at_a_time(bytes: &[u8], config: Config) -> (Vec<Record>, Result<(), CaptureError>) {
    let mut meter = Meter::new(config).unwrap();
    let mut records = Vec::new();
    let mut sink = |r: &Record| records.push(*r);
    let mut r = CaptureReader::new(bytes).unwrap();
    let end = loop {
        match r.next_frame() {
            Ok(Some(f)) => {
                let _ = meter.process(&f.to_frame(), &mut sink);
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    meter.flush(&mut sink);
    (records, end)
}

#[test]
fn a_metered_capture_gives_the_records_of_metering_frame_by_frame_whole_in_parts_and_damaged() {
    let spec = flowlog_testkit::gen::TrafficSpec { packets: 3_000, flows: 200, ..Default::default() };
    let mut whole = Vec::new();
    flowlog_testkit::gen::write_pcap(&spec, &mut whole).unwrap();
    let config = Config { window_secs: 10, max_flows: 64, ..Config::default() };
    for cut in [whole.len(), whole.len() - 7, whole.len() / 2 + 3, 24] {
        let bytes = &whole[..cut];
        let want = records_one_frame_at_a_time(bytes, config);
        assert!(cut < whole.len() || !want.0.is_empty(), "the whole capture gives records");

        let mut meter = Meter::new(config).unwrap();
        let mut records = Vec::new();
        let mut capture = MeteredCapture::new(CaptureReader::new(bytes).unwrap());
        let end = capture.meter_to_end(&mut meter, &mut |r: &Record| records.push(*r));
        assert_eq!((records, end), want, "cut at {cut}: to the end");

        // A part at a time, as a binding streaming records does: the same records, then the end.
        for part in [1, 100, 256, 1_000] {
            let mut meter = Meter::new(config).unwrap();
            let mut records = Vec::new();
            let mut sink = |r: &Record| records.push(*r);
            let mut capture = MeteredCapture::new(CaptureReader::new(bytes).unwrap());
            let end = loop {
                match capture.meter(&mut meter, &mut sink, part) {
                    Ok(0) => break Ok(()),
                    Ok(n) => assert!(n <= part, "{n} frames metered for a part of {part}"),
                    Err(e) => break Err(e),
                }
            };
            meter.flush(&mut sink);
            assert_eq!((records, end), want, "cut at {cut}: parts of {part}");
        }
    }
}

#[test]
fn a_metered_capture_numbers_its_interfaces_from_the_first_it_is_given() {
    let spec = flowlog_testkit::gen::TrafficSpec { packets: 50, flows: 5, ..Default::default() };
    let mut bytes = Vec::new();
    flowlog_testkit::gen::write_pcap(&spec, &mut bytes).unwrap();
    let mut meter = Meter::new(Config::default()).unwrap();
    let mut points = Vec::new();
    let mut capture = MeteredCapture::new(CaptureReader::new(&bytes[..]).unwrap()).with_first_interface(7);
    capture.meter_to_end(&mut meter, &mut |r: &Record| points.push(r.key.observation_point)).unwrap();
    assert!(!points.is_empty() && points.iter().all(|&p| p == 7), "{points:?}");
    assert_eq!(capture.reader().interfaces(), 1);
}
