//! Metering a capture: the one loop that reads a capture's frames in batches and meters them
//! through [`Meter::process_batch`], shared by the `flowlog` command and every binding.

use std::io::Read;

use super::{CaptureError, CaptureReader};
use crate::frame::Frame;
use crate::meter::{Meter, Sink};

/// A capture read through a meter the caller owns: each interface of the capture is an
/// observation point, direction unknown, action accept (as [`CapturedFrame::to_frame`] gives
/// them).
///
/// [`MeteredCapture::meter_to_end`] meters a whole capture; [`MeteredCapture::meter_part`] meters
/// it a part at a time, for a caller that hands records back as they come (an iterator, a
/// stream), and flushes at the end as `meter_to_end` does.
///
/// ```
/// use flowlog_core::capture::{CaptureReader, MeteredCapture};
/// use flowlog_core::{Config, Meter, Record};
/// // A little-endian microsecond pcap header (raw IP, link type 101) and no packet.
/// let mut file = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
/// file.extend_from_slice(&[0; 8]);
/// file.extend_from_slice(&65535u32.to_le_bytes());
/// file.extend_from_slice(&101u32.to_le_bytes());
/// let mut meter = Meter::new(Config::default()).unwrap();
/// let mut records = Vec::new();
/// let mut capture = MeteredCapture::new(CaptureReader::new(&file[..]).unwrap());
/// capture.meter_to_end(&mut meter, &mut |r: &Record| records.push(*r)).unwrap();
/// assert!(records.is_empty());
/// ```
///
/// [`CapturedFrame::to_frame`]: super::CapturedFrame::to_frame
pub struct MeteredCapture<R: Read> {
    reader: CaptureReader<R>,
    /// Added to every interface index: the observation point of the capture's first interface.
    first_interface: u32,
}

impl<R: Read> MeteredCapture<R> {
    /// Meter the frames `reader` reads; interface `i` is observation point `i`.
    pub fn new(reader: CaptureReader<R>) -> Self {
        MeteredCapture { reader, first_interface: 0 }
    }

    /// Number the capture's interfaces from `first` on: a caller metering several captures
    /// through one meter gives each capture's interfaces observation points after those of the
    /// captures before it (see [`CaptureReader::interfaces`]).
    pub fn with_first_interface(mut self, first: u32) -> Self {
        self.first_interface = first;
        self
    }

    /// The reader: how far it has read ([`CaptureReader::offset`]), how many interfaces it met.
    pub fn reader(&self) -> &CaptureReader<R> {
        &self.reader
    }

    /// Meter up to `max_frames` more frames, [`Meter::BATCH`] at a time, their records to `sink`;
    /// how many frames were read, 0 at the clean end of the capture (or when `max_frames` is 0).
    /// A frame the meter skips is counted by the meter, not an error. Never allocates once the
    /// reader's buffer holds the capture's largest record.
    ///
    /// # Errors
    /// The capture's damage, once every frame before it has been metered (their records are in
    /// `sink`); every later call returns it again. The caller then flushes the meter, so that
    /// the records of every packet before the damage come out before the error (SPEC §6).
    pub fn meter<S: Sink + ?Sized>(
        &mut self,
        meter: &mut Meter,
        sink: &mut S,
        max_frames: usize,
    ) -> Result<usize, CaptureError> {
        let mut metered = 0;
        while metered < max_frames {
            let mut frames = [Frame::EMPTY; Meter::BATCH];
            let want = (max_frames - metered).min(Meter::BATCH);
            let n = self.reader.next_frames(&mut frames[..want])?;
            if n == 0 {
                break;
            }
            let batch = &mut frames[..n];
            if self.first_interface != 0 {
                for f in batch.iter_mut() {
                    f.observation_point = self.first_interface.saturating_add(f.observation_point);
                }
            }
            meter.process_batch(batch, sink);
            metered += n;
        }
        Ok(metered)
    }

    /// Meter up to `max_frames` (at least 1) more frames, their records to `sink`; at the end of
    /// the capture, or at its damage, flush the meter too, so that the records of every packet
    /// before the damage are in `sink` before the error is seen (SPEC §6). After
    /// [`Part::Ended`] the capture is finished.
    pub fn meter_part<S: Sink + ?Sized>(
        &mut self,
        meter: &mut Meter,
        sink: &mut S,
        max_frames: usize,
    ) -> Part {
        match self.meter(meter, sink, max_frames.max(1)) {
            Ok(n) if n > 0 => Part::More,
            result => {
                meter.flush(sink);
                Part::Ended(result.map(|_| ()))
            }
        }
    }

    /// Meter the rest of the capture, then flush the meter: every record, in order, to `sink`.
    ///
    /// # Errors
    /// The capture's damage, after the records of every packet before it (flushed) are in
    /// `sink` (SPEC §6).
    pub fn meter_to_end<S: Sink + ?Sized>(
        &mut self,
        meter: &mut Meter,
        sink: &mut S,
    ) -> Result<(), CaptureError> {
        loop {
            if let Part::Ended(result) = self.meter_part(meter, sink, usize::MAX) {
                return result;
            }
        }
    }
}

/// How far [`MeteredCapture::meter_part`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Frames were metered; the capture goes on.
    More,
    /// The capture ended, cleanly or at its damage, and the meter was flushed.
    Ended(Result<(), CaptureError>),
}
