//! Capture-file writers: classic pcap (either byte order, µs or ns) and pcapng (several
//! sections, several interfaces each with its own link type and `if_tsresol`, enhanced and simple
//! packet blocks, interface statistics), into any [`io::Write`].
//!
//! ```
//! use flowlog_testkit::{pcap_bytes, Pkt};
//! use flowlog_core::LinkType;
//!
//! let pkt = Pkt::raw().ipv4([10, 0, 0, 1], [10, 0, 0, 2]).udp(1, 2).bytes();
//! let file = pcap_bytes(LinkType::RAW, &[(1_700_000_000_000_000_000, &pkt[..])]);
//! assert_eq!(file.len(), 24 + 16 + pkt.len());
//! ```

use std::io::{self, Write};

use flowlog_core::LinkType;

/// Byte order of a capture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Endian {
    /// Little endian (what x86 writers produce).
    #[default]
    Little,
    /// Big endian.
    Big,
}

impl Endian {
    fn u16(self, v: u16) -> [u8; 2] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }

    fn u32(self, v: u32) -> [u8; 4] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }
}

/// Timestamp precision of a classic pcap file (chosen by its magic number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TsPrecision {
    /// Microseconds: magic 0xa1b2c3d4.
    #[default]
    Micro,
    /// Nanoseconds: magic 0xa1b23c4d.
    Nano,
}

/// Writes a classic pcap file: the global header at construction, then one record per packet.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    endian: Endian,
    precision: TsPrecision,
}

impl<W: Write> PcapWriter<W> {
    /// Write the 24-byte global header (version 2.4) and return the writer.
    ///
    /// # Errors
    /// Any error of `out`.
    pub fn new(
        mut out: W,
        link: LinkType,
        snaplen: u32,
        endian: Endian,
        precision: TsPrecision,
    ) -> io::Result<PcapWriter<W>> {
        let magic: u32 = match precision {
            TsPrecision::Micro => 0xa1b2_c3d4,
            TsPrecision::Nano => 0xa1b2_3c4d,
        };
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&endian.u32(magic));
        h.extend_from_slice(&endian.u16(2));
        h.extend_from_slice(&endian.u16(4));
        h.extend_from_slice(&endian.u32(0)); // thiszone
        h.extend_from_slice(&endian.u32(0)); // sigfigs
        h.extend_from_slice(&endian.u32(snaplen));
        h.extend_from_slice(&endian.u32(link.0));
        out.write_all(&h)?;
        Ok(PcapWriter { out, endian, precision })
    }

    /// Write one packet record: `data` is what was captured, `orig_len` the wire length. The
    /// timestamp is cut to the file's precision (floor); seconds beyond 2^32 wrap, as the format
    /// cannot hold them.
    ///
    /// # Errors
    /// Any error of the underlying writer.
    pub fn packet(&mut self, ts_ns: u64, orig_len: u32, data: &[u8]) -> io::Result<()> {
        let secs = (ts_ns / 1_000_000_000) as u32;
        let frac = match self.precision {
            TsPrecision::Micro => (ts_ns % 1_000_000_000 / 1_000) as u32,
            TsPrecision::Nano => (ts_ns % 1_000_000_000) as u32,
        };
        let e = self.endian;
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&e.u32(secs));
        h[4..8].copy_from_slice(&e.u32(frac));
        h[8..12].copy_from_slice(&e.u32(data.len() as u32));
        h[12..16].copy_from_slice(&e.u32(orig_len));
        self.out.write_all(&h)?;
        self.out.write_all(data)
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A classic pcap file (little endian, µs, snaplen 65535) holding `frames` as `(ts_ns, data)`
/// with their wire length equal to their captured length.
pub fn pcap_bytes(link: LinkType, frames: &[(u64, &[u8])]) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), link, 65535, Endian::Little, TsPrecision::Micro)
        .expect("writing to a Vec cannot fail");
    for (ts, data) in frames {
        w.packet(*ts, data.len() as u32, data).expect("writing to a Vec cannot fail");
    }
    w.into_inner()
}

