//! JavaScript values in, Rust values out: type and range checks only, no flow-log logic.
//!
//! A value of the wrong JavaScript type throws a `TypeError`, a number that is not an integer in
//! the range of the Rust type it feeds throws a `RangeError` (both with code
//! `ERR_FLOWLOG_INVALID_ARG`, naming the argument or option). Values the core rejects (a zero
//! window, an unknown format) are left to the core, which names the field.

use flowlog_core::{Action, Direction, EndReason, LogStatus};
use napi::bindgen_prelude::{FromNapiValue, Object, Unknown};
use napi::{sys, Env, JsValue, Result, ValueType};

use crate::error;

/// The largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// The JavaScript type of `v`, as `typeof` would name it (for messages).
fn type_name(v: &Unknown<'_>) -> &'static str {
    match v.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "boolean",
        Ok(ValueType::Number) => "number",
        Ok(ValueType::String) => "string",
        Ok(ValueType::Symbol) => "symbol",
        Ok(ValueType::Object) => "object",
        Ok(ValueType::Function) => "function",
        Ok(ValueType::External) => "external",
        Ok(ValueType::BigInt) => "bigint",
        _ => "unknown",
    }
}

fn is(v: &Unknown<'_>, t: ValueType) -> bool {
    v.get_type().is_ok_and(|x| x == t)
}

/// `true` for `undefined` and `null`.
pub fn is_nullish(v: &Unknown<'_>) -> bool {
    matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}

/// A `Uint8Array` (a `Buffer` is one), borrowed without a copy for the duration of the call.
pub fn bytes<'a>(env: &Env, v: &Unknown<'a>, what: &str) -> Result<&'a [u8]> {
    typed(env, v, what, "a Buffer or Uint8Array")
}

/// A `Uint32Array`, borrowed.
pub fn u32_array<'a>(env: &Env, v: &Unknown<'a>, what: &str) -> Result<&'a [u32]> {
    typed(env, v, what, "a Uint32Array")
}

/// A `BigUint64Array`, borrowed.
pub fn u64_array<'a>(env: &Env, v: &Unknown<'a>, what: &str) -> Result<&'a [u64]> {
    typed(env, v, what, "a BigUint64Array")
}

fn typed<'a, T>(env: &Env, v: &Unknown<'a>, what: &str, expected: &str) -> Result<&'a [T]>
where
    &'a [T]: FromNapiValue,
{
    // SAFETY: `from_napi_value` checks that `v` is a typed array of exactly this element type
    // before it builds the slice; the slice lives as long as the call, during which no JavaScript
    // runs that could detach or resize the buffer.
    match unsafe { <&'a [T]>::from_napi_value(env.raw(), v.raw()) } {
        Ok(s) => Ok(s),
        Err(_) => Err(error::type_error(env, &format!("{what} must be {expected}, got {}", describe(v)))),
    }
}

/// `typeof v`, or the constructor-ish name of a typed array, for messages.
fn describe(v: &Unknown<'_>) -> String {
    if v.is_typedarray().unwrap_or(false) {
        "another kind of TypedArray".to_owned()
    } else if v.is_array().unwrap_or(false) {
        "an Array".to_owned()
    } else {
        type_name(v).to_owned()
    }
}

/// A `bigint` in `0 ..= 2^64 − 1`, read without allocating.
pub fn u64_bigint(env: &Env, v: &Unknown<'_>, what: &str) -> Result<u64> {
    if !is(v, ValueType::BigInt) {
        return Err(error::type_error(env, &format!("{what} must be a bigint, got {}", type_name(v))));
    }
    let mut value = 0u64;
    let mut lossless = false;
    // SAFETY: `v` is a BigInt (checked above) of this env; both out-pointers are valid.
    let status = unsafe { sys::napi_get_value_bigint_uint64(env.raw(), v.raw(), &mut value, &mut lossless) };
    if status != sys::Status::napi_ok || !lossless {
        return Err(error::range_error(env, &format!("{what} must be between 0n and 2n ** 64n - 1n")));
    }
    Ok(value)
}

/// A number that is an integer in `0 ..= max`.
pub fn uint(env: &Env, v: &Unknown<'_>, what: &str, max: f64) -> Result<f64> {
    if !is(v, ValueType::Number) {
        return Err(error::type_error(env, &format!("{what} must be a number, got {}", type_name(v))));
    }
    // SAFETY: `v` is a number (checked above).
    let x = unsafe { v.cast::<f64>() }?;
    if !(x.fract() == 0.0 && (0.0..=max).contains(&x)) {
        return Err(error::range_error(
            env,
            &format!("{what} must be an integer between 0 and {max}, got {x}"),
        ));
    }
    Ok(x)
}

/// A number that is an integer in `0 ..= u32::MAX`.
pub fn u32_num(env: &Env, v: &Unknown<'_>, what: &str) -> Result<u32> {
    Ok(uint(env, v, what, u32::MAX as f64)? as u32)
}

/// A number that is an integer in `0 ..= 2^53 − 1`.
pub fn u64_num(env: &Env, v: &Unknown<'_>, what: &str) -> Result<u64> {
    Ok(uint(env, v, what, MAX_SAFE_INTEGER)? as u64)
}

