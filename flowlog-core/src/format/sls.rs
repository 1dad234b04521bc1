//! Alibaba Simple Log Service records (SPEC §5 `sls`): one JSON object per line, every value a
//! string, as SLS stores VPC flow logs.
//!
//! Keys, in this order: `__topic__` (`"flow_log"`), `version` (`"1"`), the Alibaba metadata
//! fields `account-id`, `region`, `vpc-id`, `vswitch-id`, `eni-id`, `vm-id` (unknown to the
//! engine: `"-"`), then `srcaddr`, `dstaddr`, `srcport`, `dstport`, `protocol`, `packets`,
//! `bytes`, `start`, `end`, `direction`, `action`, `log-status`, `tcp-flags`, `traffic_path`
//! (`"-"`), and after the Alibaba fields the flowlog extras of JSON lines: `start-ns`, `end-ns`,
//! `icmp-type`, `icmp-code`, `ip-version`, `window-start`, `window-secs`, `end_reason`,
//! `observation-point`, `vlan-id`, `tunnel-id`.
//!
//! Choices:
//! - Every Alibaba field is present; an unknown or not applicable one is `"-"`: the metadata
//!   fields, `traffic_path`, `direction` when unknown, `tcp-flags` on a non-TCP record.
//! - The extras follow the JSON-lines presence rules (ICMP keys only on ICMP records, VLAN and
//!   tunnel ids only when non-zero), since they are not Alibaba fields.
//! - `end` is the Alibaba dialect (SPEC §4, [`Record::alibaba_end_secs`]): the last packet time
//!   of a TCP connection that closed (FIN or RST) in the window, else the window end. `start` is
//!   the first packet time.
//! - `tcp-flags` is the plain OR of the low 6 bits (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32),
//!   so SYN in one packet and SYN-ACK in another give 18, as Alibaba documents.
//! - A NODATA/SKIPDATA row writes `"-"` for every flow field (addresses, ports, protocol,
//!   packets, bytes, direction, action, tcp-flags) and keeps start, end and the status.

use super::jsonl::{object_bound, Bound, Obj};
use super::text::{Out, IPV6_TEXT, U64_DIGITS};
use super::{has_tcp_flags, has_traffic, SECS_DIGITS};
use crate::key::Direction;
use crate::record::Record;

/// Alibaba metadata the engine does not know yet.
const UNKNOWN_META: [&str; 6] = ["account-id", "region", "vpc-id", "vswitch-id", "eni-id", "vm-id"];

pub(crate) fn record(rec: &Record, out: &mut Out<'_>) {
    let k = &rec.key;
    let v6 = k.ip_version() == 6;
    let traffic = has_traffic(rec);
    let mut o = Obj::open(out, true);
    o.string("__topic__", "flow_log");
    o.string("version", "1");
    for key in UNKNOWN_META {
        o.string(key, "-");
    }
    if traffic {
        o.addr("srcaddr", &k.src, v6);
        o.addr("dstaddr", &k.dst, v6);
        o.num("srcport", k.src_port.into());
        o.num("dstport", k.dst_port.into());
        o.num("protocol", k.protocol.into());
        o.num("packets", rec.packets);
        o.num("bytes", rec.bytes);
    } else {
        for key in ["srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes"] {
            o.string(key, "-");
        }
    }
    o.num("start", rec.start_secs());
    o.num("end", rec.alibaba_end_secs());
    if traffic && k.direction() != Direction::Unknown {
        o.string("direction", k.direction().as_str());
    } else {
        o.string("direction", "-");
    }
    o.string("action", if traffic { k.action().as_str() } else { "-" });
    o.string("log-status", rec.log_status.as_str());
    if traffic && has_tcp_flags(rec) {
        o.num("tcp-flags", (rec.tcp_flags & 0x3f).into());
    } else {
        o.string("tcp-flags", "-");
    }
    o.string("traffic_path", "-");
    o.num("start-ns", rec.start_ns);
    o.num("end-ns", rec.end_ns);
    super::jsonl::extras(rec, &mut o);
    o.close();
}

/// Every key with its widest value, quotes included: the worst case of [`record`]. `end` may be
/// the window end, a full `u64`.
const FIELDS: [Bound; 33] = [
    ("__topic__", 10),
    ("version", 3),
    ("account-id", 3),
    ("region", 3),
    ("vpc-id", 3),
    ("vswitch-id", 3),
    ("eni-id", 3),
    ("vm-id", 3),
    ("srcaddr", IPV6_TEXT + 2),
    ("dstaddr", IPV6_TEXT + 2),
    ("srcport", 5 + 2),
    ("dstport", 5 + 2),
    ("protocol", 3 + 2),
    ("packets", U64_DIGITS + 2),
    ("bytes", U64_DIGITS + 2),
    ("start", SECS_DIGITS + 2),
    ("end", U64_DIGITS + 2),
    ("direction", 3 + 2),
    ("action", 6 + 2),
    ("log-status", 8 + 2),
    ("tcp-flags", 2 + 2),
    ("traffic_path", 3),
    ("start-ns", U64_DIGITS + 2),
    ("end-ns", U64_DIGITS + 2),
    ("icmp-type", 3 + 2),
    ("icmp-code", 3 + 2),
    ("ip-version", 1 + 2),
    ("window-start", U64_DIGITS + 2),
    ("window-secs", U64_DIGITS + 2),
    ("end_reason", 12 + 2),
    ("observation-point", 10 + 2),
    ("vlan-id", 5 + 2),
    ("tunnel-id", 10 + 2),
];

/// The longest SLS line (see [`FIELDS`]).
pub(crate) const MAX_LEN: usize = object_bound(&FIELDS);