/// A pcapng interface's timestamp unit (option `if_tsresol`, RFC draft-ietf-opsawg-pcapng §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsResol {
    /// Units of 10^-n seconds (6 = µs, the default without the option; 9 = ns).
    Pow10(u8),
    /// Units of 2^-n seconds.
    Pow2(u8),
}

impl TsResol {
    /// The option byte: the exponent, with the high bit set for powers of two.
    pub fn byte(self) -> u8 {
        match self {
            TsResol::Pow10(n) => n & 0x7f,
            TsResol::Pow2(n) => 0x80 | (n & 0x7f),
        }
    }

    /// Nanoseconds to this unit (floor), as the 64-bit value an enhanced packet block holds.
    pub fn from_ns(self, ts_ns: u64) -> u64 {
        let ns = ts_ns as u128;
        let v = match self {
            TsResol::Pow10(n) if n <= 9 => ns / 10u128.pow(9 - n as u32),
            TsResol::Pow10(n) => ns * 10u128.pow((n as u32 - 9).min(29)),
            TsResol::Pow2(n) => (ns << n.min(63)) / 1_000_000_000,
        };
        v as u64
    }

    /// This unit's value back to nanoseconds (floor): what a reader should compute.
    pub fn to_ns(self, units: u64) -> u64 {
        let u = units as u128;
        let v = match self {
            TsResol::Pow10(n) if n <= 9 => u * 10u128.pow(9 - n as u32),
            TsResol::Pow10(n) => u / 10u128.pow((n as u32 - 9).min(29)),
            TsResol::Pow2(n) => (u * 1_000_000_000) >> n.min(63),
        };
        v as u64
    }
}

const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 0x0000_0001;
const SPB: u32 = 0x0000_0003;
const ISB: u32 = 0x0000_0005;
const EPB: u32 = 0x0000_0006;

/// Writes a pcapng file: a section header at construction, then interfaces and packets; more
/// sections with [`PcapngWriter::section`] (each may change the byte order and restarts the
/// interface numbering).
#[derive(Debug)]
pub struct PcapngWriter<W: Write> {
    out: W,
    endian: Endian,
    interfaces: Vec<TsResol>,
}

impl<W: Write> PcapngWriter<W> {
    /// Write the first section header block.
    ///
    /// # Errors
    /// Any error of `out`.
    pub fn new(out: W, endian: Endian) -> io::Result<PcapngWriter<W>> {
        let mut w = PcapngWriter { out, endian, interfaces: Vec::new() };
        w.section(endian)?;
        Ok(w)
    }

    /// Start a new section (section length unknown: -1) in byte order `endian`.
    ///
    /// # Errors
    /// Any error of the underlying writer.
    pub fn section(&mut self, endian: Endian) -> io::Result<()> {
        self.endian = endian;
        self.interfaces.clear();
        let mut body = Vec::with_capacity(16);
        body.extend_from_slice(&endian.u32(0x1a2b_3c4d));
        body.extend_from_slice(&endian.u16(1));
        body.extend_from_slice(&endian.u16(0));
        body.extend_from_slice(&[0xff; 8]); // section length -1, either byte order
        self.block(SHB, &body)
    }

    /// Describe a new interface of the current section and return its id (0, 1, ...). With
    /// `tsresol` `None` the option is omitted and readers assume microseconds.
    ///
    /// # Errors
    /// Any error of the underlying writer.
    pub fn interface(&mut self, link: LinkType, snaplen: u32, tsresol: Option<TsResol>) -> io::Result<u32> {
        let e = self.endian;
        let mut body = Vec::with_capacity(24);
        body.extend_from_slice(&e.u16(link.0 as u16));
        body.extend_from_slice(&e.u16(0));
        body.extend_from_slice(&e.u32(snaplen));
        if let Some(r) = tsresol {
            body.extend_from_slice(&e.u16(9)); // if_tsresol
            body.extend_from_slice(&e.u16(1));
            body.extend_from_slice(&[r.byte(), 0, 0, 0]);
            body.extend_from_slice(&e.u16(0)); // opt_endofopt
            body.extend_from_slice(&e.u16(0));
        }
        self.block(IDB, &body)?;
        self.interfaces.push(tsresol.unwrap_or(TsResol::Pow10(6)));
        Ok(self.interfaces.len() as u32 - 1)
    }

