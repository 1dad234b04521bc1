//! What a binding needs to meter many packets in one call: a validated view of packets held in
//! one buffer ([`PacketView`]), the chunking into [`Meter::process_batch`] ([`Meter::process_frames`])
//! and a batch bounded by the caller's room for records ([`Meter::process_frames_bounded`]).
//!
//! The bounded batch decides from the meter's own clock and table which frames may finish more
//! records than there is room for, so no binding repeats the window rollover rule of SPEC §4.

use core::fmt;

use super::{Meter, Sink};
use crate::frame::Frame;
use crate::key::{Action, Direction};
use crate::parse::LinkType;
use crate::window::{Timestamp, WindowClock};

impl Meter {
    /// Frames a binding hands [`Meter::process_batch`] at a time: enough to keep its look-ahead
    /// full, few enough for a stack array of frames.
    pub const BATCH: usize = 256;

    /// Meter every frame of `frames` in order through [`Meter::process_batch`], [`Meter::BATCH`]
    /// at a time: the records and counters of [`Meter::process`] on each frame in turn. Stops
    /// before a frame the source says is invalid. Returns how many frames were metered (skipped
    /// packets included: they are counted, not errors). Never allocates.
    pub fn process_frames<'a, F, S>(&mut self, frames: &F, sink: &mut S) -> usize
    where
        F: FrameSource<'a> + ?Sized,
        S: Sink + ?Sized,
    {
        let n = frames.len();
        let mut chunk = [Frame::EMPTY; Meter::BATCH];
        let mut done = 0;
        while done < n {
            let mut k = 0;
            while k < Meter::BATCH && done + k < n {
                let Some(frame) = frames.frame(done + k) else { break };
                chunk[k] = frame;
                k += 1;
            }
            self.process_batch(&chunk[..k], sink);
            done += k;
            if k < Meter::BATCH {
                break;
            }
        }
        done
    }

    /// [`Meter::process_frames`] for a sink that has room for `room` more records: meters frames
    /// in order and stops before the first frame whose records might not fit, or that the source
    /// says is invalid. Returns how many frames it metered; the sink got at most `room` records.
    ///
    /// A frame finishes at most one record (an eviction or a packet-limit split) unless it opens
    /// a new window, which finishes every active flow (SPEC §4); the meter tells which from its
    /// own clock, so with `room` of at least [`Meter::active_flows`] + 1 every call meters a
    /// frame. Never allocates.
    pub fn process_frames_bounded<'a, F, S>(&mut self, frames: &F, room: usize, sink: &mut S) -> usize
    where
        F: FrameSource<'a> + ?Sized,
        S: Sink + ?Sized,
    {
        let n = frames.len();
        let mut chunk = [Frame::EMPTY; Meter::BATCH];
        let mut room = room;
        let mut done = 0;
        while done < n {
            // Frames are placed on a copy of the clock, as the batch will place them. A frame that
            // opens a window only leads a chunk, so that the flows it finishes are the table's now.
            let mut clock = self.clock;
            let mut most = 0;
            let mut k = 0;
            while k < Meter::BATCH && done + k < n {
                let Some(frame) = frames.frame(done + k) else { break };
                let finishes = if opens_window(&mut clock, frame.ts) {
                    if k > 0 {
                        break;
                    }
                    self.table.len() as usize
                } else {
                    1
                };
                if most + finishes > room {
                    break;
                }
                most += finishes;
                chunk[k] = frame;
                k += 1;
            }
            if k == 0 {
                break;
            }
            let records_before = self.counters.records;
            self.process_batch(&chunk[..k], sink);
            room -= (self.counters.records - records_before) as usize;
            done += k;
        }
        done
    }
}

/// Whether a packet at `ts` opens a window (the first packet, or a rollover), placing it on
/// `clock` as the meter does.
#[inline]
fn opens_window(clock: &mut WindowClock, ts: Timestamp) -> bool {
    let resolved = clock.resolve(ts);
    clock.place(resolved).opens
}

