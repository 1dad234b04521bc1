//! pcapng framing: section headers (parsed by pcap-parser), interface descriptions (parsed by
//! pcap-parser) and packet blocks (framed here, without allocating).

use std::io::Read;

use pcap_parser::{OptionCode, PcapNGOption};

use super::{CaptureError, CaptureErrorKind, CaptureReader, Format, LocatedFrame, Order, MAX_CAPLEN};
use crate::parse::LinkType;
use crate::window::{Timestamp, NS_PER_SEC};

/// The section header block's type, the magic number of a pcapng file (its bytes read the same
/// in either byte order).
pub(super) const SHB_MAGIC: u32 = pcap_parser::SHB_MAGIC;

// Block types (pcapng draft §11.1).
const IDB: u32 = pcap_parser::IDB_MAGIC;
const OBSOLETE_PB: u32 = 0x0000_0002;
const SPB: u32 = pcap_parser::SPB_MAGIC;
const EPB: u32 = pcap_parser::EPB_MAGIC;

/// Byte offsets in a block.
pub(super) mod field {
    use core::ops::Range;
    /// Every block: type, total length, body, total length again.
    pub const BLOCK_TYPE: Range<usize> = 0..4;
    pub const BLOCK_LEN: Range<usize> = 4..8;
    pub const BLOCK_HEADER_LEN: usize = BLOCK_LEN.end;
    /// The trailing copy of the total length.
    pub const TRAILER_LEN: usize = 4;
    /// The shortest block: header and trailer.
    pub const MIN_BLOCK_LEN: usize = BLOCK_HEADER_LEN + TRAILER_LEN;

    /// Section header block: the byte-order magic after the block header.
    pub const SHB_BYTE_ORDER: Range<usize> = 8..12;
    /// The shortest section header block: header, byte-order magic, versions, section length,
    /// trailer.
    pub const SHB_MIN_LEN: usize = 28;

    /// Enhanced packet block (§4.3); the obsolete packet block (appendix) has a 16-bit interface
    /// id and a 16-bit drop count where the enhanced one has its 32-bit interface id.
    pub const EPB_INTERFACE: Range<usize> = 8..12;
    pub const OPB_INTERFACE: Range<usize> = 8..10;
    pub const PB_TS_HIGH: Range<usize> = 12..16;
    pub const PB_TS_LOW: Range<usize> = 16..20;
    pub const PB_CAPLEN: Range<usize> = 20..24;
    pub const PB_ORIG_LEN: Range<usize> = 24..28;
    pub const PB_DATA: usize = PB_ORIG_LEN.end;

    /// Simple packet block (§4.4): the original length, then the data.
    pub const SPB_ORIG_LEN: Range<usize> = 8..12;
    pub const SPB_DATA: usize = SPB_ORIG_LEN.end;
}

/// The byte-order magic of a section header block, read as little-endian.
const BYTE_ORDER_LE: u32 = 0x1a2b_3c4d;
const BYTE_ORDER_BE: u32 = 0x4d3c_2b1a;

/// The largest block: a maximal packet plus room for its header and options.
const MAX_BLOCK_LEN: u32 = MAX_CAPLEN + (64 << 10);

/// The most interfaces one section may describe (a bound on the reader's memory).
const MAX_INTERFACES_PER_SECTION: usize = 1 << 16;

/// Whether a block's total length is possible: at least `min`, a multiple of 4, at most
/// [`MAX_BLOCK_LEN`].
#[inline]
fn block_len_is_sane(block_len: u32, min: usize) -> bool {
    block_len as usize >= min && block_len.is_multiple_of(4) && block_len <= MAX_BLOCK_LEN
}

/// The `u32` field at `at` of the first bytes of a block, read as a fixed array: the fields'
/// offsets are constants within it.
#[inline(always)]
fn u32_at<const N: usize>(order: Order, b: &[u8; N], at: core::ops::Range<usize>) -> u32 {
    order.u32_of([b[at.start], b[at.start + 1], b[at.start + 2], b[at.start + 3]])
}

