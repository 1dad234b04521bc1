//! Tier 3, the walk: every frame, one header per step (see the guide in `parse/mod.rs`).
//!
//! A loop over [`Next`] steps: each step reads one header at the cursor and says what follows it.
//! An IP header produces a candidate summary; in decap mode `all` a tunnel behind it continues the
//! walk, and any later failure (non-IP payload, cut-off or unusable inner header) returns the last
//! candidate: the packet is keyed on its innermost usable IP header (SPEC §2, Tunnels).

use super::frag::{FragKey, FragTable};
use super::udp_tunnels::tunnel_after;
use super::{
    ipv4, ipv6, l4, link, shim, tunnel, Captured, Dissected, Frag, Ids, Next, Notes, Resume, Settings, Skip,
};
use crate::config::Decap;
use crate::frame::LinkType;

/// The walk from the start of a frame of link type `link`; `d` must be [`Dissected::EMPTY`].
pub(crate) fn walk(
    link: LinkType,
    packet: Captured<'_>,
    settings: Settings<'_>,
    frags: &mut FragTable,
    d: &mut Dissected,
) -> Result<(), Skip> {
    let (off, next) = link::start(link, packet.data)?;
    walk_from(Resume { off, next, ids: Ids::default() }, false, packet, settings, frags, d)
}

/// The walk from `at`; `keyed` says whether `d` holds a candidate (the summary of the innermost
/// usable IP header so far, as the fast path hands it over), else `d` must be
/// [`Dissected::EMPTY`]. Out of line: the fast path's callers stay small.
#[inline(never)]
pub(crate) fn walk_from(
    at: Resume,
    mut keyed: bool,
    packet: Captured<'_>,
    settings: Settings<'_>,
    frags: &mut FragTable,
    d: &mut Dissected,
) -> Result<(), Skip> {
    let Resume { mut off, mut next, mut ids } = at;
    let frame = packet.data;
    loop {
        let step = match next {
            Next::Ethernet => shim::ethernet(frame, off),
            Next::EtherType(et) => shim::ethertype(frame, off, et, &mut ids),
            Next::Llc => shim::llc(frame, off),
            Next::Mpls => shim::mpls(frame, off),
            Next::Ppp => shim::ppp(frame, off),
            Next::Wifi => link::wifi(frame, off),
            Next::Gre => tunnel::gre(frame, off, &mut ids),
            Next::Vxlan => tunnel::vxlan(frame, off, &mut ids),
            Next::Geneve => tunnel::geneve(frame, off, &mut ids),
            Next::Gtp => tunnel::gtp_u(frame, off, &mut ids),
            Next::Teredo => tunnel::teredo(frame, off),
            Next::Ip(version) => {
                let tunnel = if keyed {
                    // An inner header must not clobber the candidate unless it is usable: parse it
                    // aside (tunnelled packets only pay this copy).
                    let mut inner = Dissected::EMPTY;
                    let t = ip(packet, off, version, settings, frags, &mut inner);
                    if t.is_ok() {
                        *d = inner;
                    }
                    t
                } else {
                    ip(packet, off, version, settings, frags, d)
                };
                match tunnel {
                    Ok(tunnel) => {
                        keyed = true;
                        match tunnel {
                            Some(step) if settings.config.decap == Decap::All => Ok(step),
                            _ => break,
                        }
                    }
                    Err(skip) => Err(skip),
                }
            }
        };
        match step {
            Ok((o, n)) => {
                off = o;
                next = n;
            }
            // A failure behind a usable IP header ends the walk on that header (SPEC §2, Tunnels).
            Err(skip) => {
                if keyed {
                    break;
                }
                return Err(skip);
            }
        }
    }
    d.vlan = ids.vlan;
    d.tunnel_id = ids.tunnel_id;
    Ok(())
}

/// Dissect one IP header (any version, `0` = decide by the version nibble) and its L4 header into
/// `d`, which must be [`Dissected::EMPTY`] on entry.
///
/// Returns, when its payload is a tunnel, where the walk goes on.
#[inline]
fn ip(
    packet: Captured<'_>,
    off: usize,
    version: u8,
    settings: Settings<'_>,
    frags: &mut FragTable,
    d: &mut Dissected,
) -> Result<Option<(usize, Next)>, Skip> {
    let (frame, orig_len, ts_ns) = (packet.data, packet.orig_len, packet.ts_ns);
    let first = *frame.get(off).ok_or(Skip::BadIpHeader)?;
    let nibble = first >> 4;
    if version != 0 && nibble != version {
        return Err(Skip::BadIpHeader);
    }
    let l3 = match nibble {
        4 => ipv4::parse(frame, off, orig_len, d)?,
        6 => ipv6::parse(frame, off, orig_len, d)?,
        _ => return Err(Skip::BadIpHeader),
    };
    match l3.frag {
        Frag::NonFirst { id, protocol } => {
            // No L4 header here: take the first fragment's ports, or none (SPEC §2, Fragments).
            let key = FragKey::new(d, protocol, id);
            match frags.ports(&key, ts_ns) {
                Some((s, p)) => {
                    d.src_port = s;
                    d.dst_port = p;
                }
                None => d.notes.insert(Notes::ORPHAN_FRAGMENT),
            }
            return Ok(None);
        }
        Frag::None | Frag::First { .. } if !l3.l4_readable => return Ok(None),
        Frag::None | Frag::First { .. } => {}
    }
    let l4_off = l3.l4_off;
    l4::ports(frame, l4_off, l3.end, settings.config.icmp_in_ports, d);
    if let Frag::First { id, protocol } = l3.frag {
        frags.remember(&FragKey::new(d, protocol, id), (d.src_port, d.dst_port), ts_ns);
    }
    Ok(tunnel_after(d, l4_off, settings))
}
