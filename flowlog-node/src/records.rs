//! Records on their way to JavaScript: arrays of `FlowRecord` objects, built in JavaScript.
//!
//! Building each object through N-API (one property at a time, each name looked up in V8's string
//! table, each shape change a map transition) cost about 8 µs per record: a flush of a 64K-flow
//! table took half a second. Instead the records are laid out in columns (typed arrays for the
//! numbers, one string for all the addresses) and handed in one call to a small JavaScript
//! function, compiled once per environment, that builds every object with one object literal: V8
//! gives them all one fixed shape, at a fraction of the cost.

use std::fmt::Write;
use std::ptr;

use flowlog_core::{EndReason, LogStatus, Record};
use napi::bindgen_prelude::ToNapiValue;
use napi::{check_status, sys, Env, JsValue, Result};

use crate::convert;

/// Records handed back to JavaScript, as `FlowRecord[]`: already in columns.
pub struct JsRecords {
    /// How many records.
    n: usize,
    /// Source and destination addresses of every record, comma-separated (no address has one).
    addrs: String,
    /// The numeric columns, as [`slot`] lays them out.
    numbers: Vec<u8>,
}

/// The columns `numbers` holds, one after another, each starting at a multiple of its element
/// size: every record's [`U64S`] u64s, then every record's [`F64S`] f64s (values below 2^53), then
/// every record's [`U32S`] u32s. A record's values sit in its slots, named below; [`KEYS`] says
/// which slot each key of a `FlowRecord` comes from, and the builder's source ([`build_source`]) is
/// generated from it.
mod slot {
    // u64 slots.
    pub const PACKETS: usize = 0;
    pub const BYTES: usize = 1;
    pub const START_NS: usize = 2;
    pub const END_NS: usize = 3;
    // f64 slots.
    pub const WINDOW_START: usize = 0;
    pub const WINDOW_SECS: usize = 1;
    // u32 slots.
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 1;
    pub const PROTOCOL: usize = 2;
    pub const IP_VERSION: usize = 3;
    pub const OBSERVATION_POINT: usize = 4;
    pub const VLAN: usize = 5;
    pub const TUNNEL_ID: usize = 6;
    pub const TCP_FLAGS: usize = 7;
    pub const ICMP_TYPE: usize = 8;
    pub const ICMP_CODE: usize = 9;
    /// The enum discriminants and the flags, packed at the bits named in [`super::bit`].
    pub const PACKED: usize = 10;
}

/// u64s per record.
const U64S: usize = 4;
/// f64s per record.
const F64S: usize = 2;
/// u32s per record.
const U32S: usize = 11;

/// Where each field sits in the [`slot::PACKED`] u32: an enum's discriminant (4 bits) at its
/// shift, a flag at its bit.
mod bit {
    pub const DIRECTION: u32 = 0;
    pub const ACTION: u32 = 4;
    pub const TCP_SYN_ACK: u32 = 8;
    pub const HAS_ICMP: u32 = 9;
    pub const END_REASON: u32 = 12;
    pub const LOG_STATUS: u32 = 16;
}

/// Where the builder reads a key's value.
#[derive(Clone, Copy)]
enum Column {
    /// The record's source (0) or destination (1) address in the address string.
    Addr(usize),
    U64(usize),
    F64(usize),
    U32(usize),
    /// Name list `list` of [`names_literal`], indexed by the 4 bits at this shift of the packed slot.
    Name {
        list: usize,
        shift: u32,
    },
    /// This bit of the packed slot.
    Flag(u32),
}

