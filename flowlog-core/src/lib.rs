//! flowlog-core: packets in, VPC flow-log records out.
//!
//! One record per unidirectional 5-tuple per observation point per capture window, the way cloud
//! providers produce VPC flow logs, computed from packets with no heap allocation per packet.
//!
//! The pipeline, one module per concept: [`parse`] (link layers, shims, tunnels, IP, L4) →
//! [`key`] (the flow key) → [`table`] (fixed-capacity session table with LRU eviction) →
//! [`window`] (epoch-aligned capture windows in packet time) → [`record`] → [`mod@format`] (JSON
//! lines, Alibaba SLS, AWS, CSV). [`Meter`] composes them.

#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod config;
pub mod counters;
pub mod enrich;
pub mod error;
pub mod format;
pub mod frame;
pub mod key;
mod mem;
pub mod meter;
pub mod parse;
pub mod protocol;
pub mod record;
pub mod table;
pub mod topology;
pub mod window;

#[cfg(feature = "capture")]
pub mod capture;

// Unit tests build packets with the testkit crate (a dev-dependency that links its own copy of
// this crate): only bytes cross between the two.
#[cfg(test)]
use flowlog_testkit as testkit;

/// The README's Rust example, compiled and run with the doctests so that it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The Rust examples of `docs/rust.md`, compiled with the doctests for the same reason.
#[cfg(doctest)]
#[doc = include_str!("../../docs/rust.md")]
pub struct RustDocDoctests;

pub use config::{Accounting, Config, ConfigError, ConfigField, Decap, PortList, TunnelPorts};
pub use counters::Counters;
pub use error::{Error, ErrorKind};
pub use format::{FormatKind, Formatter, RecordWriter};
pub use frame::Frame;
pub use frame::{Action, Direction};
pub use key::FlowKey;
pub use meter::batch::{FrameSource, PacketColumns, PacketView, PacketViewError};
pub use meter::{Meter, Outcome, Sink};
pub use parse::{Dissected, LinkType, Notes, Skip};
pub use record::{EndReason, LogStatus, Record};
pub use window::Timestamp;