/// Packets a batch call reads by index as frames, so that a caller's own layout of packets is
/// read in place.
pub trait FrameSource<'a> {
    /// How many packets there are.
    fn len(&self) -> usize;

    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Packet `i` (below [`FrameSource::len`]) as a frame; `None` when it is invalid, which
    /// stops a batch call before it.
    fn frame(&self, i: usize) -> Option<Frame<'a>>;
}

impl<'a> FrameSource<'a> for [Frame<'a>] {
    #[inline]
    fn len(&self) -> usize {
        <[Frame<'a>]>::len(self)
    }

    #[inline]
    fn frame(&self, i: usize) -> Option<Frame<'a>> {
        Some(self[i])
    }
}

/// Many packets in one buffer, described by columns: packet `i` is
/// `data[offsets[i] .. offsets[i] + lengths[i]]`, captured at `timestamps[i]` ns since the epoch,
/// with wire length `orig_lens[i]` (its captured length when `orig_lens` is `None`). The link
/// type, observation point, direction and action are the whole batch's. `T` is the integer type
/// of the offsets and lengths (`u32` or `u64`). Check it with [`PacketView::new`].
#[derive(Debug, Clone, Copy)]
pub struct PacketColumns<'a, T> {
    /// The buffer holding every packet.
    pub data: &'a [u8],
    /// Where each packet starts in `data`.
    pub offsets: &'a [T],
    /// Each packet's captured length.
    pub lengths: &'a [T],
    /// Each packet's capture time, ns since the Unix epoch.
    pub timestamps: &'a [u64],
    /// Each packet's length on the wire, when the capture cut packets at a snap length.
    pub orig_lens: Option<&'a [T]>,
    /// Link type of every packet.
    pub link: LinkType,
    /// Interface index or ENI every packet was seen on.
    pub observation_point: u32,
    /// Direction of every packet relative to the ENI.
    pub direction: Direction,
    /// Verdict on every packet.
    pub action: Action,
}

/// [`PacketColumns`] checked once, before any packet is metered: the columns have one length
/// and every packet lies inside the buffer. A [`FrameSource`] that is never invalid.
#[derive(Debug, Clone, Copy)]
pub struct PacketView<'a, T> {
    columns: PacketColumns<'a, T>,
}

/// Why [`PacketView::new`] refused a batch; each names the first bad packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketViewError {
    /// The columns differ in length (`orig_lens` is `None` when absent).
    Lengths {
        /// `offsets.len()`.
        offsets: usize,
        /// `lengths.len()`.
        lengths: usize,
        /// `timestamps.len()`.
        timestamps: usize,
        /// `orig_lens.len()`, if given.
        orig_lens: Option<usize>,
    },
    /// A packet longer than a frame's length field (`u32`) holds.
    TooLong {
        /// The packet's index.
        index: usize,
        /// Its length.
        length: u64,
    },
    /// A packet that does not lie inside the buffer.
    OutOfBounds {
        /// The packet's index.
        index: usize,
        /// Its offset.
        offset: u64,
        /// Its length.
        length: u64,
        /// The buffer's length.
        buffer: usize,
    },
    /// A wire length that does not fit in `u32`.
    OrigLenTooLong {
        /// The packet's index.
        index: usize,
        /// Its wire length.
        orig_len: u64,
    },
}

impl fmt::Display for PacketViewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PacketViewError::Lengths { offsets, lengths, timestamps, orig_lens: None } => write!(
                f,
                "offsets, lengths, timestamps must have the same length (got {offsets}, {lengths}, {timestamps})"
            ),
            PacketViewError::Lengths { offsets, lengths, timestamps, orig_lens: Some(o) } => write!(
                f,
                "offsets, lengths, timestamps, orig_lens must have the same length (got {offsets}, {lengths}, {timestamps}, {o})"
            ),
            PacketViewError::TooLong { index: i, length } => {
                write!(f, "packet {i}: lengths[{i}] exceeds 2**32 - 1: {length}")
            }
            PacketViewError::OutOfBounds { index: i, offset, length, buffer } => write!(
                f,
                "packet {i}: offsets[{i}] = {offset} + lengths[{i}] = {length} is beyond the buffer ({buffer} bytes)"
            ),
            PacketViewError::OrigLenTooLong { index: i, orig_len } => {
                write!(f, "packet {i}: orig_lens[{i}] exceeds 2**32 - 1: {orig_len}")
            }
        }
    }
}

