//! Which UDP datagrams carry a tunnel: the configured port lists, and their summary that lets the
//! commonest datagrams through without a scan of the lists.

use super::{l4, Dissected, Next, Notes, Settings};
use crate::config::{PortList, TunnelPorts};

/// The UDP tunnel port lists summarised as two 1024-bit sets (a one-hash Bloom filter): a UDP
/// datagram whose ports miss both is no tunnel, decided in a few instructions instead of a scan of
/// six lists; a hit is confirmed by [`udp_tunnel`]. Built once per meter from its configuration.
/// 1024 bits rather than 64: with the default lists' seven ports, 64 bits let one UDP datagram in
/// nine past the direct path on a false hit, 1024 bits one in a hundred and fifty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TunnelFilter {
    /// Every destination port of every list.
    dst: [u64; FILTER_WORDS],
    /// The source ports that mark a tunnel (Teredo's).
    src: [u64; FILTER_WORDS],
}

/// Words of a [`TunnelFilter`] set.
const FILTER_WORDS: usize = 16;

impl TunnelFilter {
    /// No summary: every UDP datagram is checked against the lists.
    pub(crate) const CHECK_EVERY_PORT: TunnelFilter =
        TunnelFilter { dst: [!0; FILTER_WORDS], src: [!0; FILTER_WORDS] };

    /// The summary of `ports`.
    pub(crate) fn new(ports: &TunnelPorts) -> TunnelFilter {
        let set = |lists: &[&PortList]| {
            let mut words = [0u64; FILTER_WORDS];
            for &p in lists.iter().flat_map(|l| l.as_slice()) {
                let (w, bit) = Self::slot(p);
                words[w] |= bit;
            }
            words
        };
        TunnelFilter {
            dst: set(&[
                &ports.vxlan,
                &ports.geneve,
                &ports.gtp_u,
                &ports.mpls_udp,
                &ports.gre_udp,
                &ports.teredo,
            ]),
            src: set(&[&ports.teredo]),
        }
    }

    /// A port's word and bit: the top 10 bits of a multiplicative hash, so that well-known ports
    /// that share their low bits with a tunnel port (53 and 4789) fall apart.
    #[inline(always)]
    fn slot(port: u16) -> (usize, u64) {
        let h = usize::from(port.wrapping_mul(0x9e37) >> 6);
        ((h >> 6) % FILTER_WORDS, 1 << (h & 63))
    }

    /// Whether a datagram with these ports may be a tunnel (no false negatives).
    #[inline(always)]
    pub(crate) fn may_match(&self, src: u16, dst: u16) -> bool {
        let ((dw, db), (sw, sb)) = (Self::slot(dst), Self::slot(src));
        (self.dst[dw] & db) | (self.src[sw] & sb) != 0
    }
}

/// Which tunnel a UDP datagram carries: by destination port, Teredo by either port.
#[inline]
fn udp_tunnel(ports: &TunnelPorts, src: u16, dst: u16) -> Option<Next> {
    if ports.vxlan.contains(dst) {
        Some(Next::Vxlan)
    } else if ports.geneve.contains(dst) {
        Some(Next::Geneve)
    } else if ports.gtp_u.contains(dst) {
        Some(Next::Gtp)
    } else if ports.mpls_udp.contains(dst) {
        Some(Next::Mpls)
    } else if ports.gre_udp.contains(dst) {
        Some(Next::Gre)
    } else if ports.teredo.contains(dst) || ports.teredo.contains(src) {
        Some(Next::Teredo)
    } else {
        None
    }
}

/// The tunnel an IP packet summarised in `d` (L4 header at `l4_off`) carries, and where it starts.
#[inline(always)]
pub(crate) fn tunnel_after(d: &Dissected, l4_off: usize, settings: Settings<'_>) -> Option<(usize, Next)> {
    match d.protocol {
        l4::IPIP => Some((l4_off, Next::Ip(4))),
        l4::IPV6_IN_IP => Some((l4_off, Next::Ip(6))),
        l4::GRE => Some((l4_off, Next::Gre)),
        l4::UDP
            if !d.notes.contains(Notes::TRUNCATED_L4)
                && settings.tunnels.may_match(d.src_port, d.dst_port) =>
        {
            udp_tunnel(&settings.config.tunnel_ports, d.src_port, d.dst_port)
                .map(|n| (l4_off + l4::UDP_LEN, n))
        }
        _ => None,
    }
}
