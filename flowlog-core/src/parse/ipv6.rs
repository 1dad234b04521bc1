//! IPv6 header and its extension-header chain (RFC 8200; SPEC §2, "IPv6").

use super::{be16, be32, byte, bytes, Dissected, Frag, Notes, Skip, L3};

/// Field offsets inside the fixed 40-byte header.
mod field {
    use core::ops::Range;
    /// Version (high nibble), traffic class, flow label.
    pub const VERSION: usize = 0;
    pub const PAYLOAD_LEN: Range<usize> = 4..6;
    pub const NEXT_HEADER: usize = 6;
    pub const SRC: Range<usize> = 8..24;
    pub const DST: Range<usize> = 24..40;
}

/// Field offsets inside the 8-byte fragment header.
mod frag_field {
    use core::ops::Range;
    pub const NEXT_HEADER: usize = 0;
    pub const OFFSET_FLAGS: Range<usize> = 2..4;
    pub const IDENT: Range<usize> = 4..8;
}

/// Length of the fixed header.
pub(crate) const HEADER_LEN: usize = field::DST.end;

const HOP_BY_HOP: u8 = 0;
const ROUTING: u8 = 43;
const FRAGMENT: u8 = 44;
const DEST_OPTS: u8 = 60;
const AH: u8 = 51;
const MOBILITY: u8 = 135;
const HIP: u8 = 139;
const SHIM6: u8 = 140;
/// The Jumbo Payload option (RFC 2675).
const JUMBO_OPTION: u8 = 0xc2;

/// Parse the IPv6 header at `off` (its version nibble already checked) and walk its extension
/// chain into `d`.
///
/// A header that does not fit in the captured bytes or in the payload length stops the walk: the
/// protocol is that header's type, ports stay 0, and `BAD_IPV6_CHAIN` is noted (SPEC §2).
///
/// # Errors
/// [`Skip::BadIpHeader`] when the 40-byte fixed header was not captured.
#[inline]
pub(crate) fn parse(frame: &[u8], off: usize, orig_len: u32, d: &mut Dissected) -> Result<L3, Skip> {
    let h: &[u8; HEADER_LEN] = bytes(frame, off).ok_or(Skip::BadIpHeader)?;
    d.ip_version = 6;
    d.src.copy_from_slice(&h[field::SRC]);
    d.dst.copy_from_slice(&h[field::DST]);
    let payload_len = usize::from(be16(&h[field::PAYLOAD_LEN]));
    let mut nh = h[field::NEXT_HEADER];
    let mut p = off + HEADER_LEN;
    // Bound of the chain and of L4 reads: the captured end and the end by the payload length.
    let mut end = if payload_len == 0 { frame.len() } else { frame.len().min(p + payload_len) };
    let mut jumbo: Option<u32> = None;
    let mut frag = Frag::None;
    let mut complete = true;
    loop {
        let len = match nh {
            HOP_BY_HOP | ROUTING | DEST_OPTS | MOBILITY | HIP | SHIM6 => {
                byte(frame, p + 1).filter(|_| p + 2 <= end).map(|l| (usize::from(l) + 1) * 8)
            }
            AH => byte(frame, p + 1).filter(|_| p + 2 <= end).map(|l| (usize::from(l) + 2) * 4),
            FRAGMENT => Some(8),
            // Upper layer, ESP (50) or no next header (59): the chain ends.
            _ => break,
        };
        let Some(len) = len.filter(|&l| p + l <= end) else {
            complete = false;
            break;
        };
        if nh == HOP_BY_HOP && p == off + HEADER_LEN && payload_len == 0 {
            jumbo = jumbo_length(frame, p, len);
            if let Some(j) = jumbo {
                end = frame.len().min(p + j as usize);
            }
        }
        if nh == FRAGMENT {
            let Some(f) = bytes::<8>(frame, p) else {
                complete = false;
                break;
            };
            let next = f[frag_field::NEXT_HEADER];
            let of = be16(&f[frag_field::OFFSET_FLAGS]);
            let id = be32(&f[frag_field::IDENT]);
            if of >> 3 != 0 {
                // Non-first fragment: no L4 header; the protocol is the fragment header's.
                d.protocol = next;
                set_bytes(d, payload_len, jumbo, orig_len, off);
                return Ok(L3 {
                    l4_off: p + 8,
                    end,
                    l4_readable: false,
                    frag: Frag::NonFirst { id, protocol: next },
                });
            }
            if of & 1 != 0 {
                frag = Frag::First { id, protocol: next };
            }
            // Offset 0 without M: an atomic fragment, a plain packet.
        }
        nh = byte(frame, p).unwrap_or(nh);
        p += len;
    }
    d.protocol = nh;
    set_bytes(d, payload_len, jumbo, orig_len, off);
    if !complete {
        d.notes.insert(Notes::BAD_IPV6_CHAIN);
    }
    Ok(L3 { l4_off: p, end, l4_readable: complete, frag })
}

