//! JSON lines (SPEC §5 `jsonl`): one JSON object per line with the Alibaba key names; the
//! lossless format every other format is derived from.
//!
//! Keys, in this order, and when each is present:
//!
//! | key | value | present |
//! |---|---|---|
//! | `version` | `1` (Alibaba flow-log version) | always |
//! | `srcaddr`, `dstaddr` | string: dotted quad, or IPv6 in RFC 5952 canonical form | always |
//! | `srcport`, `dstport`, `protocol` | number | always |
//! | `packets`, `bytes` | number | always |
//! | `start`, `end` | floor seconds of the first and last packet time | always |
//! | `start-ns`, `end-ns` | nanoseconds since the epoch | always |
//! | `direction` | `"in"` / `"out"` | when known |
//! | `action` | `"ACCEPT"` / `"REJECT"` | always |
//! | `log-status` | `"OK"` / `"NODATA"` / `"SKIPDATA"` | always |
//! | `tcp-flags` | number: the 9-bit OR, bits 0–7 the flags byte, NS = 256 | TCP records (and any record with non-zero flags) |
//! | `tcp-syn-ack` | `1`: one packet carried SYN and ACK together (AWS reports ACK only then) | when set |
//! | `icmp-type`, `icmp-code` | number, of the record's first packet | ICMP and ICMPv6 records |
//! | `ip-version` | `4` / `6` | always |
//! | `window-start`, `window-secs` | capture window start (s) and length (s) | always |
//! | `end_reason` | `"window"` / `"evicted"` / `"flush"` / `"packet_limit"` | always |
//! | `observation-point` | number: the interface or ENI index | always |
//! | `vlan-id`, `tunnel-id` | number | when non-zero (only with `key_vlan` / `key_tunnel`) |
//!
//! Lossless: every field of a [`Record`] is recovered from its line (an absent `direction` is
//! unknown, an absent `vlan-id`/`tunnel-id` is 0, an absent `tcp-flags` is 0 and an absent `tcp-syn-ack` false, absent ICMP keys
//! mean `has_icmp` is false). `end` follows AWS (last packet time); the Alibaba dialect is in
//! [`sls`](super::sls). Unknown VPC metadata (account, VPC, ENI, ...) is left out. Keys are
//! written without spaces; no value ever needs JSON escaping (addresses and fixed names only).
//!
//! Example (a TCP record):
//!
//! ```text
//! {"version":1,"srcaddr":"10.0.0.1","dstaddr":"10.0.0.2","srcport":53870,"dstport":80,"protocol":6,"packets":3,"bytes":180,"start":1700000000,"end":1700000002,"start-ns":1700000000100000000,"end-ns":1700000002500000000,"direction":"out","action":"ACCEPT","log-status":"OK","tcp-flags":18,"tcp-syn-ack":1,"ip-version":4,"window-start":1699999800,"window-secs":600,"end_reason":"window","observation-point":1}
//! ```

use super::text::{Out, Time, IPV6_TEXT, U16_DIGITS, U32_DIGITS, U64_DIGITS, U8_DIGITS};
use super::{has_tcp_flags, SECS_DIGITS};
use crate::key::{Action, Direction};
use crate::record::{EndReason, LogStatus, Record};

// Each key is written together with its punctuation (`,"srcport":`) as one literal, and the
// fixed values with it, so that every copy has a constant length and inlines to a few moves.

pub(crate) fn record<const F: bool>(rec: &Record, o: &mut Out<'_, F>) {
    let k = &rec.key;
    let v6 = k.ip_version() == 6;
    let (start, end) = (Time::new(rec.start_ns), Time::new(rec.end_ns));
    o.str("{\"version\":1,\"srcaddr\":\"");
    o.addr(&k.src, v6);
    o.str("\",\"dstaddr\":\"");
    o.addr(&k.dst, v6);
    o.str("\",\"srcport\":");
    o.u16(k.src_port);
    o.str(",\"dstport\":");
    o.u16(k.dst_port);
    o.str(",\"protocol\":");
    o.u8(k.protocol);
    o.str(",\"packets\":");
    o.u64(rec.packets);
    o.str(",\"bytes\":");
    o.u64(rec.bytes);
    o.str(",\"start\":");
    o.secs(&start);
    o.str(",\"end\":");
    o.secs(&end);
    o.str(",\"start-ns\":");
    o.nanos(&start);
    o.str(",\"end-ns\":");
    o.nanos(&end);
    match k.direction() {
        Direction::Unknown => {}
        Direction::In => o.str(",\"direction\":\"in\""),
        Direction::Out => o.str(",\"direction\":\"out\""),
    }
    match k.action() {
        Action::Accept => o.str(",\"action\":\"ACCEPT\""),
        Action::Reject => o.str(",\"action\":\"REJECT\""),
    }
    log_status(rec.log_status, o);
    if has_tcp_flags(rec) {
        o.str(",\"tcp-flags\":");
        o.u16(rec.tcp_flags);
    }
    if rec.tcp_syn_ack {
        o.str(",\"tcp-syn-ack\":1");
    }
    extras::<false, F>(rec, o);
    o.str("}\n");
}

