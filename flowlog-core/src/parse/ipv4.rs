//! IPv4 header (RFC 791; SPEC §2, "IPv4" and "Bytes").

use super::{be16, be32, bytes, Dissected, Frag, Notes, Skip, L3};

/// Field offsets inside the fixed 20-byte header.
mod field {
    use core::ops::Range;
    pub const VER_IHL: usize = 0;
    pub const TOTAL_LEN: Range<usize> = 2..4;
    pub const IDENT: Range<usize> = 4..6;
    pub const FLAGS_FRAG: Range<usize> = 6..8;
    pub const PROTOCOL: usize = 9;
    pub const SRC: Range<usize> = 12..16;
    pub const DST: Range<usize> = 16..20;
}

/// Length of a header without options.
pub(crate) const MIN_LEN: usize = field::DST.end;
/// More-fragments flag in the flags/fragment-offset word.
const MF: u16 = 0x2000;
/// Fragment offset bits of that word.
const OFFSET: u16 = 0x1fff;

/// Parse the IPv4 header at `off` (its version nibble already checked) into `d`.
///
/// Checks IHL ≥ 5 and that IHL × 4 bytes were captured; nothing else (checksum, TTL, flags'
/// reserved bit and options are deliberately not validated: a flow meter counts what it saw).
///
/// # Errors
/// [`Skip::BadIpHeader`] when the header is unusable.
#[inline]
pub(crate) fn parse(frame: &[u8], off: usize, orig_len: u32, d: &mut Dissected) -> Result<L3, Skip> {
    let h: &[u8; MIN_LEN] = bytes(frame, off).ok_or(Skip::BadIpHeader)?;
    let ihl = usize::from(h[field::VER_IHL] & 0x0f) * 4;
    if ihl < MIN_LEN || off + ihl > frame.len() {
        return Err(Skip::BadIpHeader);
    }
    d.ip_version = 4;
    d.src[..4].copy_from_slice(&h[field::SRC]);
    d.dst[..4].copy_from_slice(&h[field::DST]);
    d.protocol = h[field::PROTOCOL];
    let total = usize::from(be16(&h[field::TOTAL_LEN]));
    let end = if total < ihl {
        // Length 0 (TSO, big TCP) or impossible: bytes from the wire length (SPEC §2, Bytes).
        d.bytes = u64::from(orig_len).saturating_sub(off as u64);
        d.notes.insert(Notes::BAD_LENGTH);
        frame.len()
    } else {
        d.bytes = total as u64;
        frame.len().min(off + total)
    };
    let ff = be16(&h[field::FLAGS_FRAG]);
    let id = be32(&[0, 0, h[field::IDENT.start], h[field::IDENT.start + 1]]);
    let frag = if ff & OFFSET != 0 {
        Frag::NonFirst { id, protocol: d.protocol }
    } else if ff & MF != 0 {
        Frag::First { id, protocol: d.protocol }
    } else {
        Frag::None
    };
    Ok(L3 { l4_off: off + ihl, end, l4_readable: true, frag })
}

/// The fixed header `h` when it is the fast path's shape ([`parse_fast`]: IHL 5, a total length
/// that covers the header, not a fragment): its total length and protocol, else `None`.
#[inline(always)]
pub(crate) fn fast_len_protocol(h: &[u8; MIN_LEN]) -> Option<(u16, u8)> {
    let total = be16(&h[field::TOTAL_LEN]);
    let plain = h[field::VER_IHL] == VER_IHL_NO_OPTIONS
        && usize::from(total) >= MIN_LEN
        && be16(&h[field::FLAGS_FRAG]) & (MF | OFFSET) == 0;
    plain.then_some((total, h[field::PROTOCOL]))
}

/// Source and destination addresses of the fixed header `h`.
#[inline(always)]
pub(crate) fn addrs(h: &[u8; MIN_LEN]) -> ([u8; 4], [u8; 4]) {
    let src = h[field::SRC].try_into().unwrap_or_default();
    let dst = h[field::DST].try_into().unwrap_or_default();
    (src, dst)
}

/// Version 4, IHL 5: a header without options.
const VER_IHL_NO_OPTIONS: u8 = 0x45;

/// The common IPv4 header in one step, for the fast path of [`super::fast`]: IHL 5, a total
/// length that covers the header, not a fragment. Fills `d` as [`parse`] would and returns the L4
/// offset and the end of the readable L4 bytes, or `None` for any other header (options, a length
/// of 0, a fragment, wrong version, cut off), which [`parse`] handles.
#[inline(always)]
pub(crate) fn parse_fast(frame: &[u8], off: usize, d: &mut Dissected) -> Option<(usize, usize)> {
    let h: &[u8; MIN_LEN] = bytes(frame, off)?;
    let (total, protocol) = fast_len_protocol(h)?;
    let total = usize::from(total);
    d.ip_version = 4;
    d.src[..4].copy_from_slice(&h[field::SRC]);
    d.dst[..4].copy_from_slice(&h[field::DST]);
    d.protocol = protocol;
    d.bytes = total as u64;
    Some((off + MIN_LEN, frame.len().min(off + total)))
}