/// The common IPv6 header in one step, for the fast path of [`super::fast`]: a non-zero
/// payload length and an upper-layer next header (no extension header). Fills `d` as [`parse`]
/// would and returns the L4 offset and the end of the readable L4 bytes, or `None` for any other
/// header (extension chain, jumbogram, length 0, wrong version, cut off), which [`parse`] handles.
#[inline(always)]
pub(crate) fn parse_fast(frame: &[u8], off: usize, d: &mut Dissected) -> Option<(usize, usize)> {
    let h: &[u8; HEADER_LEN] = bytes(frame, off)?;
    let (payload_len, nh) = fast_len_next_header(h)?;
    let payload_len = usize::from(payload_len);
    d.ip_version = 6;
    d.src.copy_from_slice(&h[field::SRC]);
    d.dst.copy_from_slice(&h[field::DST]);
    d.protocol = nh;
    d.bytes = (HEADER_LEN + payload_len) as u64;
    let l4_off = off + HEADER_LEN;
    Some((l4_off, frame.len().min(l4_off + payload_len)))
}

/// The fixed header `h` when it is the fast path's shape ([`parse_fast`]: a non-zero payload
/// length, no extension header): its payload length and next header, else `None`.
#[inline(always)]
pub(crate) fn fast_len_next_header(h: &[u8; HEADER_LEN]) -> Option<(u16, u8)> {
    let payload_len = be16(&h[field::PAYLOAD_LEN]);
    let nh = h[field::NEXT_HEADER];
    let plain = h[field::VERSION] >> 4 == 6 && payload_len != 0 && !is_extension(nh);
    plain.then_some((payload_len, nh))
}

/// Source and destination addresses of the fixed header `h`.
#[inline(always)]
pub(crate) fn addrs(h: &[u8; HEADER_LEN]) -> ([u8; 16], [u8; 16]) {
    let src = h[field::SRC].try_into().unwrap_or_default();
    let dst = h[field::DST].try_into().unwrap_or_default();
    (src, dst)
}

/// Whether `nh` names an extension header that [`parse`] walks (and the fast path leaves to it).
#[inline(always)]
fn is_extension(nh: u8) -> bool {
    matches!(nh, HOP_BY_HOP | ROUTING | FRAGMENT | DEST_OPTS | AH | MOBILITY | HIP | SHIM6)
}

/// Bytes by the length fields: 40 + payload length, or 40 + the jumbo length, else from `orig_len`.
#[inline]
fn set_bytes(d: &mut Dissected, payload_len: usize, jumbo: Option<u32>, orig_len: u32, off: usize) {
    d.bytes = if payload_len != 0 {
        (HEADER_LEN + payload_len) as u64
    } else if let Some(j) = jumbo {
        HEADER_LEN as u64 + u64::from(j)
    } else {
        d.notes.insert(Notes::BAD_LENGTH);
        u64::from(orig_len).saturating_sub(off as u64)
    };
}

/// The Jumbo Payload option's length in the hop-by-hop header at `p` (`len` bytes, captured).
fn jumbo_length(frame: &[u8], p: usize, len: usize) -> Option<u32> {
    let opts = frame.get(p + 2..p + len)?;
    let mut i = 0;
    while let Some(&t) = opts.get(i) {
        if t == 0 {
            i += 1; // Pad1
            continue;
        }
        let olen = usize::from(*opts.get(i + 1)?);
        if t == JUMBO_OPTION && olen == 4 {
            return opts.get(i + 2..i + 6).map(be32);
        }
        i += 2 + olen;
    }
    None
}
