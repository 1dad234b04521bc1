//! The one place where errors become JavaScript exceptions.
//!
//! Every [`flowlog_core::ErrorKind`] maps to one stable `error.code` string, `ERR_FLOWLOG_` plus
//! the kind's name in upper case; the message is the core's `Display` text. Two more codes belong
//! to the binding itself: [`INVALID_ARG`] for a value of the wrong JavaScript type (a `TypeError`)
//! or one that does not fit the Rust type it feeds (a `RangeError`), and [`CLOSED`] for a call on
//! a meter after `close()`.
//!
//! Each helper throws in `env` and returns the `PendingException` marker that napi-rs passes
//! through untouched, so the exception JavaScript sees is the one built here.

use flowlog_core::ErrorKind;
use napi::bindgen_prelude::Object;
use napi::{Env, Error, Status};

/// A value of the wrong type, or one outside the range of the type it feeds.
pub const INVALID_ARG: &str = "ERR_FLOWLOG_INVALID_ARG";
/// A method was called on a meter after `close()`.
pub const CLOSED: &str = "ERR_FLOWLOG_CLOSED";

/// The `error.code` of a core error kind: one arm per kind, no wildcard, so a new kind in the
/// core does not compile here until it has its own code.
pub fn code(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidConfig => "ERR_FLOWLOG_INVALID_CONFIG",
        ErrorKind::BufferTooSmall => "ERR_FLOWLOG_BUFFER_TOO_SMALL",
        ErrorKind::CaptureTruncated => "ERR_FLOWLOG_CAPTURE_TRUNCATED",
        ErrorKind::CaptureMalformed => "ERR_FLOWLOG_CAPTURE_MALFORMED",
        ErrorKind::CaptureUnsupported => "ERR_FLOWLOG_CAPTURE_UNSUPPORTED",
        ErrorKind::Io => "ERR_FLOWLOG_IO",
    }
}

/// The marker returned after an exception was thrown in `env`.
fn pending(thrown: napi::Result<()>) -> Error {
    match thrown {
        Ok(()) => Error::new(Status::PendingException, String::new()),
        // Throwing itself failed (the environment is shutting down): report that instead.
        Err(e) => e,
    }
}

/// Throw a core error: `Error` with the kind's code and the core's message.
pub fn core(env: &Env, e: impl Into<flowlog_core::Error>) -> Error {
    let e: flowlog_core::Error = e.into();
    pending(env.throw_error(&e.to_string(), Some(code(e.kind()))))
}

/// Throw a core error whose message is prefixed with `context` (e.g. the file name), after `fill`
/// added properties to the error object.
pub fn core_with(
    env: &Env,
    context: &str,
    e: impl Into<flowlog_core::Error>,
    fill: impl FnOnce(&mut Object<'_>) -> napi::Result<()>,
) -> Error {
    let e: flowlog_core::Error = e.into();
    let built = env.create_error(Error::new(Status::GenericFailure, format!("{context}: {e}"))).and_then(
        |mut obj| {
            obj.set("code", code(e.kind()))?;
            fill(&mut obj)?;
            Ok(obj)
        },
    );
    match built {
        Ok(obj) => pending(env.throw(obj)),
        Err(err) => err,
    }
}

/// Throw a `TypeError` with code [`INVALID_ARG`].
pub fn type_error(env: &Env, message: &str) -> Error {
    pending(env.throw_type_error(message, Some(INVALID_ARG)))
}

/// Throw a `RangeError` with code [`INVALID_ARG`].
pub fn range_error(env: &Env, message: &str) -> Error {
    pending(env.throw_range_error(message, Some(INVALID_ARG)))
}

/// Throw the error of a call on a closed meter.
pub fn closed(env: &Env) -> Error {
    pending(env.throw_error("the meter is closed", Some(CLOSED)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_code_derived_from_its_name() {
        let mut codes: Vec<&str> = ErrorKind::ALL.iter().map(|&k| code(k)).collect();
        for (k, c) in ErrorKind::ALL.iter().zip(&codes) {
            assert_eq!(*c, format!("ERR_FLOWLOG_{}", k.as_str().to_uppercase()));
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        assert!(!codes.contains(&INVALID_ARG) && !codes.contains(&CLOSED));
    }
}