/// `,"log-status":"OK"` and the like.
#[inline(always)]
pub(crate) fn log_status<const F: bool>(s: LogStatus, o: &mut Out<'_, F>) {
    match s {
        LogStatus::Ok => o.str(",\"log-status\":\"OK\""),
        LogStatus::NoData => o.str(",\"log-status\":\"NODATA\""),
        LogStatus::SkipData => o.str(",\"log-status\":\"SKIPDATA\""),
    }
}

/// A number value: bare for JSON lines, in quotes for SLS (`QUOTE`).
#[inline(always)]
fn num<const QUOTE: bool, const F: bool>(o: &mut Out<'_, F>, v: u64) {
    if QUOTE {
        o.byte(b'"');
    }
    o.u64(v);
    if QUOTE {
        o.byte(b'"');
    }
}

/// The flowlog keys after the Alibaba ones, shared by JSON lines and SLS (`QUOTE`: every value a
/// string): ICMP type/code, IP version, window, end reason, observation point, VLAN and tunnel
/// ids.
#[inline(always)]
pub(crate) fn extras<const QUOTE: bool, const F: bool>(rec: &Record, o: &mut Out<'_, F>) {
    let k = &rec.key;
    if rec.has_icmp {
        o.str(",\"icmp-type\":");
        num::<QUOTE, F>(o, rec.icmp_type.into());
        o.str(",\"icmp-code\":");
        num::<QUOTE, F>(o, rec.icmp_code.into());
    }
    match (k.ip_version() == 6, QUOTE) {
        (false, false) => o.str(",\"ip-version\":4"),
        (true, false) => o.str(",\"ip-version\":6"),
        (false, true) => o.str(",\"ip-version\":\"4\""),
        (true, true) => o.str(",\"ip-version\":\"6\""),
    }
    o.str(",\"window-start\":");
    num::<QUOTE, F>(o, rec.window_start_secs);
    o.str(",\"window-secs\":");
    num::<QUOTE, F>(o, rec.window_secs);
    match rec.end_reason {
        EndReason::Window => o.str(",\"end_reason\":\"window\""),
        EndReason::Evicted => o.str(",\"end_reason\":\"evicted\""),
        EndReason::Flush => o.str(",\"end_reason\":\"flush\""),
        EndReason::PacketLimit => o.str(",\"end_reason\":\"packet_limit\""),
    }
    o.str(",\"observation-point\":");
    num::<QUOTE, F>(o, k.observation_point.into());
    if k.vlan != 0 {
        o.str(",\"vlan-id\":");
        num::<QUOTE, F>(o, k.vlan.into());
    }
    if k.tunnel_id != 0 {
        o.str(",\"tunnel-id\":");
        num::<QUOTE, F>(o, k.tunnel_id.into());
    }
}

/// A key and the widest text of its value, quotes included.
pub(crate) type Bound = (&'static str, usize);

/// Every key with its widest value: the worst case of [`record`].
const FIELDS: [Bound; 26] = [
    ("version", 1),
    ("srcaddr", IPV6_TEXT + 2),
    ("dstaddr", IPV6_TEXT + 2),
    ("srcport", U16_DIGITS),
    ("dstport", U16_DIGITS),
    ("protocol", U8_DIGITS),
    ("packets", U64_DIGITS),
    ("bytes", U64_DIGITS),
    ("start", SECS_DIGITS),
    ("end", SECS_DIGITS),
    ("start-ns", U64_DIGITS),
    ("end-ns", U64_DIGITS),
    ("direction", 3 + 2),
    ("action", 6 + 2),
    ("log-status", 8 + 2),
    ("tcp-flags", U16_DIGITS),
    ("tcp-syn-ack", 1),
    ("icmp-type", U8_DIGITS),
    ("icmp-code", U8_DIGITS),
    ("ip-version", 1),
    ("window-start", U64_DIGITS),
    ("window-secs", U64_DIGITS),
    ("end_reason", 12 + 2),
    ("observation-point", U32_DIGITS),
    ("vlan-id", U16_DIGITS),
    ("tunnel-id", U32_DIGITS),
];

/// The size of a JSON object line holding `fields`: `{`, each `"key":value` and the commas
/// between them, `}` and `\n`.
pub(crate) const fn object_bound(fields: &[Bound]) -> usize {
    let mut n = 1 + 2;
    let mut i = 0;
    while i < fields.len() {
        n += fields[i].0.len() + 3 + fields[i].1;
        if i > 0 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The longest JSON line (see [`FIELDS`]).
pub(crate) const MAX_LEN: usize = object_bound(&FIELDS);