/// The keys of a `FlowRecord`, in its field order (checked against `index.d.ts`), and where
/// each comes from.
const KEYS: [(&str, Column); 24] = [
    ("srcAddr", Column::Addr(0)),
    ("dstAddr", Column::Addr(1)),
    ("srcPort", Column::U32(slot::SRC_PORT)),
    ("dstPort", Column::U32(slot::DST_PORT)),
    ("protocol", Column::U32(slot::PROTOCOL)),
    ("ipVersion", Column::U32(slot::IP_VERSION)),
    ("observationPoint", Column::U32(slot::OBSERVATION_POINT)),
    ("vlan", Column::U32(slot::VLAN)),
    ("tunnelId", Column::U32(slot::TUNNEL_ID)),
    ("direction", Column::Name { list: 0, shift: bit::DIRECTION }),
    ("action", Column::Name { list: 1, shift: bit::ACTION }),
    ("packets", Column::U64(slot::PACKETS)),
    ("bytes", Column::U64(slot::BYTES)),
    ("startNs", Column::U64(slot::START_NS)),
    ("endNs", Column::U64(slot::END_NS)),
    ("tcpFlags", Column::U32(slot::TCP_FLAGS)),
    ("tcpSynAck", Column::Flag(bit::TCP_SYN_ACK)),
    ("hasIcmp", Column::Flag(bit::HAS_ICMP)),
    ("icmpType", Column::U32(slot::ICMP_TYPE)),
    ("icmpCode", Column::U32(slot::ICMP_CODE)),
    ("windowStart", Column::F64(slot::WINDOW_START)),
    ("windowSecs", Column::F64(slot::WINDOW_SECS)),
    ("endReason", Column::Name { list: 2, shift: bit::END_REASON }),
    ("logStatus", Column::Name { list: 3, shift: bit::LOG_STATUS }),
];

/// The builder's source: `(n, addrs, buffer)` → `FlowRecord[]`, every object made by one object
/// literal with [`KEYS`] in order, reading the columns as [`JsRecords::new`] writes them.
fn build_source() -> String {
    let value = |column: Column| match column {
        Column::Addr(j) => format!("a[2 * i + {j}]"),
        Column::U64(s) => format!("u64[w + {s}]"),
        Column::F64(s) => format!("f64[f + {s}]"),
        Column::U32(s) => format!("u32[v + {s}]"),
        Column::Name { list, shift } => format!("names{list}[(e >> {shift}) & 0xf]"),
        Column::Flag(b) => format!("(e & {}) !== 0", 1u32 << b),
    };
    let fields: Vec<String> =
        KEYS.iter().map(|&(key, column)| format!("      {key}: {},", value(column))).collect();
    format!(
        "(function (n, addrs, buffer) {{
  const [names0, names1, names2, names3] = {names};
  const u64 = new BigUint64Array(buffer, 0, {U64S} * n);
  const f64 = new Float64Array(buffer, {f64_at} * n, {F64S} * n);
  const u32 = new Uint32Array(buffer, {u32_at} * n, {U32S} * n);
  const a = addrs.split(',');
  const out = new Array(n);
  for (let i = 0; i < n; i++) {{
    const w = {U64S} * i, f = {F64S} * i, v = {U32S} * i, e = u32[v + {packed}];
    out[i] = {{
{fields}
    }};
  }}
  return out;
}})",
        names = names_literal(),
        f64_at = 8 * U64S,
        u32_at = 8 * (U64S + F64S),
        packed = slot::PACKED,
        fields = fields.join("\n"),
    )
}

const END_REASONS: [EndReason; 4] =
    [EndReason::Window, EndReason::Evicted, EndReason::Flush, EndReason::PacketLimit];
const LOG_STATUSES: [LogStatus; 3] = [LogStatus::Ok, LogStatus::NoData, LogStatus::SkipData];

/// The name lists of the enum fields, indexed by discriminant, as a JavaScript literal.
fn names_literal() -> String {
    let lists: [Vec<&str>; 4] = [
        convert::DIRECTIONS.map(convert::direction_name).to_vec(),
        convert::ACTIONS.map(convert::action_name).to_vec(),
        END_REASONS.map(EndReason::as_str).to_vec(),
        LOG_STATUSES.map(LogStatus::as_str).to_vec(),
    ];
    let quoted = |l: &Vec<&str>| l.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    format!("[{}]", lists.iter().map(|l| format!("[{}]", quoted(l))).collect::<Vec<_>>().join(", "))
}