/// The timestamp resolution of a pcapng interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolution {
    /// 10^n units per second, n ≤ 19.
    Decimal(u64),
    /// 2^n units per second, n ≤ 63.
    Binary(u32),
}

impl Resolution {
    /// From the `if_tsresol` byte (pcapng draft §4.2): bit 7 clear, 10^-n s; set, 2^-n s.
    /// pcap-parser's own `build_ts_resolution` rejects every power of 2, hence ours.
    fn from_tsresol(b: u8) -> Option<Resolution> {
        let n = b & 0x7f;
        if b & 0x80 == 0 {
            10u64.checked_pow(n as u32).map(Resolution::Decimal)
        } else if n <= 63 {
            Some(Resolution::Binary(n as u32))
        } else {
            None
        }
    }

    /// Seconds and nanoseconds of a count of units.
    #[inline]
    fn split(self, units: u64) -> (u64, u64) {
        match self {
            Resolution::Decimal(per_sec) => {
                let frac = units % per_sec;
                // frac < per_sec ≤ 10^19: the product fits in u128.
                let nanos = (frac as u128 * NS_PER_SEC as u128 / per_sec as u128) as u64;
                (units / per_sec, nanos)
            }
            Resolution::Binary(n) => {
                let frac = units & ((1u64 << n) - 1);
                let nanos = ((frac as u128 * NS_PER_SEC as u128) >> n) as u64;
                (units >> n, nanos)
            }
        }
    }
}

/// A pcapng interface of the current section.
#[derive(Debug, Clone, Copy)]
pub(super) struct Interface {
    link: LinkType,
    snaplen: u32,
    resolution: Resolution,
    /// `if_tsoffset`: seconds added to every timestamp.
    offset_secs: i64,
    /// Running index over all sections.
    index: u32,
}

impl Interface {
    /// A pcapng 64-bit timestamp in this interface's units, as a [`Timestamp`].
    #[inline]
    fn timestamp(&self, high: u32, low: u32) -> Timestamp {
        let (secs, nanos) = self.resolution.split(((high as u64) << 32) | low as u64);
        match secs.checked_add_signed(self.offset_secs) {
            Some(secs) => Timestamp::from_parts(secs, nanos),
            // Before the epoch: not representable in u64 ns either.
            None => Timestamp::OutOfRange,
        }
    }
}

/// Which kind of packet block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PacketBlock {
    Enhanced,
    Obsolete,
}

impl<R: Read> CaptureReader<R> {
    /// The first `N` bytes of the block at the read position, which the caller has made available.
    #[inline]
    fn block_head<const N: usize>(&mut self) -> Result<[u8; N], CaptureError> {
        match self.source.avail().first_chunk::<N>() {
            Some(head) => Ok(*head),
            None => {
                debug_assert!(false, "the {N} bytes of a block head were not made available");
                Err(self.error(CaptureErrorKind::Malformed))
            }
        }
    }

    /// Make the next block available: `Ok(None)` at a clean end, else its type and length (0 for
    /// a section header, of which only [`field::MIN_BLOCK_LEN`] bytes are available:
    /// [`CaptureReader::section_header`] reads it in its own byte order).
    fn pcapng_block(&mut self, order: Order) -> Result<Option<(u32, usize)>, CaptureError> {
        if !self.fill(field::MIN_BLOCK_LEN)? {
            return if self.source.at_end() {
                Ok(None)
            } else {
                Err(self.error(CaptureErrorKind::Truncated))
            };
        }
        let head = self.block_head::<{ field::MIN_BLOCK_LEN }>()?;
        if u32_at(Order::Little, &head, field::BLOCK_TYPE) == SHB_MAGIC {
            // A new section may change the byte order: its own header says which.
            return Ok(Some((SHB_MAGIC, 0)));
        }
        let block_type = u32_at(order, &head, field::BLOCK_TYPE);
        let len = self.whole_block(order, field::MIN_BLOCK_LEN)?;
        Ok(Some((block_type, len)))
    }