impl std::error::Error for PacketViewError {}

impl<'a, T: Copy + Into<u64>> PacketView<'a, T> {
    /// Check `columns`: one length for every column, every packet inside the buffer and every
    /// length within `u32`. O(packets), no allocation.
    ///
    /// # Errors
    /// The first problem found, naming the packet.
    pub fn new(columns: PacketColumns<'a, T>) -> Result<PacketView<'a, T>, PacketViewError> {
        let c = &columns;
        let n = c.offsets.len();
        if c.lengths.len() != n || c.timestamps.len() != n || c.orig_lens.is_some_and(|o| o.len() != n) {
            return Err(PacketViewError::Lengths {
                offsets: n,
                lengths: c.lengths.len(),
                timestamps: c.timestamps.len(),
                orig_lens: c.orig_lens.map(<[T]>::len),
            });
        }
        let buffer = c.data.len();
        for (index, (&offset, &length)) in c.offsets.iter().zip(c.lengths).enumerate() {
            let (offset, length) = (offset.into(), length.into());
            if length > u64::from(u32::MAX) {
                return Err(PacketViewError::TooLong { index, length });
            }
            if offset.checked_add(length).is_none_or(|end| end > buffer as u64) {
                return Err(PacketViewError::OutOfBounds { index, offset, length, buffer });
            }
            if let Some(orig_len) = c.orig_lens.map(|o| o[index].into()) {
                if orig_len > u64::from(u32::MAX) {
                    return Err(PacketViewError::OrigLenTooLong { index, orig_len });
                }
            }
        }
        Ok(PacketView { columns })
    }

    /// How many packets there are.
    #[inline]
    pub fn len(&self) -> usize {
        self.columns.offsets.len()
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a, T: Copy + Into<u64>> FrameSource<'a> for PacketView<'a, T> {
    #[inline]
    fn len(&self) -> usize {
        PacketView::len(self)
    }

    #[inline]
    fn frame(&self, i: usize) -> Option<Frame<'a>> {
        let c = &self.columns;
        // In bounds and within u32: checked by `new` for every packet.
        let (offset, length) = (c.offsets[i].into() as usize, c.lengths[i].into() as usize);
        let orig_len = match c.orig_lens {
            Some(o) => o[i].into() as u32,
            None => length as u32,
        };
        Some(Frame {
            ts: Timestamp::Ns(c.timestamps[i]),
            link: c.link,
            orig_len,
            data: c.data.get(offset..offset + length).unwrap_or_default(),
            observation_point: c.observation_point,
            direction: c.direction,
            action: c.action,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::record::{EndReason, Record};
    use crate::window::NS_PER_SEC;

    const T0: u64 = 1_700_000_000 * NS_PER_SEC;

    /// A raw-IP UDP packet of flow `flow`.
    fn udp(flow: u16) -> Vec<u8> {
        let mut p = vec![0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        p.extend_from_slice(&flow.to_be_bytes());
        p.extend_from_slice(&[0, 53, 0, 8, 0, 0]);
        p
    }

    /// Packets of `flows` flows over three 60-second windows, with more flows than a table of 16
    /// holds (evictions), late packets and a packet without a timestamp, all in one buffer.
    fn traffic() -> (Vec<u8>, Vec<u64>, Vec<u64>, Vec<u64>) {
        let (mut data, mut offsets, mut lengths, mut ts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..1500u64 {
            let flow = (i * 7 % 40) as u16;
            let t = match i {
                700 => T0, // late, in the second window
                _ => T0 + i * NS_PER_SEC / 10,
            };
            offsets.push(data.len() as u64);
            let p = udp(flow);
            lengths.push(p.len() as u64);
            data.extend_from_slice(&p);
            ts.push(t);
        }
        (data, offsets, lengths, ts)
    }

    fn columns<'a>(data: &'a [u8], o: &'a [u64], l: &'a [u64], t: &'a [u64]) -> PacketColumns<'a, u64> {
        PacketColumns {
            data,
            offsets: o,
            lengths: l,
            timestamps: t,
            orig_lens: None,
            link: LinkType::RAW,
            observation_point: 3,
            direction: Direction::In,
            action: Action::Accept,
        }
    }

    fn meter() -> Meter {
        Meter::new(Config { window_secs: 60, max_flows: 16, hash_seed: Some(7), ..Config::default() })
            .unwrap()
    }

    /// Every frame through `process`, one by one: the reference.
    fn one_by_one(view: &PacketView<'_, u64>) -> (Vec<Record>, Meter) {
        let mut m = meter();
        let mut records = Vec::new();
        for i in 0..view.len() {
            let _ = m.process(&view.frame(i).unwrap(), &mut |r: &Record| records.push(*r));
        }
        (records, m)
    }

    #[test]
    fn process_frames_gives_what_process_gives_frame_by_frame() {
        let (data, o, l, t) = traffic();
        let view = PacketView::new(columns(&data, &o, &l, &t)).unwrap();
        let (want, reference) = one_by_one(&view);
        let mut m = meter();
        let mut got = Vec::new();
        assert_eq!(m.process_frames(&view, &mut |r: &Record| got.push(*r)), view.len());
        assert_eq!(got, want);
        assert_eq!(m.counters(), reference.counters());
        assert!(want.iter().any(|r| r.end_reason == EndReason::Evicted));
        assert!(want.iter().any(|r| r.end_reason == EndReason::Window));
        assert_eq!(reference.counters().late_packets, 1);
    }

    /// Calls with room for `room` records at a time, each handing out what it finished: the
    /// records and counters of `process`, never more records in a call than its room.
    #[test]
    fn bounded_calls_give_what_process_gives_and_never_exceed_the_room() {
        let (data, o, l, t) = traffic();
        let view = PacketView::new(columns(&data, &o, &l, &t)).unwrap();
        let (want, reference) = one_by_one(&view);
        for room in [1, 2, 5, 16, 17, 40, 1000] {
            let mut m = meter();
            let (mut got, mut done) = (Vec::new(), 0);
            let frames: Vec<Frame<'_>> = (0..view.len()).map(|i| view.frame(i).unwrap()).collect();
            while done < frames.len() {
                let mut call = Vec::new();
                let n = m.process_frames_bounded(&frames[done..], room, &mut |r: &Record| call.push(*r));
                assert!(call.len() <= room, "room {room}: {} records", call.len());
                if n == 0 {
                    // Only a rollover with more active flows than the room stops a call at once.
                    assert!(m.active_flows() as usize + 1 > room, "room {room}: no progress at {done}");
                    let _ = m.process(&frames[done], &mut |r: &Record| call.push(*r));
                    done += 1;
                }
                done += n;
                got.extend(call);
            }
            assert_eq!(got, want, "room {room}");
            assert_eq!(m.counters(), reference.counters(), "room {room}");
        }
    }

    #[test]
    fn a_rollover_frame_with_too_little_room_is_not_metered() {
        let mut m = meter();
        let pkts: Vec<Vec<u8>> = (0..5).map(udp).collect();
        let mut frames: Vec<Frame<'_>> = pkts.iter().map(|p| Frame::new(T0, LinkType::RAW, p)).collect();
        let mut records = Vec::new();
        // The first frame opens the first window and finishes nothing; each other may evict.
        assert_eq!(m.process_frames_bounded(&frames[..], 0, &mut |r: &Record| records.push(*r)), 1);
        assert_eq!(m.process_frames_bounded(&frames[1..], 4, &mut |r: &Record| records.push(*r)), 4);
        assert_eq!((m.active_flows(), records.len()), (5, 0));
        // The next window's first packet finishes all 5 flows.
        frames.push(Frame::new(T0 + 60 * NS_PER_SEC, LinkType::RAW, &pkts[0]));
        for room in [0, 1, 4] {
            assert_eq!(m.process_frames_bounded(&frames[5..], room, &mut |r: &Record| records.push(*r)), 0);
            assert_eq!((records.len(), m.counters().packets_in, m.counters().rollovers), (0, 5, 0));
        }
        assert_eq!(m.process_frames_bounded(&frames[5..], 5, &mut |r: &Record| records.push(*r)), 1);
        assert_eq!(records.len(), 5);
        assert!(records.iter().all(|r| r.end_reason == EndReason::Window));
    }

    #[test]
    fn every_frame_but_one_that_opens_an_empty_window_needs_room_for_a_record() {
        let (data, o, l, t) = traffic();
        let view = PacketView::new(columns(&data, &o, &l, &t)).unwrap();
        let mut m = meter();
        let mut records = Vec::new();
        // The first frame opens the first window: it finishes nothing. The next may evict.
        assert_eq!(m.process_frames_bounded(&view, 0, &mut |r: &Record| records.push(*r)), 1);
        assert_eq!(m.process_frames_bounded(&view, 0, &mut |r: &Record| records.push(*r)), 0);
        assert!(records.is_empty());
        // Room is spent on the records frames finish, not on frames: 10 frames at least, and as
        // many more as the records left room for.
        let n = m.process_frames_bounded(&view, 10, &mut |r: &Record| records.push(*r));
        assert!(n > 10, "{n}");
        assert_eq!(records.len(), 10);
    }

    #[test]
    fn a_source_stops_a_batch_before_an_invalid_frame() {
        struct Invalid<'a>(&'a [Frame<'a>], usize);
        impl<'a> FrameSource<'a> for Invalid<'a> {
            fn len(&self) -> usize {
                self.0.len()
            }
            fn frame(&self, i: usize) -> Option<Frame<'a>> {
                (i != self.1).then(|| self.0[i])
            }
        }
        let pkts: Vec<Vec<u8>> = (0..600).map(|i| udp(i % 10)).collect();
        let frames: Vec<Frame<'_>> = pkts.iter().map(|p| Frame::new(T0, LinkType::RAW, p)).collect();
        for bad in [0, 3, 255, 256, 300, 599] {
            let mut m = meter();
            assert_eq!(m.process_frames(&Invalid(&frames, bad), &mut |_: &Record| {}), bad);
            assert_eq!(m.counters().packets_in, bad as u64);
            let mut m = meter();
            assert_eq!(m.process_frames_bounded(&Invalid(&frames, bad), 1000, &mut |_: &Record| {}), bad);
            assert_eq!(m.counters().packets_in, bad as u64);
        }
    }

    #[test]
    fn a_view_names_the_first_bad_packet() {
        let data = [0u8; 100];
        let t = [T0; 2];
        let c = |o: &'static [u64], l: &'static [u64]| columns(&data, o, l, &t);
        assert_eq!(
            PacketView::new(c(&[0, 60], &[50, 50])).unwrap_err().to_string(),
            "packet 1: offsets[1] = 60 + lengths[1] = 50 is beyond the buffer (100 bytes)"
        );
        assert!(matches!(
            PacketView::new(c(&[0, u64::MAX], &[1, 2])),
            Err(PacketViewError::OutOfBounds { index: 1, .. })
        ));
        assert!(matches!(
            PacketView::new(c(&[0, 0], &[1, 1 << 32])),
            Err(PacketViewError::TooLong { index: 1, length: 4294967296 })
        ));
        assert!(PacketView::new(c(&[0], &[1, 1]))
            .unwrap_err()
            .to_string()
            .contains("same length (got 1, 2, 2)"));
        let orig = [1u64, 1 << 32];
        let e = PacketView::new(PacketColumns { orig_lens: Some(&orig), ..c(&[0, 0], &[1, 1]) }).unwrap_err();
        assert_eq!(e, PacketViewError::OrigLenTooLong { index: 1, orig_len: 1 << 32 });
        let view =
            PacketView::new(PacketColumns { orig_lens: Some(&[9, 100]), ..c(&[0, 100], &[1, 0]) }).unwrap();
        let f = view.frame(1).unwrap();
        assert_eq!((f.data.len(), f.orig_len, f.observation_point, f.direction), (0, 100, 3, Direction::In));
    }
}
