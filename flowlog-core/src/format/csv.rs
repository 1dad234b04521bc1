//! CSV (SPEC §5 `csv`): a header row, then one row per record; the JSON-lines fields as columns.
//!
//! Columns, always all of them, in this order (the [`jsonl`](super::jsonl) keys and order):
//! `version,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,start-ns,end-ns,`
//! `direction,action,log-status,tcp-flags,icmp-type,icmp-code,ip-version,window-start,`
//! `window-secs,end_reason,observation-point,vlan-id,tunnel-id`.
//!
//! Choices:
//! - A cell is **empty** where JSON lines leave the key out: `direction` when unknown,
//!   `tcp-flags` on non-TCP records, `icmp-type`/`icmp-code` on non-ICMP records, `vlan-id` and
//!   `tunnel-id` when 0. An empty cell reads as "null" in spreadsheet and dataframe tools, where
//!   `-` would turn a numeric column into text.
//! - Values are those of JSON lines: `version` 1, `end` = last packet time, `tcp-flags` the
//!   9-bit OR. The VPC metadata the engine does not know has no column.
//! - RFC 4180 quoting: a field containing a comma, a double quote, CR or LF is enclosed in double
//!   quotes with inner quotes doubled. No value flowlog writes contains one today.
//! - Rows end in `\n` (not RFC 4180's CRLF), like the other formats; every CSV reader accepts it.

use super::text::{Out, IPV6_TEXT, U64_DIGITS};
use super::{has_tcp_flags, SECS_DIGITS};
use crate::key::Direction;
use crate::record::Record;

/// Column names and the widest value of each.
const COLUMNS: [(&str, usize); 25] = [
    ("version", 1),
    ("srcaddr", IPV6_TEXT),
    ("dstaddr", IPV6_TEXT),
    ("srcport", 5),
    ("dstport", 5),
    ("protocol", 3),
    ("packets", U64_DIGITS),
    ("bytes", U64_DIGITS),
    ("start", SECS_DIGITS),
    ("end", SECS_DIGITS),
    ("start-ns", U64_DIGITS),
    ("end-ns", U64_DIGITS),
    ("direction", 3),
    ("action", 6),
    ("log-status", 8),
    ("tcp-flags", 3),
    ("icmp-type", 3),
    ("icmp-code", 3),
    ("ip-version", 1),
    ("window-start", U64_DIGITS),
    ("window-secs", U64_DIGITS),
    ("end_reason", 12),
    ("observation-point", 10),
    ("vlan-id", 5),
    ("tunnel-id", 10),
];

pub(crate) fn header(out: &mut Out<'_>) {
    for (i, (name, _)) in COLUMNS.iter().enumerate() {
        if i > 0 {
            out.byte(b',');
        }
        out.csv_field(name);
    }
    out.byte(b'\n');
}

pub(crate) fn record(rec: &Record, out: &mut Out<'_>) {
    let k = &rec.key;
    let v6 = k.ip_version() == 6;
    let sep = |o: &mut Out<'_>| o.byte(b',');
    out.u64(1);
    sep(out);
    out.addr(&k.src, v6);
    sep(out);
    out.addr(&k.dst, v6);
    sep(out);
    out.u64(k.src_port.into());
    sep(out);
    out.u64(k.dst_port.into());
    sep(out);
    out.u64(k.protocol.into());
    sep(out);
    out.u64(rec.packets);
    sep(out);
    out.u64(rec.bytes);
    sep(out);
    out.u64(rec.start_secs());
    sep(out);
    out.u64(rec.end_secs());
    sep(out);
    out.u64(rec.start_ns);
    sep(out);
    out.u64(rec.end_ns);
    sep(out);
    if k.direction() != Direction::Unknown {
        out.csv_field(k.direction().as_str());
    }
    sep(out);
    out.csv_field(k.action().as_str());
    sep(out);
    out.csv_field(rec.log_status.as_str());
    sep(out);
    if has_tcp_flags(rec) {
        out.u64(rec.tcp_flags.into());
    }
    sep(out);
    if rec.has_icmp {
        out.u64(rec.icmp_type.into());
    }
    sep(out);
    if rec.has_icmp {
        out.u64(rec.icmp_code.into());
    }
    sep(out);
    out.u64(k.ip_version().into());
    sep(out);
    out.u64(rec.window_start);
    sep(out);
    out.u64(rec.window_secs);
    sep(out);
    out.csv_field(rec.end_reason.as_str());
    sep(out);
    out.u64(k.observation_point.into());
    sep(out);
    if k.vlan != 0 {
        out.u64(k.vlan.into());
    }
    sep(out);
    if k.tunnel_id != 0 {
        out.u64(k.tunnel_id.into());
    }
    out.byte(b'\n');
}

const fn sum(names: bool) -> usize {
    let mut n = COLUMNS.len(); // commas between the columns and `\n`
    let mut i = 0;
    while i < COLUMNS.len() {
        n += if names { COLUMNS[i].0.len() } else { COLUMNS[i].1 };
        i += 1;
    }
    n
}

/// The longest row: every column at its widest, 24 commas and `\n`.
pub(crate) const MAX_LEN: usize = sum(false);
/// The header row.
pub(crate) const MAX_HEADER_LEN: usize = sum(true);
