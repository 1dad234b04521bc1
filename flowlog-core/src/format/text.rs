//! Text primitives shared by the writers: a bounded output cursor, decimal integers, IPv4 dotted
//! quads, IPv6 in RFC 5952 canonical form, JSON and CSV string fields.
//!
//! Hand-rolled instead of `write!`/`format_args!` into a cursor: `core::fmt` would do the same
//! work through dynamic dispatch, and these writers must report the exact size a record needs
//! even when it does not fit (the two-call pattern of the C ABI), which [`Out`] does by counting
//! past the end of the buffer instead of failing at the first byte that does not fit.
//!
//! Never allocates.

use super::FormatError;
use crate::window::NS_PER_SEC;

/// Widest decimal `u64` (`18446744073709551615`).
pub(crate) const U64_DIGITS: usize = 20;
/// Widest decimal `u32` (`4294967295`).
pub(crate) const U32_DIGITS: usize = 10;
/// Widest decimal `u16` (`65535`).
pub(crate) const U16_DIGITS: usize = 5;
/// Widest decimal `u8` (`255`).
pub(crate) const U8_DIGITS: usize = 3;
/// Widest IPv4 text (`255.255.255.255`).
#[cfg(test)]
pub(crate) const IPV4_TEXT: usize = 15;
/// Widest IPv6 text: eight groups of four hex digits and seven colons. The other forms are
/// shorter: `::` replaces at least two groups (≥ 5 characters) with two, and the mapped form
/// `::ffff:255.255.255.255` has 22.
pub(crate) const IPV6_TEXT: usize = 39;

/// An output cursor over a caller-owned buffer that keeps counting once the buffer is full.
///
/// Every piece is either written whole or not at all; once one piece does not fit, no later piece
/// does either (offsets only grow), so [`Out::finish`] knows the exact size the record needs.
///
/// `FAST` is the fast path: a cursor made by [`Out::fast`] over a buffer known to hold the whole
/// record, which writes each piece without checking the room left.
pub(crate) struct Out<'a, const FAST: bool = false> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Out<'a> {
    /// A counting cursor at the start of `buf`.
    #[inline]
    pub(crate) fn new(buf: &'a mut [u8]) -> Out<'a> {
        Out { buf, len: 0 }
    }
}

impl<'a> Out<'a, true> {
    /// A fast-path cursor at the start of `buf`, if `buf` has room for `bound` bytes.
    ///
    /// # Safety
    /// Every piece appended to the cursor must fit in `bound` bytes in total: `bound` is at least
    /// the most the writer about to run can append (the format's `MAX_LEN`, the sum of the widest
    /// text of every key, separator and value it may write).
    #[inline]
    pub(crate) unsafe fn fast(buf: &'a mut [u8], bound: usize) -> Option<Out<'a, true>> {
        (buf.len() >= bound).then_some(Out { buf, len: 0 })
    }
}

impl<const FAST: bool> Out<'_, FAST> {
    /// The next `n` bytes of the output, or `None` when they do not fit (counting path only);
    /// counts them either way.
    #[inline(always)]
    fn slot(&mut self, n: usize) -> Option<&mut [u8]> {
        let start = self.len;
        // No overflow: `len` is at most the sum of one record's pieces, a few hundred bytes.
        let end = start + n;
        self.len = end;
        if FAST {
            debug_assert!(end <= self.buf.len(), "a writer exceeded its MAX_LEN");
            // SAFETY: a fast cursor exists only over a buffer of at least `bound` bytes, and its
            // maker promised (`Out::fast`) that all the pieces appended to it fit in `bound`.
            // `end` is the total of the pieces appended so far, this one included, so
            // `start <= end <= bound <= buf.len()`.
            Some(unsafe { self.buf.get_unchecked_mut(start..end) })
        } else {
            self.buf.get_mut(start..end)
        }
    }