    /// Check the length of the block whose header is available (at least `min`, a multiple of 4,
    /// at most [`MAX_BLOCK_LEN`], its trailing copy equal), make it all available and return it.
    fn whole_block(&mut self, order: Order, min: usize) -> Result<usize, CaptureError> {
        let head = self.block_head::<{ field::MIN_BLOCK_LEN }>()?;
        let block_len = u32_at(order, &head, field::BLOCK_LEN);
        if !block_len_is_sane(block_len, min) {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let len = block_len as usize;
        if !self.fill(len)? {
            return Err(self.error(CaptureErrorKind::Truncated));
        }
        if order.u32(self.source.avail(), len - field::TRAILER_LEN) != Some(block_len) {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        Ok(len)
    }

    /// Read pcapng blocks until a packet.
    pub(super) fn pcapng_packet(&mut self) -> Result<Option<LocatedFrame>, CaptureError> {
        loop {
            let Format::PcapNg { order } = self.format else { return Ok(None) };
            let Some((block_type, len)) = self.pcapng_block(order)? else { return Ok(None) };
            let located = match block_type {
                SHB_MAGIC => {
                    self.section_header()?;
                    continue;
                }
                IDB => {
                    self.interface_description(order, len)?;
                    None
                }
                EPB => Some(self.packet_block(PacketBlock::Enhanced, order, len)?),
                OBSOLETE_PB => Some(self.packet_block(PacketBlock::Obsolete, order, len)?),
                SPB => Some(self.simple_packet(order, len)?),
                // Statistics, name resolution, custom, decryption secrets, journal, unknown:
                // not packets (SPEC §2: not counted).
                _ => None,
            };
            self.source.consume(len);
            if located.is_some() {
                return Ok(located);
            }
        }
    }

    /// A section header block whose first [`field::MIN_BLOCK_LEN`] bytes are available: check
    /// it, switch byte order, start a new list of interfaces.
    pub(super) fn section_header(&mut self) -> Result<(), CaptureError> {
        let head = self.block_head::<{ field::MIN_BLOCK_LEN }>()?;
        let order = match u32_at(Order::Little, &head, field::SHB_BYTE_ORDER) {
            BYTE_ORDER_LE => Order::Little,
            BYTE_ORDER_BE => Order::Big,
            _ => return Err(self.error(CaptureErrorKind::Malformed)),
        };
        let len = self.whole_block(order, field::SHB_MIN_LEN)?;
        let parsed = self.source.avail().get(..len).map(pcap_parser::parse_sectionheaderblock);
        let Some(Ok((_, shb))) = parsed else { return Err(self.error(CaptureErrorKind::Malformed)) };
        if shb.major_version != 1 {
            return Err(self.error(CaptureErrorKind::UnsupportedVersion));
        }
        self.format = Format::PcapNg { order };
        self.interfaces.clear();
        self.source.consume(len);
        Ok(())
    }

    /// An interface description block of `len` bytes (parsed by pcap-parser).
    fn interface_description(&mut self, order: Order, len: usize) -> Result<(), CaptureError> {
        let parsed = self.source.avail().get(..len).map(|block| match order {
            Order::Little => pcap_parser::parse_interfacedescriptionblock_le(block),
            Order::Big => pcap_parser::parse_interfacedescriptionblock_be(block),
        });
        let Some(Ok((_, idb))) = parsed else { return Err(self.error(CaptureErrorKind::Malformed)) };
        let mut tsresol = 6;
        let mut offset_secs = 0i64;
        for opt in &idb.options {
            // pcap-parser reads if_tsoffset as little-endian in every section; read both here.
            match option_value(opt) {
                Some(&[b, ..]) if opt.code == OptionCode::IfTsresol => tsresol = b,
                Some(v) if opt.code == OptionCode::IfTsoffset => {
                    if let Ok(bytes) = <[u8; 8]>::try_from(v) {
                        offset_secs = match order {
                            Order::Little => i64::from_le_bytes(bytes),
                            Order::Big => i64::from_be_bytes(bytes),
                        };
                    }
                }
                _ => {}
            }
        }
        let link = LinkType(idb.linktype.0 as u16 as u32);
        let snaplen = idb.snaplen;
        drop(idb);
        let Some(resolution) = Resolution::from_tsresol(tsresol) else {
            return Err(self.error(CaptureErrorKind::Malformed));
        };
        if self.interfaces.len() >= MAX_INTERFACES_PER_SECTION {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let Some(after) = self.next_interface.checked_add(1) else {
            return Err(self.error(CaptureErrorKind::Malformed));
        };
        self.interfaces.push(Interface {
            link,
            snaplen,
            resolution,
            offset_secs,
            index: self.next_interface,
        });
        self.next_interface = after;
        Ok(())
    }

    /// The interface a packet block names, or `Malformed`.
    fn interface(&mut self, id: u32) -> Result<Interface, CaptureError> {
        match self.interfaces.get(id as usize) {
            Some(i) => Ok(*i),
            None => Err(self.error(CaptureErrorKind::Malformed)),
        }
    }

    /// An enhanced or obsolete packet block of `len` bytes, all available: its header, data,
    /// options and trailer.
    fn packet_block(
        &mut self,
        kind: PacketBlock,
        order: Order,
        len: usize,
    ) -> Result<LocatedFrame, CaptureError> {
        if len < field::PB_DATA + field::TRAILER_LEN {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let b = self.block_head::<{ field::PB_DATA }>()?;
        let if_id = match kind {
            PacketBlock::Enhanced => u32_at(order, &b, field::EPB_INTERFACE),
            PacketBlock::Obsolete => {
                u32::from(order.u16_of([b[field::OPB_INTERFACE.start], b[field::OPB_INTERFACE.start + 1]]))
            }
        };
        let ts_high = u32_at(order, &b, field::PB_TS_HIGH);
        let ts_low = u32_at(order, &b, field::PB_TS_LOW);
        let caplen = u32_at(order, &b, field::PB_CAPLEN);
        let orig_len = u32_at(order, &b, field::PB_ORIG_LEN);
        if caplen as usize > len - field::PB_DATA - field::TRAILER_LEN {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let iface = self.interface(if_id)?;
        Ok(LocatedFrame {
            ts: iface.timestamp(ts_high, ts_low),
            link: iface.link,
            orig_len,
            data_at: self.source.start() + field::PB_DATA,
            data_len: caplen as usize,
            interface: iface.index,
        })
    }

    /// A simple packet block (pcapng draft §4.4) of `len` bytes, all available: interface 0, no
    /// timestamp, captured length = min(original length, snaplen, what the block holds).
    fn simple_packet(&mut self, order: Order, len: usize) -> Result<LocatedFrame, CaptureError> {
        if len < field::SPB_DATA + field::TRAILER_LEN {
            return Err(self.error(CaptureErrorKind::Malformed));
        }
        let orig_len = u32_at(order, &self.block_head::<{ field::SPB_DATA }>()?, field::SPB_ORIG_LEN);
        let iface = self.interface(0)?;
        let mut caplen = (orig_len as usize).min(len - field::SPB_DATA - field::TRAILER_LEN);
        if iface.snaplen != 0 {
            caplen = caplen.min(iface.snaplen as usize);
        }
        Ok(LocatedFrame {
            ts: Timestamp::Missing,
            link: iface.link,
            orig_len,
            data_at: self.source.start() + field::SPB_DATA,
            data_len: caplen,
            interface: iface.index,
        })
    }
}

/// An option's value without its padding.
fn option_value<'a>(opt: &'a PcapNGOption<'_>) -> Option<&'a [u8]> {
    opt.value().get(..opt.len as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_of_two_resolution_converts_fractions_to_nanoseconds() {
        let r = Resolution::from_tsresol(0x80 | 10).unwrap();
        assert_eq!(r.split(3 * 1024 + 512), (3, 500_000_000));
        assert_eq!(Resolution::from_tsresol(0x80 | 64), None);
        assert_eq!(Resolution::from_tsresol(20), None);
        assert_eq!(Resolution::from_tsresol(9).unwrap().split(1_500_000_001), (1, 500_000_001));
    }
}