    fn ts_units(&self, iface: u32, ts_ns: u64) -> u64 {
        let r = self.interfaces.get(iface as usize).copied().unwrap_or(TsResol::Pow10(6));
        r.from_ns(ts_ns)
    }

    /// An enhanced packet block on interface `iface`, its timestamp in that interface's unit
    /// (floor).
    ///
    /// # Errors
    /// Any error of the underlying writer.
    pub fn enhanced(&mut self, iface: u32, ts_ns: u64, orig_len: u32, data: &[u8]) -> io::Result<()> {
        let e = self.endian;
        let units = self.ts_units(iface, ts_ns);
        let mut body = Vec::with_capacity(20 + data.len() + 3);
        body.extend_from_slice(&e.u32(iface));
        body.extend_from_slice(&e.u32((units >> 32) as u32));
        body.extend_from_slice(&e.u32(units as u32));
        body.extend_from_slice(&e.u32(data.len() as u32));
        body.extend_from_slice(&e.u32(orig_len));
        body.extend_from_slice(data);
        pad4(&mut body);
        self.block(EPB, &body)
    }

    /// A simple packet block (no timestamp, interface 0 of the section): the captured bytes are
    /// all of `data`.
    ///
    /// # Errors
    /// Any error of the underlying writer.
    pub fn simple(&mut self, orig_len: u32, data: &[u8]) -> io::Result<()> {
        let mut body = Vec::with_capacity(4 + data.len() + 3);
        body.extend_from_slice(&self.endian.u32(orig_len));
        body.extend_from_slice(data);
        pad4(&mut body);
        self.block(SPB, &body)
    }

    /// An interface statistics block (no options): a non-packet block readers must not count.
    ///
    /// # Errors
    /// Any error of the underlying writer.
    pub fn interface_statistics(&mut self, iface: u32, ts_ns: u64) -> io::Result<()> {
        let e = self.endian;
        let units = self.ts_units(iface, ts_ns);
        let mut body = Vec::with_capacity(12);
        body.extend_from_slice(&e.u32(iface));
        body.extend_from_slice(&e.u32((units >> 32) as u32));
        body.extend_from_slice(&e.u32(units as u32));
        self.block(ISB, &body)
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn block(&mut self, kind: u32, body: &[u8]) -> io::Result<()> {
        let e = self.endian;
        let total = (12 + body.len()) as u32;
        self.out.write_all(&e.u32(kind))?;
        self.out.write_all(&e.u32(total))?;
        self.out.write_all(body)?;
        self.out.write_all(&e.u32(total))
    }
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_converts_both_ways_for_decimal_and_binary_units() {
        let ts = 1_700_000_000_123_456_789;
        assert_eq!(TsResol::Pow10(6).from_ns(ts), 1_700_000_000_123_456);
        assert_eq!(TsResol::Pow10(9).from_ns(ts), ts);
        assert_eq!(TsResol::Pow10(3).to_ns(5), 5_000_000);
        // 2^-10 s units: 1 s = 1024 units.
        assert_eq!(TsResol::Pow2(10).from_ns(1_000_000_000), 1024);
        assert_eq!(TsResol::Pow2(10).to_ns(512), 500_000_000);
        assert_eq!(TsResol::Pow2(10).byte(), 0x8a);
    }

    #[test]
    fn pcap_global_header_is_24_bytes_with_magic_in_file_byte_order() {
        let w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 128, Endian::Big, TsPrecision::Nano).unwrap();
        let b = w.into_inner();
        assert_eq!(b.len(), 24);
        assert_eq!(&b[0..4], &[0xa1, 0xb2, 0x3c, 0x4d]);
        assert_eq!(&b[20..24], &[0, 0, 0, 1]);
    }
}
