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

use super::text::{Out, IPV6_TEXT, U64_DIGITS};
use super::{has_tcp_flags, SECS_DIGITS};
use crate::key::Direction;
use crate::record::Record;

pub(crate) fn record(rec: &Record, out: &mut Out<'_>) {
    let k = &rec.key;
    let v6 = k.ip_version() == 6;
    let mut o = Obj::open(out, false);
    o.num("version", 1);
    o.addr("srcaddr", &k.src, v6);
    o.addr("dstaddr", &k.dst, v6);
    o.num("srcport", k.src_port.into());
    o.num("dstport", k.dst_port.into());
    o.num("protocol", k.protocol.into());
    o.num("packets", rec.packets);
    o.num("bytes", rec.bytes);
    o.num("start", rec.start_secs());
    o.num("end", rec.end_secs());
    o.num("start-ns", rec.start_ns);
    o.num("end-ns", rec.end_ns);
    if k.direction() != Direction::Unknown {
        o.string("direction", k.direction().as_str());
    }
    o.string("action", k.action().as_str());
    o.string("log-status", rec.log_status.as_str());
    if has_tcp_flags(rec) {
        o.num("tcp-flags", rec.tcp_flags.into());
    }
    if rec.tcp_syn_ack {
        o.num("tcp-syn-ack", 1);
    }
    extras(rec, &mut o);
    o.close();
}

/// The flowlog keys after the Alibaba ones, shared by JSON lines and SLS: ICMP type/code, IP
/// version, window, end reason, observation point, VLAN and tunnel ids.
pub(crate) fn extras(rec: &Record, o: &mut Obj<'_, '_>) {
    let k = &rec.key;
    if rec.has_icmp {
        o.num("icmp-type", rec.icmp_type.into());
        o.num("icmp-code", rec.icmp_code.into());
    }
    o.num("ip-version", k.ip_version().into());
    o.num("window-start", rec.window_start);
    o.num("window-secs", rec.window_secs);
    o.string("end_reason", rec.end_reason.as_str());
    o.num("observation-point", k.observation_point.into());
    if k.vlan != 0 {
        o.num("vlan-id", k.vlan.into());
    }
    if k.tunnel_id != 0 {
        o.num("tunnel-id", k.tunnel_id.into());
    }
}

/// A JSON object being written: keys are written as given, values either as JSON numbers or,
/// for SLS, every value as a string. Strings are written without escaping: callers pass only
/// fixed names and addresses.
pub(crate) struct Obj<'o, 'b> {
    out: &'o mut Out<'b>,
    first: bool,
    quote_numbers: bool,
}

impl<'o, 'b> Obj<'o, 'b> {
    pub(crate) fn open(out: &'o mut Out<'b>, quote_numbers: bool) -> Obj<'o, 'b> {
        out.byte(b'{');
        Obj { out, first: true, quote_numbers }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.byte(b',');
        }
        self.first = false;
        self.out.byte(b'"');
        self.out.str(key);
        self.out.str("\":");
    }

    pub(crate) fn num(&mut self, key: &str, v: u64) {
        self.key(key);
        if self.quote_numbers {
            self.out.byte(b'"');
            self.out.u64(v);
            self.out.byte(b'"');
        } else {
            self.out.u64(v);
        }
    }

    pub(crate) fn string(&mut self, key: &str, s: &str) {
        debug_assert!(!s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20), "needs escaping");
        self.key(key);
        self.out.byte(b'"');
        self.out.str(s);
        self.out.byte(b'"');
    }

    pub(crate) fn addr(&mut self, key: &str, a: &[u8; 16], ipv6: bool) {
        self.key(key);
        self.out.byte(b'"');
        self.out.addr(a, ipv6);
        self.out.byte(b'"');
    }

    pub(crate) fn close(self) {
        self.out.str("}\n");
    }
}

/// A key and the widest text of its value, quotes included.
pub(crate) type Bound = (&'static str, usize);

/// Every key with its widest value: the worst case of [`record`].
const FIELDS: [Bound; 26] = [
    ("version", 1),
    ("srcaddr", IPV6_TEXT + 2),
    ("dstaddr", IPV6_TEXT + 2),
    ("srcport", 5),
    ("dstport", 5),
    ("protocol", 3),
    ("packets", U64_DIGITS),
    ("bytes", U64_DIGITS),
    ("start", SECS_DIGITS),
    ("end", SECS_DIGITS),
    ("start-ns", U64_DIGITS),
    ("end-ns", U64_DIGITS),
    ("direction", 3 + 2),
    ("action", 6 + 2),
    ("log-status", 8 + 2),
    ("tcp-flags", 3),
    ("tcp-syn-ack", 1),
    ("icmp-type", 3),
    ("icmp-code", 3),
    ("ip-version", 1),
    ("window-start", U64_DIGITS),
    ("window-secs", U64_DIGITS),
    ("end_reason", 12 + 2),
    ("observation-point", 10),
    ("vlan-id", 5),
    ("tunnel-id", 10),
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
