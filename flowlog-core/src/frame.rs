//! One captured packet as the meter takes it: its bytes, time, link type and where it was seen.
//!
//! Below both the capture reader, which yields frames, and the meter, which consumes them.

use crate::key::{Action, Direction};
use crate::parse::LinkType;
use crate::window::Timestamp;

/// One captured packet and where it was seen.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Capture time.
    pub ts: Timestamp,
    /// Link type of the capture interface.
    pub link: LinkType,
    /// Length on the wire (may exceed `data.len()` when the capture was cut at a snaplen).
    pub orig_len: u32,
    /// The captured bytes (`caplen` of them).
    pub data: &'a [u8],
    /// Interface index or ENI the packet was seen on.
    pub observation_point: u32,
    /// Direction relative to the ENI, when the collector knows it.
    pub direction: Direction,
    /// The verdict, when the collector knows it (default accept).
    pub action: Action,
}

impl<'a> Frame<'a> {
    /// No bytes, time 0: a placeholder for arrays of frames filled later (see
    /// [`CaptureReader::next_frames`](crate::capture::CaptureReader::next_frames)).
    pub const EMPTY: Frame<'static> = Frame {
        ts: Timestamp::Ns(0),
        link: LinkType(0),
        orig_len: 0,
        data: &[],
        observation_point: 0,
        direction: Direction::Unknown,
        action: Action::Accept,
    };

    /// A frame with its wire length equal to the captured length, observation point 0, direction
    /// unknown, action accept.
    pub fn new(ts_ns: u64, link: LinkType, data: &'a [u8]) -> Frame<'a> {
        Frame {
            ts: Timestamp::Ns(ts_ns),
            link,
            orig_len: data.len().min(u32::MAX as usize) as u32,
            data,
            observation_point: 0,
            direction: Direction::Unknown,
            action: Action::Accept,
        }
    }
}