    /// Append raw bytes. Inlined everywhere so that a literal's length is a constant and the copy
    /// becomes a few moves instead of a `memcpy` call.
    #[inline(always)]
    pub(crate) fn bytes(&mut self, s: &[u8]) {
        if let Some(dst) = self.slot(s.len()) {
            dst.copy_from_slice(s);
        }
    }

    /// Append a string as is (the caller knows it needs no escaping).
    #[inline(always)]
    pub(crate) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    /// Append one byte.
    #[inline(always)]
    pub(crate) fn byte(&mut self, b: u8) {
        if let Some([dst]) = self.slot(1) {
            *dst = b;
        }
    }

    /// Append `v` in decimal, no leading zeros: the digits are counted first and written straight
    /// to their place, right to left.
    #[inline]
    pub(crate) fn u64(&mut self, v: u64) {
        let n = decimal_len(v);
        if let Some(dst) = self.slot(n) {
            decimal(v, dst);
        }
    }

    /// Append a time in floor seconds, as [`Out::u64`] would.
    #[inline(always)]
    pub(crate) fn secs(&mut self, t: &Time) {
        if t.secs_len <= 8 {
            self.u64(t.ns / NS_PER_SEC);
            return;
        }
        if let Some(dst) = self.slot(t.secs_len) {
            // The head's padding lies where the last eight digits go (9 to 11 digits here).
            if let Some(d) = dst.first_chunk_mut::<4>() {
                *d = t.head;
            }
            if let Some(d) = dst.last_chunk_mut::<8>() {
                *d = t.low;
            }
        }
    }

    /// Append a time in nanoseconds, as [`Out::u64`] would: the seconds' digits, then the nine
    /// digits of the fraction.
    #[inline(always)]
    pub(crate) fn nanos(&mut self, t: &Time) {
        if t.secs_len <= 8 {
            self.u64(t.ns);
            return;
        }
        self.secs(t);
        let fraction = (t.ns % NS_PER_SEC) as u32;
        if let Some(dst) = self.slot(9) {
            if let Some((first, rest)) = dst.split_first_mut() {
                *first = b'0' + (fraction / 100_000_000) as u8;
                eight(fraction % 100_000_000, rest);
            }
        }
    }

    /// Append `v` (at most 5 digits) in decimal, no leading zeros.
    #[inline]
    pub(crate) fn u16(&mut self, v: u16) {
        let v = u32::from(v);
        let n = if v >= 100 {
            3 + usize::from(v >= 1000) + usize::from(v >= 10_000)
        } else {
            1 + usize::from(v >= 10)
        };
        if let Some(dst) = self.slot(n) {
            decimal_small(v, dst);
        }
    }

    /// Append `v` (at most 3 digits) in decimal, no leading zeros.
    #[inline]
    pub(crate) fn u8(&mut self, v: u8) {
        if v >= 100 {
            let [a, b] = PAIRS[usize::from(v % 100)];
            self.bytes(&[b'0' + v / 100, a, b]);
        } else if v >= 10 {
            self.bytes(&PAIRS[usize::from(v)]);
        } else {
            self.byte(b'0' + v);
        }
    }

