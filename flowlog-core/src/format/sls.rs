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

use super::jsonl::{extras, log_status, object_bound, Bound};
use super::text::{Out, IPV6_TEXT, U16_DIGITS, U32_DIGITS, U64_DIGITS, U8_DIGITS};
use super::{has_tcp_flags, has_traffic, SECS_DIGITS};
use crate::key::{Action, Direction};
use crate::protocol::tcp_flags::{ACK, FIN, PSH, RST, SYN, URG};
use crate::record::Record;

/// The flags Alibaba reports: the low six bits of the flags byte.
const ALIBABA_TCP_FLAGS: u16 = FIN | SYN | RST | PSH | ACK | URG;

// As in JSON lines, each key is one literal with its punctuation and the quotes of its value;
// fixed values are part of the literal too.

pub(crate) fn record<const F: bool>(rec: &Record, o: &mut Out<'_, F>) {
    let k = &rec.key;
    let v6 = k.ip_version() == 6;
    let traffic = has_traffic(rec);
    // The Alibaba metadata the engine does not know yet: account, region, VPC, vSwitch, ENI, VM.
    o.str(
        "{\"__topic__\":\"flow_log\",\"version\":\"1\",\"account-id\":\"-\",\"region\":\"-\",\
         \"vpc-id\":\"-\",\"vswitch-id\":\"-\",\"eni-id\":\"-\",\"vm-id\":\"-\",\"srcaddr\":\"",
    );
    if traffic {
        o.addr(&k.src, v6);
        o.str("\",\"dstaddr\":\"");
        o.addr(&k.dst, v6);
        o.str("\",\"srcport\":\"");
        o.u16(k.src_port);
        o.str("\",\"dstport\":\"");
        o.u16(k.dst_port);
        o.str("\",\"protocol\":\"");
        o.u8(k.protocol);
        o.str("\",\"packets\":\"");
        o.u64(rec.packets);
        o.str("\",\"bytes\":\"");
        o.u64(rec.bytes);
    } else {
        o.str(
            "-\",\"dstaddr\":\"-\",\"srcport\":\"-\",\"dstport\":\"-\",\"protocol\":\"-\",\
             \"packets\":\"-\",\"bytes\":\"-",
        );
    }
    o.str("\",\"start\":\"");
    o.u64(rec.start_secs());
    o.str("\",\"end\":\"");
    o.u64(rec.alibaba_end_secs());
    o.byte(b'"');
    match (traffic, k.direction()) {
        (true, Direction::In) => o.str(",\"direction\":\"in\""),
        (true, Direction::Out) => o.str(",\"direction\":\"out\""),
        _ => o.str(",\"direction\":\"-\""),
    }
    match (traffic, k.action()) {
        (false, _) => o.str(",\"action\":\"-\""),
        (true, Action::Accept) => o.str(",\"action\":\"ACCEPT\""),
        (true, Action::Reject) => o.str(",\"action\":\"REJECT\""),
    }
    log_status(rec.log_status, o);
    if traffic && has_tcp_flags(rec) {
        o.str(",\"tcp-flags\":\"");
        o.u8((rec.tcp_flags & ALIBABA_TCP_FLAGS) as u8);
        o.str("\",\"traffic_path\":\"-\",\"start-ns\":\"");
    } else {
        o.str(",\"tcp-flags\":\"-\",\"traffic_path\":\"-\",\"start-ns\":\"");
    }
    o.u64(rec.start_ns);
    o.str("\",\"end-ns\":\"");
    o.u64(rec.end_ns);
    o.byte(b'"');
    extras::<true, F>(rec, o);
    o.str("}\n");
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
    ("srcport", U16_DIGITS + 2),
    ("dstport", U16_DIGITS + 2),
    ("protocol", U8_DIGITS + 2),
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
    ("icmp-type", U8_DIGITS + 2),
    ("icmp-code", U8_DIGITS + 2),
    ("ip-version", 1 + 2),
    ("window-start", U64_DIGITS + 2),
    ("window-secs", U64_DIGITS + 2),
    ("end_reason", 12 + 2),
    ("observation-point", U32_DIGITS + 2),
    ("vlan-id", U16_DIGITS + 2),
    ("tunnel-id", U32_DIGITS + 2),
];

/// The longest SLS line (see [`FIELDS`]).
pub(crate) const MAX_LEN: usize = object_bound(&FIELDS);
