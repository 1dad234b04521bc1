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
    /// The numeric columns as BUILD reads them (see [`JsRecords::new`]).
    numbers: Vec<u8>,
}

/// 32-bit fields per record in the `u32` column (see [`JsRecords::new`]).
const U32_FIELDS: usize = 11;

/// The builder: `(n, addrs, buffer)` → `FlowRecord[]`, keys in `FlowRecord`'s field order.
/// `buffer` holds the columns one after another (see [`JsRecords::new`]); `%NAMES%` becomes the
/// name lists of the enum fields, indexed by discriminant.
const BUILD: &str = r#"(function (n, addrs, buffer) {
  const [direction, action, endReason, logStatus] = %NAMES%;
  const u64 = new BigUint64Array(buffer, 0, 4 * n);
  const f64 = new Float64Array(buffer, 32 * n, 2 * n);
  const u32 = new Uint32Array(buffer, 48 * n, 11 * n);
  const a = addrs.split(',');
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const w = 4 * i, v = 11 * i, e = u32[v + 10];
    out[i] = {
      srcAddr: a[2 * i], dstAddr: a[2 * i + 1],
      srcPort: u32[v], dstPort: u32[v + 1], protocol: u32[v + 2], ipVersion: u32[v + 3],
      observationPoint: u32[v + 4], vlan: u32[v + 5], tunnelId: u32[v + 6],
      direction: direction[e & 0xf], action: action[(e >> 4) & 0xf],
      packets: u64[w], bytes: u64[w + 1], startNs: u64[w + 2], endNs: u64[w + 3],
      tcpFlags: u32[v + 7] & 0xffff, tcpSynAck: (e & 0x100) !== 0, hasIcmp: (e & 0x200) !== 0,
      icmpType: u32[v + 8], icmpCode: u32[v + 9],
      windowStart: f64[2 * i], windowSecs: f64[2 * i + 1],
      endReason: endReason[(e >> 12) & 0xf], logStatus: logStatus[(e >> 16) & 0xf],
    };
  }
  return out;
})"#;

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
    /// `records` in columns. `numbers` holds, in native byte order, every record's 4 u64s
    /// (packets, bytes, start_ns, end_ns), then every record's 2 f64s (window_start, window_secs:
    /// below 2^53), then every record's [`U32_FIELDS`] u32s; each column starts at a multiple of
    /// its element size.
    pub fn new(records: &[Record]) -> JsRecords {
        let n = records.len();
        let (f64_at, u32_at) = (32 * n, 48 * n);
        let mut numbers = vec![0u8; u32_at + 4 * U32_FIELDS * n];
        let mut addrs = String::with_capacity(32 * n);
        for (i, r) in records.iter().enumerate() {
            let k = &r.key;
            let _ = write!(addrs, "{},{},", k.src_addr(), k.dst_addr());
            put(&mut numbers, 32 * i, [r.packets, r.bytes, r.start_ns, r.end_ns].map(u64::to_ne_bytes));
            put(
                &mut numbers,
                f64_at + 16 * i,
                [r.window_start_secs as f64, r.window_secs as f64].map(f64::to_ne_bytes),
            );
            // The enum discriminants and the two flags, as BUILD unpacks them.
            let packed = k.direction() as u32
                | (k.action() as u32) << 4
                | (r.tcp_syn_ack as u32) << 8
                | (r.has_icmp as u32) << 9
                | (r.end_reason as u32) << 12
                | (r.log_status as u32) << 16;
            let u32s: [u32; U32_FIELDS] = [
                k.src_port.into(),
                k.dst_port.into(),
                k.protocol.into(),
                k.ip_version().into(),
                k.observation_point,
                k.vlan.into(),
                k.tunnel_id,
                r.tcp_flags.into(),
                r.icmp_type.into(),
                r.icmp_code.into(),
                packed,
            ];
            put(&mut numbers, u32_at + 4 * U32_FIELDS * i, u32s.map(u32::to_ne_bytes));
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
            let source = BUILD.replace("%NAMES%", &names_literal());
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
