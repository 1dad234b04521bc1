//! Keyword options → [`Config`], and the conversions of per-packet arguments.
//!
//! Conversions only: every value range is the core's. An integer option outside its Rust type is
//! saturated (negative → 0, too large → the type's maximum) so that [`Config::validate`] rejects
//! it with the core's own message naming the field.

use flowlog_core::config::{ConfigError, ConfigField, PortList, TunnelPorts};
use flowlog_core::{Accounting, Action, Config, Decap, Direction, Timestamp};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString};

use crate::error::CoreErr;

/// Every option a meter takes, as `Meter(**options)` and `read_pcap(path, **options)` spell them.
pub const OPTION_NAMES: [&str; 10] = [
    "window_secs",
    "max_flows",
    "max_fragments",
    "decap",
    "accounting",
    "icmp_in_ports",
    "key_vlan",
    "key_tunnel",
    "tunnel_ports",
    "hash_seed",
];

/// The tunnel names `tunnel_ports` takes.
pub const TUNNEL_NAMES: [&str; 6] = ["vxlan", "geneve", "gtp_u", "teredo", "mpls_udp", "gre_udp"];

/// An int that is not a bool, or a `TypeError` naming `what`.
fn int<'a, 'py>(v: &'a Bound<'py, PyAny>, what: &str) -> PyResult<&'a Bound<'py, PyInt>> {
    if v.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!("{what} must be an int, not bool")));
    }
    v.cast::<PyInt>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be an int, not {}", type_name(v))))
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

fn is_negative(v: &Bound<'_, PyInt>) -> PyResult<bool> {
    v.lt(0)
}

/// An int option saturated into u64 (see the module docs).
fn saturating_u64(v: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    let i = int(v, what)?;
    match i.extract::<u64>() {
        Ok(n) => Ok(n),
        Err(_) if is_negative(i)? => Ok(0),
        Err(_) => Ok(u64::MAX),
    }
}

fn saturating_u32(v: &Bound<'_, PyAny>, what: &str) -> PyResult<u32> {
    Ok(saturating_u64(v, what)?.min(u32::MAX as u64) as u32)
}

/// An unsigned argument that must fit `T` exactly: `TypeError` for a non-int, `ValueError`
/// naming `what` when negative or too large.
pub fn exact_uint<T: TryFrom<u64>>(v: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    let i = int(v, what)?;
    let max = match T::try_from(u64::MAX) {
        Ok(_) => u64::MAX as u128,
        Err(_) => (1u128 << (8 * std::mem::size_of::<T>())) - 1,
    };
    match i.extract::<u64>().ok().and_then(|n| T::try_from(n).ok()) {
        Some(n) => Ok(n),
        None if is_negative(i)? => Err(PyValueError::new_err(format!("{what} must not be negative"))),
        None => Err(PyValueError::new_err(format!("{what} must be at most {max}"))),
    }
}

fn boolean(v: &Bound<'_, PyAny>, what: &str) -> PyResult<bool> {
    v.cast::<PyBool>()
        .map(|b| b.is_true())
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a bool, not {}", type_name(v))))
}

fn string(v: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    v.cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a str, not {}", type_name(v))))?
        .to_str()
        .map(str::to_owned)
}

fn port_list(v: &Bound<'_, PyAny>, tunnel: &str) -> PyResult<PortList> {
    let what = format!("tunnel_ports[{tunnel:?}]");
    let mut ports = Vec::new();
    for (i, p) in v
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be an iterable of ints")))?
        .enumerate()
    {
        let p = p?;
        let n = saturating_u64(&p, &format!("{what}[{i}]"))?;
        ports.push(u16::try_from(n).map_err(|_| {
            CoreErr(ConfigError::new(ConfigField::TunnelPorts, "a port is between 0 and 65535").into())
        })?);
    }
    PortList::new(&ports).ok_or_else(|| {
        CoreErr(ConfigError::new(ConfigField::TunnelPorts, "at most 8 ports per tunnel").into()).into()
    })
}

fn tunnel_ports(v: &Bound<'_, PyAny>) -> PyResult<TunnelPorts> {
    let d = v.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!("tunnel_ports must be a dict of port lists, not {}", type_name(v)))
    })?;
    let mut t = TunnelPorts::default();
    for (k, ports) in d.iter() {
        let name = string(&k, "a tunnel_ports key")?;
        let list = port_list(&ports, &name)?;
        let slot = match name.as_str() {
            "vxlan" => &mut t.vxlan,
            "geneve" => &mut t.geneve,
            "gtp_u" => &mut t.gtp_u,
            "teredo" => &mut t.teredo,
            "mpls_udp" => &mut t.mpls_udp,
            "gre_udp" => &mut t.gre_udp,
            _ => {
                return Err(CoreErr(
                    ConfigError::new(
                        ConfigField::TunnelPorts,
                        "unknown tunnel (vxlan, geneve, gtp_u, teredo, mpls_udp, gre_udp)",
                    )
                    .into(),
                )
                .into())
            }
        };
        *slot = list;
    }
    Ok(t)
}

