//! pcap framing: the file header (parsed by pcap-parser) and the record headers.

use std::io::Read;

use super::{CaptureError, CaptureErrorKind, CaptureReader, Format, LocatedFrame, Order, MAX_CAPLEN};
use crate::parse::LinkType;
use crate::window::Timestamp;

/// The magic numbers of pcap files, read as little-endian u32: microsecond and nanosecond
/// timestamps in either byte order, and the LE "modified" pcap of Kuznetzov's patches.
pub(super) const MAGICS: [u32; 5] = [0xa1b2_c3d4, 0xa1b2_3c4d, 0xd4c3_b2a1, 0x4d3c_b2a1, 0xa1b2_cd34];

/// Length of the file header.
const FILE_HEADER_LEN: usize = 24;

/// pcap link-type field: bits 16–25 are reserved and must be zero (libpcap's `LT_RESERVED1`).
const LINKTYPE_RESERVED: u32 = 0x03ff_0000;

/// A record header: four u32 fields in the file's byte order (the modified format adds 8 bytes,
/// unread, after them).
mod field {
    use core::ops::Range;
    pub const TS_SEC: Range<usize> = 0..4;
    pub const TS_FRAC: Range<usize> = 4..8;
    pub const CAPLEN: Range<usize> = 8..12;
    pub const ORIG_LEN: Range<usize> = 12..16;
}

/// Length of a record header; the modified format's is [`MODIFIED_RECORD_HEADER_LEN`].
pub(super) const RECORD_HEADER_LEN: usize = field::ORIG_LEN.end;
const MODIFIED_RECORD_HEADER_LEN: usize = 24;

/// The fields of a record header.
#[derive(Debug, Clone, Copy)]
pub(super) struct RecordHeader {
    pub(super) ts_sec: u32,
    pub(super) ts_frac: u32,
    pub(super) caplen: u32,
    pub(super) orig_len: u32,
}

impl RecordHeader {
    #[inline(always)]
    pub(super) fn read(h: &[u8; RECORD_HEADER_LEN], order: Order) -> RecordHeader {
        let at = |r: core::ops::Range<usize>| {
            order.u32_of([h[r.start], h[r.start + 1], h[r.start + 2], h[r.start + 3]])
        };
        RecordHeader {
            ts_sec: at(field::TS_SEC),
            ts_frac: at(field::TS_FRAC),
            caplen: at(field::CAPLEN),
            orig_len: at(field::ORIG_LEN),
        }
    }
}

/// The length of the record at the start of `avail` (header and data), once its header is there.
#[inline]
pub(super) fn record_len(avail: &[u8], order: Order, header_len: usize) -> Option<usize> {
    let h = avail.first_chunk::<RECORD_HEADER_LEN>().filter(|_| avail.len() >= header_len)?;
    Some((RecordHeader::read(h, order).caplen as usize).saturating_add(header_len))
}

/// A pcap record's time: seconds and a fraction in µs or, for `nanos` files, ns.
#[inline]
pub(super) fn timestamp(secs: u32, frac: u32, nanos: bool) -> Timestamp {
    let frac_ns = if nanos { frac as u64 } else { frac as u64 * 1_000 };
    Timestamp::from_parts(secs as u64, frac_ns)
}

impl<R: Read> CaptureReader<R> {
    /// Read the pcap file header.
    pub(super) fn pcap_header(&mut self) -> Result<(), CaptureError> {
        if !self.fill(FILE_HEADER_LEN)? {
            return Err(self.error(CaptureErrorKind::Truncated));
        }
        let header = match pcap_parser::parse_pcap_header(self.source.avail()) {
            Ok((_, h)) => h,
            Err(_) => return Err(self.error(CaptureErrorKind::UnknownFormat)),
        };
        if header.version_major != 2 {
            return Err(self.error(CaptureErrorKind::UnsupportedVersion));
        }
        let link_field = header.network.0 as u32;
        if link_field & LINKTYPE_RESERVED != 0 {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        self.format = Format::Pcap {
            order: if header.is_bigendian() { Order::Big } else { Order::Little },
            nanos: header.is_nanosecond_precision(),
            record_header_len: if header.is_modified_format() {
                MODIFIED_RECORD_HEADER_LEN
            } else {
                RECORD_HEADER_LEN
            },
            // The low 16 bits are the link type; the top bits carry the FCS length.
            link: LinkType(link_field & 0xffff),
        };
        self.source.consume(FILE_HEADER_LEN);
        Ok(())
    }

    /// One pcap record; `Ok(None)` at a clean end of file.
    pub(super) fn pcap_record(
        &mut self,
        order: Order,
        nanos: bool,
        header_len: usize,
        link: LinkType,
    ) -> Result<Option<LocatedFrame>, CaptureError> {
        if !self.fill(header_len)? {
            return if self.source.at_end() {
                Ok(None)
            } else {
                Err(self.error(CaptureErrorKind::Truncated))
            };
        }
        let Some(h) = self.source.avail().first_chunk::<RECORD_HEADER_LEN>() else {
            debug_assert!(false, "fill made the record header available");
            return Err(self.error(CaptureErrorKind::Truncated));
        };
        let h = RecordHeader::read(h, order);
        if h.caplen > MAX_CAPLEN {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let total = header_len + h.caplen as usize;
        if !self.fill(total)? {
            return Err(self.error(CaptureErrorKind::Truncated));
        }
        let located = LocatedFrame {
            ts: timestamp(h.ts_sec, h.ts_frac, nanos),
            link,
            orig_len: h.orig_len,
            data_at: self.source.start() + header_len,
            data_len: h.caplen as usize,
            interface: 0,
        };
        self.source.consume(total);
        Ok(Some(located))
    }
}