impl JsRecords {
    /// `records` in columns, laid out as [`slot`] says.
    pub fn new(records: &[Record]) -> JsRecords {
        let n = records.len();
        let (f64_at, u32_at) = (8 * U64S * n, 8 * (U64S + F64S) * n);
        let mut numbers = vec![0u8; u32_at + 4 * U32S * n];
        let mut addrs = String::with_capacity(32 * n);
        for (i, r) in records.iter().enumerate() {
            let k = &r.key;
            let _ = write!(addrs, "{},{},", k.src_addr(), k.dst_addr());
            let mut u64s = [0u64; U64S];
            u64s[slot::PACKETS] = r.packets;
            u64s[slot::BYTES] = r.bytes;
            u64s[slot::START_NS] = r.start_ns;
            u64s[slot::END_NS] = r.end_ns;
            put(&mut numbers, 8 * U64S * i, u64s.map(u64::to_ne_bytes));
            let mut f64s = [0f64; F64S];
            f64s[slot::WINDOW_START] = r.window_start_secs as f64;
            f64s[slot::WINDOW_SECS] = r.window_secs as f64;
            put(&mut numbers, f64_at + 8 * F64S * i, f64s.map(f64::to_ne_bytes));
            let mut u32s = [0u32; U32S];
            u32s[slot::SRC_PORT] = k.src_port.into();
            u32s[slot::DST_PORT] = k.dst_port.into();
            u32s[slot::PROTOCOL] = k.protocol.into();
            u32s[slot::IP_VERSION] = k.ip_version().into();
            u32s[slot::OBSERVATION_POINT] = k.observation_point;
            u32s[slot::VLAN] = k.vlan.into();
            u32s[slot::TUNNEL_ID] = k.tunnel_id;
            u32s[slot::TCP_FLAGS] = r.tcp_flags.into();
            u32s[slot::ICMP_TYPE] = r.icmp_type.into();
            u32s[slot::ICMP_CODE] = r.icmp_code.into();
            u32s[slot::PACKED] = (k.direction() as u32) << bit::DIRECTION
                | (k.action() as u32) << bit::ACTION
                | (r.tcp_syn_ack as u32) << bit::TCP_SYN_ACK
                | (r.has_icmp as u32) << bit::HAS_ICMP
                | (r.end_reason as u32) << bit::END_REASON
                | (r.log_status as u32) << bit::LOG_STATUS;
            put(&mut numbers, u32_at + 4 * U32S * i, u32s.map(u32::to_ne_bytes));
        }
        addrs.pop(); // the last comma
        JsRecords { n, addrs, numbers }
    }
}

/// Write `values` one after another into `numbers` from `at` (in bounds by `JsRecords::new`'s
/// layout).
fn put<const W: usize, const N: usize>(numbers: &mut [u8], at: usize, values: [[u8; W]; N]) {
    for (j, v) in values.iter().enumerate() {
        numbers[at + W * j..at + W * (j + 1)].copy_from_slice(v);
    }
}

/// The compiled builder of this environment, kept alive by a reference in its instance data.
struct Builder(sys::napi_ref);

/// The builder function, compiled on first use in each environment (main thread or worker).
///
/// # Safety
/// `env` must be the live environment of the current call.
unsafe fn builder(env: sys::napi_env) -> Result<sys::napi_value> {
    let js_env = Env::from_raw(env);
    let reference = match js_env.get_instance_data::<Builder>()? {
        Some(b) => b.0,
        None => {
            let source = build_source();
            let function: napi::bindgen_prelude::Unknown<'_> = js_env.run_script(source)?;
            let mut reference = ptr::null_mut();
            // SAFETY: `function` is a live value of this environment.
            check_status!(unsafe { sys::napi_create_reference(env, function.raw(), 1, &mut reference) })?;
            // The reference lives as long as the environment; its teardown frees both.
            js_env.set_instance_data(Builder(reference), (), |_| {})?;
            reference
        }
    };
    let mut function = ptr::null_mut();
    // SAFETY: `reference` was made in this environment and is never deleted before it ends.
    check_status!(unsafe { sys::napi_get_reference_value(env, reference, &mut function) })?;
    Ok(function)
}