/// Build and validate a [`Config`] from keyword options; unset options keep the core's defaults.
///
/// # Errors
/// `TypeError` for an unknown option or a value of the wrong type (naming it);
/// `InvalidConfigError` (the core's [`ConfigError`]) for a rejected value.
pub fn config(options: Option<&Bound<'_, PyDict>>) -> PyResult<Config> {
    let mut c = Config::default();
    if let Some(options) = options {
        for (k, v) in options.iter() {
            let name = string(&k, "an option name")?;
            let what = format!("option '{name}'");
            match name.as_str() {
                "window_secs" => c.window_secs = saturating_u64(&v, &what)?,
                "max_flows" => c.max_flows = saturating_u32(&v, &what)?,
                "max_fragments" => c.max_fragments = saturating_u32(&v, &what)?,
                "decap" => {
                    c.decap = Decap::from_name(&string(&v, &what)?).ok_or_else(|| {
                        CoreErr(ConfigError::new(ConfigField::Decap, "must be 'all' or 'none'").into())
                    })?
                }
                "accounting" => {
                    c.accounting = Accounting::from_name(&string(&v, &what)?).ok_or_else(|| {
                        CoreErr(ConfigError::new(ConfigField::Accounting, "must be 'ip' or 'l2'").into())
                    })?
                }
                "icmp_in_ports" => c.icmp_in_ports = boolean(&v, &what)?,
                "key_vlan" => c.key_vlan = boolean(&v, &what)?,
                "key_tunnel" => c.key_tunnel = boolean(&v, &what)?,
                "tunnel_ports" => c.tunnel_ports = tunnel_ports(&v)?,
                "hash_seed" => {
                    c.hash_seed = if v.is_none() { None } else { Some(exact_uint::<u64>(&v, &what)?) }
                }
                _ => {
                    return Err(PyTypeError::new_err(format!(
                        "unknown option '{name}' (options: {})",
                        OPTION_NAMES.join(", ")
                    )))
                }
            }
        }
    }
    c.validate().map_err(CoreErr::from)?;
    Ok(c)
}

/// A packet timestamp: an int of nanoseconds since the epoch, or `None` for a packet without one.
/// An int beyond u64 nanoseconds (after the year 2554) is [`Timestamp::OutOfRange`] (SPEC §4: it
/// takes the meter's clock and counts in `bad_timestamp`); a negative one is a `ValueError`.
pub fn timestamp(v: &Bound<'_, PyAny>, what: &str) -> PyResult<Timestamp> {
    if v.is_none() {
        return Ok(Timestamp::Missing);
    }
    let i = int(v, what)?;
    match i.extract::<u64>() {
        Ok(n) => Ok(Timestamp::Ns(n)),
        Err(_) if is_negative(i)? => Err(PyValueError::new_err(format!("{what} must not be negative"))),
        Err(_) => Ok(Timestamp::OutOfRange),
    }
}

/// `"in"`, `"out"`, or `"-"`/`None` for unknown (the core's spelling).
pub fn direction(v: Option<&Bound<'_, PyAny>>) -> PyResult<Direction> {
    let Some(v) = v.filter(|v| !v.is_none()) else { return Ok(Direction::Unknown) };
    let s = string(v, "direction")?;
    [Direction::Unknown, Direction::In, Direction::Out].into_iter().find(|d| d.as_str() == s).ok_or_else(
        || PyValueError::new_err(format!("direction must be 'in', 'out', '-' or None, not {s:?}")),
    )
}

/// `"ACCEPT"` or `"REJECT"` (the core's spelling); `None` for accept.
pub fn action(v: Option<&Bound<'_, PyAny>>) -> PyResult<Action> {
    let Some(v) = v.filter(|v| !v.is_none()) else { return Ok(Action::Accept) };
    let s = string(v, "action")?;
    [Action::Accept, Action::Reject]
        .into_iter()
        .find(|a| a.as_str() == s)
        .ok_or_else(|| PyValueError::new_err(format!("action must be 'ACCEPT' or 'REJECT', not {s:?}")))
}