    /// Append an IPv4 address as a dotted quad.
    ///
    /// Without a branch on the octets' widths, which are random in real traffic: the text is
    /// assembled in a `u128` from a table of each octet's digits and dot, then copied as two
    /// overlapping 8-byte moves.
    #[inline]
    pub(crate) fn ipv4(&mut self, a: [u8; 4]) {
        // Two octets with their dots fit a `u64` (8 characters at most), so only one shift is
        // 128 bits wide.
        let half = |x: u8, y: u8| {
            let ((tx, lx), (ty, ly)) = (OCTET_DOT[usize::from(x)], OCTET_DOT[usize::from(y)]);
            (u64::from(tx) | u64::from(ty) << (8 * u32::from(lx)), 8 * u32::from(lx + ly))
        };
        let ((first, first_bits), (second, second_bits)) = (half(a[0], a[1]), half(a[2], a[3]));
        let text = u128::from(first) | u128::from(second) << first_bits;
        let bits = first_bits + second_bits;
        let src = text.to_le_bytes();
        // 7 to 15 characters: without the last octet's dot.
        let n = (bits / 8) as usize - 1;
        if let Some(dst) = self.slot(n) {
            if let (Some(d), Some(s)) = (dst.first_chunk_mut::<8>(), src.first_chunk::<8>()) {
                *d = *s;
            } else {
                // `1.1.1.1` and the like: 7 characters.
                for (d, s) in dst.iter_mut().zip(src) {
                    *d = s;
                }
                return;
            }
            let tail = src.get(n.saturating_sub(8)..n).and_then(|s| <&[u8; 8]>::try_from(s).ok());
            if let (Some(d), Some(s)) = (dst.last_chunk_mut::<8>(), tail) {
                *d = *s;
            }
        }
    }

    /// Append an IPv6 address in RFC 5952 canonical form, as `std::net::Ipv6Addr` displays it:
    /// lowercase hex without leading zeros (§4.1, §4.3), the longest run of two or more zero
    /// groups as `::`, the first run on ties (§4.2), and an IPv4-mapped address `::ffff:0:0/96`
    /// with its last 32 bits as a dotted quad (§5).
    pub(crate) fn ipv6(&mut self, a: &[u8; 16]) {
        let mut groups = [0u16; 8];
        for (g, pair) in groups.iter_mut().zip(a.chunks_exact(2)) {
            *g = u16::from_be_bytes([pair[0], pair[1]]);
        }
        if groups[..5] == [0; 5] && groups[5] == 0xffff {
            self.str("::ffff:");
            self.ipv4([a[12], a[13], a[14], a[15]]);
            return;
        }
        // The longest run of zero groups (the first on ties), from a table of every zero mask.
        let mut zeros = 0usize;
        for (i, g) in groups.iter().enumerate() {
            zeros |= usize::from(*g == 0) << i;
        }
        let (run_start, run_len) = ZERO_RUN[zeros & 0xff];
        let (run_start, run_end) = (usize::from(run_start), usize::from(run_start + run_len));
        // Assemble the text in a local buffer, each group written as 8 bytes with its trailing
        // colon (no branch on its width), then copy it out once.
        let mut text = [0u8; 64];
        let mut pos = 0;
        let n = if run_len >= 2 {
            // `before::after`: the groups before the run, each with its colon, one more colon
            // (two when nothing comes before), the groups after, without the last colon.
            for g in groups.iter().take(run_start) {
                put_group(&mut text, &mut pos, *g);
            }
            if run_start == 0 {
                put_colon(&mut text, &mut pos);
            }
            put_colon(&mut text, &mut pos);
            for g in groups.iter().skip(run_end) {
                put_group(&mut text, &mut pos, *g);
            }
            pos - usize::from(run_end < 8)
        } else {
            for g in &groups {
                put_group(&mut text, &mut pos, *g);
            }
            pos - 1
        };
        if let (Some(src), Some(dst)) = (text.get(..n), self.slot(n)) {
            dst.copy_from_slice(src);
        }
    }

    /// Append a flow key address: a dotted quad from the first 4 bytes, or IPv6.
    #[inline]
    pub(crate) fn addr(&mut self, a: &[u8; 16], ipv6: bool) {
        if ipv6 {
            self.ipv6(a);
        } else {
            self.ipv4([a[0], a[1], a[2], a[3]]);
        }
    }

    /// Append a CSV field by RFC 4180 §2: as is, or, when it contains a comma, a double quote, CR
    /// or LF, enclosed in double quotes with each inner double quote doubled.
    pub(crate) fn csv_field(&mut self, s: &str) {
        let needs_quotes = s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
        if !needs_quotes {
            self.str(s);
            return;
        }
        self.byte(b'"');
        for part in s.split_inclusive('"') {
            self.str(part);
            if part.ends_with('"') {
                self.byte(b'"');
            }
        }
        self.byte(b'"');
    }

