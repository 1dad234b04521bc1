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

use super::text::{Out, Time, IPV6_TEXT, U16_DIGITS, U32_DIGITS, U64_DIGITS, U8_DIGITS};
use super::{has_tcp_flags, SECS_DIGITS};
use crate::key::{Action, Direction};
use crate::record::{EndReason, LogStatus, Record};

/// Column names and the widest value of each.
const COLUMNS: [(&str, usize); 25] = [
    ("version", 1),
    ("srcaddr", IPV6_TEXT),
    ("dstaddr", IPV6_TEXT),
    ("srcport", U16_DIGITS),
    ("dstport", U16_DIGITS),
    ("protocol", U8_DIGITS),
    ("packets", U64_DIGITS),
    ("bytes", U64_DIGITS),
    ("start", SECS_DIGITS),
    ("end", SECS_DIGITS),
    ("start-ns", U64_DIGITS),
    ("end-ns", U64_DIGITS),
    ("direction", 3),
    ("action", 6),
    ("log-status", 8),
    ("tcp-flags", U16_DIGITS),
    ("icmp-type", U8_DIGITS),
    ("icmp-code", U8_DIGITS),
    ("ip-version", 1),
    ("window-start", U64_DIGITS),
    ("window-secs", U64_DIGITS),
    ("end_reason", 12),
    ("observation-point", U32_DIGITS),
    ("vlan-id", U16_DIGITS),
    ("tunnel-id", U32_DIGITS),
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

pub(crate) fn record<const F: bool>(rec: &Record, o: &mut Out<'_, F>) {
    let k = &rec.key;
    let v6 = k.ip_version() == 6;
    let (start, end) = (Time::new(rec.start_ns), Time::new(rec.end_ns));
    // Separators are merged into the fixed text around them, so copies have constant lengths.
    // None of the fixed names needs RFC 4180 quoting.
    o.str("1,");
    o.addr(&k.src, v6);
    o.byte(b',');
    o.addr(&k.dst, v6);
    o.byte(b',');
    o.u16(k.src_port);
    o.byte(b',');
    o.u16(k.dst_port);
    o.byte(b',');
    o.u8(k.protocol);
    o.byte(b',');
    o.u64(rec.packets);
    o.byte(b',');
    o.u64(rec.bytes);
    o.byte(b',');
    o.secs(&start);
    o.byte(b',');
    o.secs(&end);
    o.byte(b',');
    o.nanos(&start);
    o.byte(b',');
    o.nanos(&end);
    match k.direction() {
        Direction::Unknown => o.str(",,"),
        Direction::In => o.str(",in,"),
        Direction::Out => o.str(",out,"),
    }
    match k.action() {
        Action::Accept => o.str("ACCEPT,"),
        Action::Reject => o.str("REJECT,"),
    }
    match rec.log_status {
        LogStatus::Ok => o.str("OK,"),
        LogStatus::NoData => o.str("NODATA,"),
        LogStatus::SkipData => o.str("SKIPDATA,"),
    }
    if has_tcp_flags(rec) {
        o.u16(rec.tcp_flags);
    }
    o.byte(b',');
    if rec.has_icmp {
        o.u8(rec.icmp_type);
        o.byte(b',');
        o.u8(rec.icmp_code);
    } else {
        o.byte(b',');
    }
    if v6 {
        o.str(",6,");
    } else {
        o.str(",4,");
    }
    o.u64(rec.window_start_secs);
    o.byte(b',');
    o.u64(rec.window_secs);
    match rec.end_reason {
        EndReason::Window => o.str(",window,"),
        EndReason::Evicted => o.str(",evicted,"),
        EndReason::Flush => o.str(",flush,"),
        EndReason::PacketLimit => o.str(",packet_limit,"),
    }
    o.u64(k.observation_point.into());
    o.byte(b',');
    if k.vlan != 0 {
        o.u16(k.vlan);
    }
    o.byte(b',');
    if k.tunnel_id != 0 {
        o.u64(k.tunnel_id.into());
    }
    o.byte(b'\n');
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