impl ToNapiValue for JsRecords {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        if val.n == 0 {
            // Most calls finish no record: no columns, no call.
            let mut array = ptr::null_mut();
            // SAFETY: `env` is this call's live environment (ToNapiValue's contract).
            check_status!(unsafe { sys::napi_create_array(env, &mut array) })?;
            return Ok(array);
        }
        // SAFETY: as above; every value passed to the call is a live value of `env`.
        unsafe {
            let mut addrs = ptr::null_mut();
            check_status!(sys::napi_create_string_utf8(
                env,
                val.addrs.as_ptr().cast(),
                val.addrs.len() as isize,
                &mut addrs
            ))?;
            // One buffer owned by JavaScript (no finalizer to run), the columns copied in.
            let bytes = &val.numbers;
            let (mut data, mut buffer) = (ptr::null_mut(), ptr::null_mut());
            check_status!(sys::napi_create_arraybuffer(env, bytes.len(), &mut data, &mut buffer))?;
            // SAFETY: `data` points to `bytes.len()` writable bytes just allocated by V8.
            ptr::copy_nonoverlapping(bytes.as_ptr(), data.cast::<u8>(), bytes.len());
            let args = [u32::to_napi_value(env, val.n as u32)?, addrs, buffer];
            let function = builder(env)?;
            let mut this = ptr::null_mut();
            check_status!(sys::napi_get_undefined(env, &mut this))?;
            let mut array = ptr::null_mut();
            check_status!(sys::napi_call_function(
                env,
                this,
                function,
                args.len(),
                args.as_ptr(),
                &mut array
            ))?;
            Ok(array)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `KEYS` are the keys of the `FlowRecord` interface, in its order: a field added to the
    /// record is missed by the builder only if this fails.
    #[test]
    fn the_builder_makes_every_key_of_flow_record_in_its_order() {
        let dts = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/index.d.ts")).unwrap();
        let body = &dts[dts.find("export interface FlowRecord {").expect("FlowRecord in index.d.ts")..];
        let body = &body[..body.find("\n}").unwrap()];
        let keys: Vec<&str> = body
            .lines()
            .skip(1)
            .map(str::trim)
            .filter(|l| !l.starts_with('/') && !l.starts_with('*') && !l.is_empty())
            .map(|l| l.split(':').next().unwrap())
            .collect();
        assert_eq!(keys, KEYS.map(|k| k.0));
    }

    /// Every slot of every column is read by exactly one key, and the packed fields do not overlap.
    #[test]
    fn every_slot_is_read_once_and_the_packed_fields_do_not_overlap() {
        let (mut u64s, mut f64s, mut u32s, mut bits) = (vec![0; U64S], vec![0; F64S], vec![0; U32S], 0u32);
        u32s[slot::PACKED] += 1;
        for (_, column) in KEYS {
            match column {
                Column::U64(s) => u64s[s] += 1,
                Column::F64(s) => f64s[s] += 1,
                Column::U32(s) => u32s[s] += 1,
                Column::Name { shift, .. } => {
                    assert_eq!(bits & 0xf << shift, 0);
                    bits |= 0xf << shift;
                }
                Column::Flag(b) => {
                    assert_eq!(bits & 1 << b, 0);
                    bits |= 1 << b;
                }
                Column::Addr(_) => {}
            }
        }
        assert!(u64s.iter().chain(&f64s).chain(&u32s).all(|&n| n == 1), "{u64s:?} {f64s:?} {u32s:?}");
        assert!(!build_source().contains('%'));
    }

    #[test]
    fn each_name_list_is_indexed_by_the_discriminant_the_columns_carry() {
        let at = |i: usize, d: u8| i == d as usize;
        assert!(convert::DIRECTIONS.iter().enumerate().all(|(i, &v)| at(i, v as u8)));
        assert!(convert::ACTIONS.iter().enumerate().all(|(i, &v)| at(i, v as u8)));
        assert!(END_REASONS.iter().enumerate().all(|(i, &v)| at(i, v as u8)));
        assert!(LOG_STATUSES.iter().enumerate().all(|(i, &v)| at(i, v as u8)));
        assert_eq!(
            names_literal(),
            "[['unknown', 'in', 'out'], ['accept', 'reject'], ['window', 'evicted', 'flush', 'packet_limit'], \
             ['OK', 'NODATA', 'SKIPDATA']]"
        );
    }
}