    /// Bytes the output needs so far (may exceed the buffer).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The bytes written, or [`FormatError::BufferTooSmall`] with the exact size needed.
    #[inline]
    pub(crate) fn finish(self) -> Result<usize, FormatError> {
        if self.len <= self.buf.len() {
            Ok(self.len)
        } else {
            Err(FormatError::BufferTooSmall { required: self.len })
        }
    }
}

/// A time in nanoseconds whose seconds are converted to text once, to be written twice: alone
/// ([`Out::secs`]) and as the leading digits of the nanoseconds ([`Out::nanos`]), which a record
/// with both (JSON lines, CSV) would otherwise convert again within a 19-digit number.
pub(crate) struct Time {
    ns: u64,
    /// Digits of the seconds: 9 to 11 in `head` and `low`; with 8 or fewer (before 1973), the
    /// writers fall back to [`Out::u64`].
    secs_len: usize,
    /// The 1 to 3 digits before the last eight, padded to a word.
    head: [u8; 4],
    /// The last eight digits.
    low: [u8; 8],
}

impl Time {
    #[inline(always)]
    pub(crate) fn new(ns: u64) -> Time {
        let secs = ns / NS_PER_SEC;
        let secs_len = decimal_len(secs);
        // Seconds fit 11 digits (`u64::MAX` ns is 18446744073 s), so the head is below 1000:
        // its four digits, without the leading zeros (unused below 9 digits).
        let high = (secs / 100_000_000) as usize;
        let ([a, b], [c, d]) = (PAIRS[high / 100 % 100], PAIRS[high % 100]);
        let head = u32::from_le_bytes([a, b, c, d]) >> (8 * (12 - secs_len.clamp(9, 11)));
        let head = head.to_le_bytes();
        let mut low = [0; 8];
        eight((secs % 100_000_000) as u32, &mut low);
        Time { ns, secs_len, head, low }
    }
}

/// `00` to `99`: two digits per step halves the divisions; records are mostly 10- and 19-digit
/// times.
const PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

/// Write `v` in decimal into `dst`, which is exactly [`decimal_len`]`(v)` bytes long, right to
/// left: eight digits at a time in `u32` arithmetic while `v` has more than eight.
#[inline]
fn decimal(mut v: u64, dst: &mut [u8]) {
    let mut end = dst.len();
    while v >= 100_000_000 {
        let low = (v % 100_000_000) as u32;
        v /= 100_000_000;
        let Some(start) = end.checked_sub(8) else { return };
        if let Some(d) = dst.get_mut(start..end) {
            eight(low, d);
        }
        end = start;
    }
    if let Some(d) = dst.get_mut(..end) {
        decimal_small(v as u32, d);
    }
}

/// Write exactly eight digits of `v` (< 10^8), leading zeros included, into `dst` (8 bytes).
#[inline(always)]
fn eight(v: u32, dst: &mut [u8]) {
    let (hi, lo) = (v / 10_000, v % 10_000);
    let (a, b, c, d) = (
        PAIRS[(hi / 100) as usize],
        PAIRS[(hi % 100) as usize],
        PAIRS[(lo / 100) as usize],
        PAIRS[(lo % 100) as usize],
    );
    if let Ok(dst) = <&mut [u8; 8]>::try_from(dst) {
        *dst = [a[0], a[1], b[0], b[1], c[0], c[1], d[0], d[1]];
    }
}

/// Write `v` (< 10^8) in decimal into `dst`, which is exactly as long as its digits, right to
/// left, two at a time.
#[inline]
fn decimal_small(mut v: u32, dst: &mut [u8]) {
    let mut end = dst.len();
    while v >= 100 {
        let pair = PAIRS[(v % 100) as usize];
        v /= 100;
        let Some(start) = end.checked_sub(2) else { return };
        if let Some(d) = dst.get_mut(start..end) {
            d.copy_from_slice(&pair);
        }
        end = start;
    }
    if v >= 10 {
        if let Some(d) = dst.get_mut(..2) {
            d.copy_from_slice(&PAIRS[v as usize]);
        }
    } else if let Some(d) = dst.first_mut() {
        *d = b'0' + v as u8;
    }
}

/// Each octet's decimal text followed by `.`, packed little-endian (first character in the low
/// byte), and its length with the dot.
const OCTET_DOT: [(u32, u8); 256] = {
    let mut t = [(0u32, 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let (h, d, u) = ((i / 100) as u32, (i / 10 % 10) as u32, (i % 10) as u32);
        let dot = b'.' as u32;
        let zero = b'0' as u32;
        t[i] = if i >= 100 {
            ((zero + h) | (zero + d) << 8 | (zero + u) << 16 | dot << 24, 4)
        } else if i >= 10 {
            ((zero + d) | (zero + u) << 8 | dot << 16, 3)
        } else {
            ((zero + u) | dot << 8, 2)
        };
        i += 1;
    }
    t
};

/// Append one `:` to an IPv6 text being assembled.
#[inline(always)]
fn put_colon(text: &mut [u8; 64], pos: &mut usize) {
    if let Some(d) = text.get_mut(*pos) {
        *d = b':';
    }
    *pos += 1;
}

/// Append a 16-bit group and its colon to an IPv6 text being assembled: 8 bytes written, its
/// length advanced (at most 5 per group, so 8 groups stay inside 64 bytes).
#[inline(always)]
fn put_group(text: &mut [u8; 64], pos: &mut usize, g: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digits = u64::from(HEX[usize::from(g >> 12)])
        | u64::from(HEX[usize::from((g >> 8) & 0xf)]) << 8
        | u64::from(HEX[usize::from((g >> 4) & 0xf)]) << 16
        | u64::from(HEX[usize::from(g & 0xf)]) << 24;
    // No leading zeros, but at least one digit.
    let skip = (g.leading_zeros() / 4).min(3) as usize;
    let n = 4 - skip;
    let chunk = (digits >> (8 * skip)) | u64::from(b':') << (8 * n);
    if let Some(d) = text.get_mut(*pos..*pos + 8) {
        d.copy_from_slice(&chunk.to_le_bytes());
    }
    *pos += n + 1;
}

/// For each set of zero groups (bit `i` for group `i`), the first longest run of two or more:
/// its start and length, or length 0 when there is none (RFC 5952 §4.2).
const ZERO_RUN: [(u8, u8); 256] = {
    let mut t = [(0u8, 0u8); 256];
    let mut mask = 0;
    while mask < 256 {
        let (mut best_start, mut best_len, mut cur_start, mut cur_len) = (0, 0, 0, 0);
        let mut i = 0;
        while i < 8 {
            if mask & (1 << i) != 0 {
                if cur_len == 0 {
                    cur_start = i;
                }
                cur_len += 1;
                if cur_len > best_len {
                    best_start = cur_start;
                    best_len = cur_len;
                }
            } else {
                cur_len = 0;
            }
            i += 1;
        }
        t[mask] = if best_len >= 2 { (best_start as u8, best_len as u8) } else { (0, 0) };
        mask += 1;
    }
    t
};

/// `10^i` for every `u64` power of ten.
const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// Characters `v` takes in decimal: the bit length gives the digit count to within one
/// (`log10(2) ≈ 1233 / 4096`), one comparison settles it.
#[inline]
pub(crate) const fn decimal_len(v: u64) -> usize {
    let bits = 64 - (v | 1).leading_zeros() as usize; // 1..=64
    let guess = (bits * 1233) >> 12; // 0..=19: floor(log10(2^bits))
    guess + 1 - ((v | 1) < POW10[guess]) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::aws::AwsField;
    use crate::format::{FormatKind, Formatter};
    use crate::key::{Action, Direction, FlowKey};
    use crate::record::{EndReason, LogStatus, Record};
    use proptest::prelude::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn render(f: impl FnOnce(&mut Out<'_>)) -> String {
        let mut buf = [0u8; 128];
        let mut out = Out::new(&mut buf);
        f(&mut out);
        let n = out.finish().expect("fits");
        String::from_utf8(buf[..n].to_vec()).expect("ascii")
    }

    #[test]
    fn decimal_has_no_leading_zeros_and_reaches_u64_max() {
        for v in [0u64, 1, 9, 10, 99, 100, 1_000_000_007, u64::MAX - 1, u64::MAX] {
            assert_eq!(render(|o| o.u64(v)), v.to_string());
            assert_eq!(decimal_len(v), v.to_string().len());
        }
        assert_eq!(decimal_len(u64::MAX), U64_DIGITS);
    }

    #[test]
    fn a_time_writes_its_seconds_and_nanoseconds_as_std_display_does() {
        // Every seconds width: 0 to 8 digits (the fallback), 9, 10 and 11, and the ends.
        let mut cases = vec![0u64, 999_999_999, u64::MAX];
        for digits in 1..=11 {
            let secs = 10u64.pow(digits - 1);
            cases.extend([
                secs * NS_PER_SEC,
                (secs * 10 - 1).saturating_mul(NS_PER_SEC).saturating_add(999_999_999),
                secs * NS_PER_SEC + 7,
            ]);
        }
        for ns in cases {
            let t = Time::new(ns);
            assert_eq!(render(|o| o.secs(&t)), (ns / NS_PER_SEC).to_string(), "{ns}");
            assert_eq!(render(|o| o.nanos(&t)), ns.to_string(), "{ns}");
        }
    }

    #[test]
    fn ipv6_canonical_form_matches_rfc_5952_examples() {
        // RFC 5952 §4.2.1–§4.2.3, §4.3, §5.
        let cases = [
            ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:DB8::AAAA", "2001:db8::aaaa"),
            ("0:0:0:0:0:ffff:c000:280", "::ffff:192.0.2.128"),
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ];
        for (input, want) in cases {
            let a: Ipv6Addr = input.parse().unwrap();
            assert_eq!(render(|o| o.ipv6(&a.octets())), want, "{input}");
        }
        let widest: Ipv6Addr = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff".parse().unwrap();
        assert_eq!(render(|o| o.ipv6(&widest.octets())).len(), IPV6_TEXT);
        assert_eq!(render(|o| o.ipv4([255; 4])).len(), IPV4_TEXT);
    }

    #[test]
    fn csv_field_quotes_only_when_rfc_4180_requires_it() {
        assert_eq!(render(|o| o.csv_field("ACCEPT")), "ACCEPT");
        assert_eq!(render(|o| o.csv_field("")), "");
        assert_eq!(render(|o| o.csv_field("a,b")), "\"a,b\"");
        assert_eq!(render(|o| o.csv_field("say \"hi\"")), "\"say \"\"hi\"\"\"");
        assert_eq!(render(|o| o.csv_field("\"")), "\"\"\"\"");
        assert_eq!(render(|o| o.csv_field("two\nlines")), "\"two\nlines\"");
    }

    #[test]
    fn a_cursor_that_overflows_reports_the_exact_size_and_writes_no_partial_piece() {
        let mut buf = [b'x'; 5];
        let mut out = Out::new(&mut buf);
        out.str("abc");
        out.str("defg");
        out.str("h");
        assert_eq!(out.len(), 8);
        assert_eq!(out.finish(), Err(FormatError::BufferTooSmall { required: 8 }));
        assert_eq!(&buf, b"abcxx");
    }

    /// Addresses with many zero groups: each group is zero with probability 1/2, otherwise a
    /// value with 1–4 hex digits, so runs, ties and the mapped prefix all occur.
    fn ipv6_groups() -> impl Strategy<Value = [u16; 8]> {
        let group = prop_oneof![
            4 => Just(0u16),
            1 => 1u16..=0xf,
            1 => 0x10u16..=0xfff,
            2 => any::<u16>(),
        ];
        proptest::array::uniform8(group)
    }

    /// A `u64` of any magnitude: uniform bits shifted right by 0–63, so every digit count occurs.
    fn any_width() -> impl Strategy<Value = u64> {
        (any::<u64>(), 0u32..64).prop_map(|(v, s)| v >> s)
    }

    /// Any record the types allow: IPv4 or IPv6 (with mapped and zero-run addresses), any
    /// protocol, direction, action, status and end reason, values of every width.
    fn any_record() -> impl Strategy<Value = Record> {
        let addr = prop_oneof![
            any::<[u8; 16]>(),
            ipv6_groups().prop_map(|g| Ipv6Addr::from(g).octets()),
            any::<[u8; 4]>().prop_map(|b| Ipv4Addr::from(b).to_ipv6_mapped().octets()),
        ];
        let proto = prop_oneof![Just(6u8), Just(17), Just(1), Just(58), any::<u8>()];
        let key = (any::<bool>(), addr.clone(), addr, any::<(u16, u16)>(), proto, 0u8..3, any::<bool>())
            .prop_flat_map(move |k| (Just(k), any::<(u16, u32, u32)>()));
        let counts = (any_width(), any_width(), any_width(), any_width(), any_width(), any_width());
        let flags = (0u16..512, any::<bool>(), any::<bool>(), any::<(u8, u8)>(), 0u8..4, 0u8..3);
        (key, counts, flags).prop_map(
            |(((v6, src, dst, (sp, dp), proto, dir, reject), (vlan, tun, op)), c, f)| {
                let mut d = crate::Dissected::EMPTY;
                d.ip_version = if v6 { 6 } else { 4 };
                (d.src, d.dst, d.src_port, d.dst_port, d.protocol) = (src, dst, sp, dp, proto);
                if !v6 {
                    d.src[4..].fill(0);
                    d.dst[4..].fill(0);
                }
                (d.vlan, d.tunnel_id) = (vlan, tun);
                let dir = [Direction::Unknown, Direction::In, Direction::Out][usize::from(dir)];
                let action = if reject { Action::Reject } else { Action::Accept };
                let (start_ns, end_ns) = (c.2.min(c.3), c.2.max(c.3));
                Record {
                    key: FlowKey::new(&d, op, dir, action, true, true),
                    packets: c.0,
                    bytes: c.1,
                    start_ns,
                    end_ns,
                    tcp_flags: f.0,
                    tcp_syn_ack: f.1,
                    has_icmp: f.2,
                    icmp_type: f.3 .0,
                    icmp_code: f.3 .1,
                    window_start_secs: c.4,
                    window_secs: c.5,
                    end_reason: [
                        EndReason::Window,
                        EndReason::Evicted,
                        EndReason::Flush,
                        EndReason::PacketLimit,
                    ][usize::from(f.4)],
                    log_status: [LogStatus::Ok, LogStatus::NoData, LogStatus::SkipData][usize::from(f.5)],
                }
            },
        )
    }

    /// Every format, AWS with its default list and with all supported fields.
    fn formatters() -> Vec<Formatter> {
        let all: Vec<String> = AwsField::ALL.iter().map(|f| format!("${{{}}}", f.name())).collect();
        let mut v: Vec<Formatter> = FormatKind::ALL.into_iter().map(Formatter::new).collect();
        v.push(Formatter::aws_with_fields(&all.join(" ")).expect("valid list"));
        v.push(Formatter::aws_with_fields("${tcp-flags} ${dstaddr}").expect("valid list"));
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn the_fast_and_the_counting_paths_write_the_same_bytes(rec in any_record()) {
            for f in formatters() {
                // Fast path: a buffer with room for the format's worst case.
                let mut fast = [0u8; Formatter::MAX_RECORD_LEN];
                let n = f.write_record(&rec, &mut fast).expect("MAX_RECORD_LEN suffices");
                prop_assert!(n <= f.record_len_bound(), "{:?}: {} > MAX_LEN {}", f.kind(), n, f.record_len_bound());
                // Counting path over the same large buffer.
                let mut counted = [0u8; Formatter::MAX_RECORD_LEN];
                let mut o = Out::new(&mut counted);
                f.record(&rec, &mut o);
                prop_assert_eq!(o.finish(), Ok(n));
                prop_assert_eq!(&fast[..n], &counted[..n]);
                // Through `write_record` with a buffer of exactly the size (the counting path
                // whenever the record is shorter than the worst case) and one byte short.
                let mut exact = vec![0u8; n];
                prop_assert_eq!(f.write_record(&rec, &mut exact), Ok(n));
                prop_assert_eq!(&exact[..], &fast[..n]);
                prop_assert_eq!(
                    f.write_record(&rec, &mut exact[..n - 1]),
                    Err(FormatError::BufferTooSmall { required: n })
                );
                prop_assert_eq!(f.write_record(&rec, &mut []), Err(FormatError::BufferTooSmall { required: n }));
            }
        }

        #[test]
        fn a_too_small_buffer_reports_the_exact_size(rec in any_record(), cut in any::<prop::sample::Index>()) {
            for f in formatters() {
                let mut full = [0u8; Formatter::MAX_RECORD_LEN];
                let n = f.write_record(&rec, &mut full).expect("MAX_RECORD_LEN suffices");
                let mut small = [0u8; Formatter::MAX_RECORD_LEN];
                let k = cut.index(n);
                prop_assert_eq!(
                    f.write_record(&rec, &mut small[..k]),
                    Err(FormatError::BufferTooSmall { required: n })
                );
            }
        }

        #[test]
        fn decimal_of_any_width_equals_std_display(v in any_width()) {
            prop_assert_eq!(render(|o| o.u64(v)), v.to_string());
            prop_assert_eq!(decimal_len(v), v.to_string().len());
        }

        #[test]
        fn time_text_equals_std_display(ns in any_width()) {
            let t = Time::new(ns);
            prop_assert_eq!(render(|o| o.secs(&t)), (ns / NS_PER_SEC).to_string());
            prop_assert_eq!(render(|o| o.nanos(&t)), ns.to_string());
        }

        #[test]
        fn small_decimals_equal_std_display(v in any::<u16>()) {
            prop_assert_eq!(render(|o| o.u16(v)), v.to_string());
            prop_assert_eq!(render(|o| o.u8(v as u8)), (v as u8).to_string());
        }

        #[test]
        fn ipv6_text_equals_std_display(groups in ipv6_groups()) {
            let a = Ipv6Addr::from(groups);
            prop_assert_eq!(render(|o| o.ipv6(&a.octets())), a.to_string());
        }

        #[test]
        fn ipv4_mapped_text_equals_std_display(v4 in any::<u32>()) {
            let a = Ipv4Addr::from(v4).to_ipv6_mapped();
            prop_assert_eq!(render(|o| o.ipv6(&a.octets())), a.to_string());
        }

        #[test]
        fn ipv6_text_of_random_bytes_equals_std_display(b in any::<[u8; 16]>()) {
            let a = Ipv6Addr::from(b);
            prop_assert_eq!(render(|o| o.ipv6(&b)), a.to_string());
        }

        #[test]
        fn ipv4_text_equals_std_display(b in any::<[u8; 4]>()) {
            prop_assert_eq!(render(|o| o.ipv4(b)), Ipv4Addr::from(b).to_string());
        }

        #[test]
        fn decimal_equals_std_display(v in any::<u64>()) {
            prop_assert_eq!(render(|o| o.u64(v)), v.to_string());
        }
    }
}