/// A boolean.
pub fn boolean(env: &Env, v: &Unknown<'_>, what: &str) -> Result<bool> {
    if !is(v, ValueType::Boolean) {
        return Err(error::type_error(env, &format!("{what} must be a boolean, got {}", type_name(v))));
    }
    // SAFETY: `v` is a boolean (checked above).
    unsafe { v.cast::<bool>() }
}

/// A string.
pub fn string(env: &Env, v: &Unknown<'_>, what: &str) -> Result<String> {
    if !is(v, ValueType::String) {
        return Err(error::type_error(env, &format!("{what} must be a string, got {}", type_name(v))));
    }
    // SAFETY: `v` is a string (checked above).
    unsafe { v.cast::<String>() }
}

/// One of `all`, chosen by its name under `name`; a `TypeError` for a value that is not a string,
/// a `RangeError` naming the choices for another string.
pub fn choice<T: Copy>(
    env: &Env,
    v: &Unknown<'_>,
    what: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T> {
    let s = string(env, v, what)?;
    match all.iter().find(|&&x| name(x) == s) {
        Some(&x) => Ok(x),
        None => {
            let names: Vec<String> = all.iter().map(|&x| format!("'{}'", name(x))).collect();
            Err(error::range_error(env, &format!("{what} must be one of {}, got '{s}'", names.join(", "))))
        }
    }
}

/// Every direction.
pub const DIRECTIONS: [Direction; 3] = [Direction::Unknown, Direction::In, Direction::Out];
/// Every action.
pub const ACTIONS: [Action; 2] = [Action::Accept, Action::Reject];
/// Every end reason (named as the core names them).
pub const END_REASONS: [EndReason; 4] =
    [EndReason::Window, EndReason::Evicted, EndReason::Flush, EndReason::PacketLimit];
/// Every log status (named as the core names them).
pub const LOG_STATUSES: [LogStatus; 3] = [LogStatus::Ok, LogStatus::NoData, LogStatus::SkipData];

/// The JavaScript name of a direction: `'unknown'`, `'in'` or `'out'` (the core writes `-` for
/// unknown in text formats, which is not a name).
pub fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Unknown => "unknown",
        Direction::In => "in",
        Direction::Out => "out",
    }
}

/// The JavaScript name of an action: `'accept'` or `'reject'`.
pub fn action_name(a: Action) -> &'static str {
    match a {
        Action::Accept => "accept",
        Action::Reject => "reject",
    }
}

/// An options object (or a record): `undefined`/`null` (nothing given) or a plain object. With a
/// list of `allowed` keys, any other key is an error: a misspelt option is not silently ignored.
pub struct Options<'a> {
    obj: Option<Object<'a>>,
    what: String,
}

impl<'a> Options<'a> {
    /// Read `v` as the object named `what` (for messages).
    pub fn new(env: &Env, v: Option<&Unknown<'a>>, what: &str, allowed: Option<&[&str]>) -> Result<Self> {
        let what = what.to_owned();
        let v = match v {
            Some(v) if !is_nullish(v) => v,
            _ => return Ok(Options { obj: None, what }),
        };
        if !is(v, ValueType::Object) || v.is_array().unwrap_or(false) || v.is_typedarray().unwrap_or(false) {
            return Err(error::type_error(env, &format!("{what} must be an object, got {}", describe(v))));
        }
        // SAFETY: `v` is an object (checked above).
        let obj = unsafe { v.cast::<Object<'a>>() }?;
        if let Some(allowed) = allowed {
            for key in Object::keys(&obj)? {
                if !allowed.contains(&key.as_str()) {
                    return Err(error::type_error(
                        env,
                        &format!("unknown option '{key}' in {what} (known: {})", allowed.join(", ")),
                    ));
                }
            }
        }
        Ok(Options { obj: Some(obj), what })
    }

    /// `what.key`, for messages.
    pub fn name(&self, key: &str) -> String {
        format!("{}.{key}", self.what)
    }

    /// The value of `key`, `None` when absent or `undefined`.
    pub fn get(&self, key: &str) -> Result<Option<Unknown<'a>>> {
        match &self.obj {
            Some(obj) => obj.get::<Unknown<'a>>(key),
            None => Ok(None),
        }
    }

    /// The value of `key`; a `TypeError` when it is missing.
    pub fn get_required(&self, env: &Env, key: &str) -> Result<Unknown<'a>> {
        match self.get(key)? {
            Some(v) => Ok(v),
            None => Err(error::type_error(env, &format!("{} is required", self.name(key)))),
        }
    }

    /// The value of `key` read by `read`, or `None` when absent.
    pub fn read<T>(
        &self,
        env: &Env,
        key: &str,
        read: impl FnOnce(&Env, &Unknown<'a>, &str) -> Result<T>,
    ) -> Result<Option<T>> {
        match self.get(key)? {
            Some(v) => read(env, &v, &self.name(key)).map(Some),
            None => Ok(None),
        }
    }

    /// The value of `key` read by `read`; a `TypeError` when it is missing.
    pub fn require<T>(
        &self,
        env: &Env,
        key: &str,
        read: impl FnOnce(&Env, &Unknown<'a>, &str) -> Result<T>,
    ) -> Result<T> {
        read(env, &self.get_required(env, key)?, &self.name(key))
    }
}
