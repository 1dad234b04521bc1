//! The flow key (SPEC §3): what makes two packets the same unidirectional flow.

pub use crate::frame::{Action, Direction};

/// A unidirectional flow key. `Copy`, 48 bytes, no padding, so that it hashes and compares as six
/// words.
///
/// IPv4 addresses fill the first 4 bytes of `src`/`dst`; the rest stay zero.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub struct FlowKey {
    /// Source address.
    pub src: [u8; 16],
    /// Destination address.
    pub dst: [u8; 16],
    /// Observation point: the interface (or ENI index) the packet was seen on.
    pub observation_point: u32,
    /// Tunnel id when `key_tunnel` is on, else 0.
    pub tunnel_id: u32,
    /// Source port (0 when none).
    pub src_port: u16,
    /// Destination port (0 when none).
    pub dst_port: u16,
    /// VLAN id when `key_vlan` is on, else 0.
    pub vlan: u16,
    /// IP protocol number.
    pub protocol: u8,
    /// Bits 0–1 direction, bit 2 action, bit 3 set for IPv6 ([`pack`]).
    pub(crate) packed: u8,
}

/// Which of a packet's ids enter its key (`Config::key_vlan`, `Config::key_tunnel`): all ones
/// or zero.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyMasks {
    vlan: u16,
    tunnel_id: u32,
}

impl KeyMasks {
    /// The masks for these settings.
    pub(crate) fn new(key_vlan: bool, key_tunnel: bool) -> KeyMasks {
        KeyMasks { vlan: if key_vlan { !0 } else { 0 }, tunnel_id: if key_tunnel { !0 } else { 0 } }
    }

    /// What a packet's tunnel id puts in its key: the id, or 0 when tunnel ids are not keyed.
    #[inline(always)]
    pub(crate) fn tunnel_id(&self, tunnel_id: u32) -> u32 {
        tunnel_id & self.tunnel_id
    }

    /// What a packet's VLAN id puts in its key: the id, or 0 when VLAN ids are not keyed.
    #[inline(always)]
    pub(crate) fn vlan(&self, vlan: u16) -> u16 {
        vlan & self.vlan
    }
}

const ACTION_BIT: u8 = 1 << 2;
const IPV6_BIT: u8 = 1 << 3;

/// A key's `packed` byte: the direction, then the action and IP-version bits.
#[inline(always)]
pub(crate) fn pack(direction: Direction, action: Action, ip_version: u8) -> u8 {
    let mut packed = direction as u8;
    if action == Action::Reject {
        packed |= ACTION_BIT;
    }
    if ip_version == 6 {
        packed |= IPV6_BIT;
    }
    packed
}

impl FlowKey {
    /// The all-zero key (an unused slot).
    pub const ZERO: FlowKey = FlowKey {
        src: [0; 16],
        dst: [0; 16],
        observation_point: 0,
        tunnel_id: 0,
        src_port: 0,
        dst_port: 0,
        vlan: 0,
        protocol: 0,
        packed: 0,
    };

    /// 4 or 6.
    #[inline]
    pub fn ip_version(&self) -> u8 {
        if self.packed & IPV6_BIT != 0 {
            6
        } else {
            4
        }
    }

    /// The direction relative to the ENI.
    #[inline]
    pub fn direction(&self) -> Direction {
        Direction::from_bits(self.packed)
    }

    /// The verdict.
    #[inline]
    pub fn action(&self) -> Action {
        if self.packed & ACTION_BIT != 0 {
            Action::Reject
        } else {
            Action::Accept
        }
    }

    /// Source address as a std type.
    pub fn src_addr(&self) -> std::net::IpAddr {
        addr(&self.src, self.ip_version())
    }

    /// Destination address as a std type.
    pub fn dst_addr(&self) -> std::net::IpAddr {
        addr(&self.dst, self.ip_version())
    }

    /// The key as six native words, for hashing.
    #[inline]
    pub(crate) fn words(&self) -> [u64; 6] {
        // SAFETY: FlowKey is repr(C), 48 bytes with no padding (asserted below), and every bit
        // pattern of [u64; 6] is valid; reading it as words is a plain copy.
        unsafe { core::mem::transmute_copy::<FlowKey, [u64; 6]>(self) }
    }
}

const _: () = assert!(core::mem::size_of::<FlowKey>() == 48);

impl PartialEq for FlowKey {
    /// Six word compares instead of ten field compares: the table compares keys on every packet.
    /// Folded with XOR/OR rather than `[u64; 6] == [u64; 6]`, which compiles to a `memcmp` call.
    #[inline]
    fn eq(&self, other: &FlowKey) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use core::arch::x86_64::{
                __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8,
            };
            let (a, b) =
                (self as *const FlowKey as *const __m128i, other as *const FlowKey as *const __m128i);
            // SAFETY: each key is 48 readable bytes (size asserted below), i.e. three 16-byte
            // lanes at offsets 0, 16 and 32; `_mm_loadu_si128` has no alignment requirement, and
            // SSE2 is part of the x86-64 baseline.
            let all = unsafe {
                let e0 = _mm_cmpeq_epi8(_mm_loadu_si128(a), _mm_loadu_si128(b));
                let e1 = _mm_cmpeq_epi8(_mm_loadu_si128(a.add(1)), _mm_loadu_si128(b.add(1)));
                let e2 = _mm_cmpeq_epi8(_mm_loadu_si128(a.add(2)), _mm_loadu_si128(b.add(2)));
                _mm_movemask_epi8(_mm_and_si128(_mm_and_si128(e0, e1), e2))
            };
            all == 0xffff
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let (a, b) = (self.words(), other.words());
            (0..6).fold(0, |acc, i| acc | (a[i] ^ b[i])) == 0
        }
    }
}

impl Eq for FlowKey {}

impl core::hash::Hash for FlowKey {
    /// Consistent with `eq`: the same six words.
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.words().hash(state);
    }
}

fn addr(b: &[u8; 16], version: u8) -> std::net::IpAddr {
    if version == 6 {
        std::net::IpAddr::V6(std::net::Ipv6Addr::from(*b))
    } else {
        std::net::IpAddr::V4(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    }
}

/// Seeded hash of a key: folded multiplies of word pairs (foldhash's construction).
///
/// Hand-rolled: the key is six fixed words, so pairing them into 64×64→128-bit multiplies costs
/// a few nanoseconds, less than a general `Hasher` fed field by field; the per-meter seed keeps
/// crafted traffic from aiming at one bucket. An IPv4 key's addresses fill one word between them
/// (the rest of its address words is zero), so it takes two multiplies instead of four.
#[inline]
pub fn hash_key(key: &FlowKey, seed: u64) -> u64 {
    HashKeys::new(seed).hash(key)
}

/// The constants [`hash_key`] mixes into the six words of a key, with the seed folded in once:
/// a table hashes every packet's key with one seed, and loading a prepared word costs less than
/// building a 64-bit constant and mixing the seed into it each time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HashKeys([u64; 6]);

const K: [u64; 6] = [
    0x243F_6A88_85A3_08D3,
    0x1319_8A2E_0370_7344,
    0xA409_3822_299F_31D0,
    0x082E_FA98_EC4E_6C89,
    0x4528_21E6_38D0_1377,
    0xBE54_66CF_34E9_0C6C,
];

impl HashKeys {
    /// The constants for `seed`.
    pub(crate) fn new(seed: u64) -> HashKeys {
        HashKeys([K[0] ^ seed, K[1], K[2], K[3] ^ seed, K[4] ^ seed, K[5]])
    }

    /// [`hash_key`] of `key` with this seed.
    #[inline]
    pub(crate) fn hash(&self, key: &FlowKey) -> u64 {
        let (w, k) = (key.words(), &self.0);
        if key.packed & IPV6_BIT == 0 {
            // The first 4 bytes of each address, the only ones an IPv4 key sets.
            let [s0, s1, s2, s3, ..] = key.src;
            let [d0, d1, d2, d3, ..] = key.dst;
            let addrs = u64::from_ne_bytes([s0, s1, s2, s3, d0, d1, d2, d3]);
            let a = fold_mul(addrs ^ k[0], w[5] ^ k[1]);
            return fold_mul(a ^ w[4] ^ k[4], K[5]);
        }
        let a = fold_mul(w[0] ^ k[0], w[1] ^ k[1]);
        let b = fold_mul(w[2] ^ k[2], w[3] ^ k[3]);
        let c = fold_mul(w[4] ^ k[4], w[5] ^ k[5]);
        fold_mul(a ^ c, b ^ K[0])
    }
}

#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let r = (a as u128) * (b as u128);
    (r as u64) ^ ((r >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dissected;

    fn dissected(v: u8) -> Dissected {
        let mut d = Dissected::EMPTY;
        d.ip_version = v;
        d.src[..4].copy_from_slice(&[10, 0, 0, 1]);
        d.dst[..4].copy_from_slice(&[10, 0, 0, 2]);
        d.protocol = 6;
        d.src_port = 1234;
        d.dst_port = 80;
        d.vlan = 7;
        d.tunnel_id = 99;
        d
    }

    #[test]
    fn key_keeps_direction_action_and_version() {
        let k = FlowKey::new(&dissected(4), 3, Direction::Out, Action::Reject, false, false);
        assert_eq!(k.direction(), Direction::Out);
        assert_eq!(k.action(), Action::Reject);
        assert_eq!(k.ip_version(), 4);
        assert_eq!(k.src_addr().to_string(), "10.0.0.1");
        assert_eq!((k.vlan, k.tunnel_id), (0, 0), "vlan and tunnel id are off by default");
    }

    #[test]
    fn vlan_and_tunnel_enter_the_key_only_when_asked() {
        let k = FlowKey::new(&dissected(4), 0, Direction::In, Action::Accept, true, true);
        assert_eq!((k.vlan, k.tunnel_id), (7, 99));
    }

    #[test]
    fn keys_are_equal_exactly_when_every_field_is() {
        let a = FlowKey::new(&dissected(6), 3, Direction::In, Action::Accept, true, true);
        assert_eq!(a, a.clone());
        let changes: [fn(&mut FlowKey); 13] = [
            |k| k.src[0] ^= 1,
            |k| k.src[15] ^= 0x80,
            |k| k.dst[0] ^= 1,
            |k| k.dst[7] ^= 1,
            |k| k.dst[15] ^= 0x80,
            |k| k.observation_point ^= 1 << 31,
            |k| k.tunnel_id ^= 1,
            |k| k.src_port ^= 1,
            |k| k.dst_port ^= 0x8000,
            |k| k.vlan ^= 1,
            |k| k.protocol ^= 1,
            |k| k.packed ^= ACTION_BIT,
            |k| k.packed ^= 0x80,
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut b = a;
            change(&mut b);
            assert_ne!(a, b, "change {i}");
            assert_ne!(b, a, "change {i}");
        }
    }

    #[test]
    fn different_keys_hash_differently_and_seed_matters() {
        let a = FlowKey::new(&dissected(4), 0, Direction::In, Action::Accept, false, false);
        let mut b = a;
        b.src_port = 1235;
        assert_ne!(hash_key(&a, 1), hash_key(&b, 1));
        assert_ne!(hash_key(&a, 1), hash_key(&a, 2));
        assert_eq!(hash_key(&a, 1), hash_key(&a, 1));
    }

    /// Every field an IPv4 or IPv6 key sets enters its hash (IPv4 keys take a shorter formula).
    #[test]
    fn every_field_of_a_key_enters_its_hash() {
        // A change, and whether an IPv4 key can have it.
        type Change = (fn(&mut FlowKey), bool);
        let changes: [Change; 13] = [
            (|k| k.src[0] ^= 1, true),
            (|k| k.src[3] ^= 0x80, true),
            (|k| k.src[15] ^= 0x80, false),
            (|k| k.dst[0] ^= 1, true),
            (|k| k.dst[3] ^= 0x80, true),
            (|k| k.dst[8] ^= 1, false),
            (|k| k.observation_point ^= 1 << 31, true),
            (|k| k.tunnel_id ^= 1, true),
            (|k| k.src_port ^= 1, true),
            (|k| k.dst_port ^= 0x8000, true),
            (|k| k.vlan ^= 1, true),
            (|k| k.protocol ^= 1, true),
            (|k| k.packed ^= ACTION_BIT, true),
        ];
        for v in [4, 6] {
            let a = FlowKey::new(&dissected(v), 3, Direction::In, Action::Accept, true, true);
            for (i, (change, in_ipv4)) in changes.iter().enumerate() {
                if v == 4 && !in_ipv4 {
                    continue;
                }
                let mut b = a;
                change(&mut b);
                for seed in [0, 1, u64::MAX] {
                    assert_ne!(hash_key(&a, seed), hash_key(&b, seed), "IPv{v}, change {i}, seed {seed}");
                }
            }
        }
    }
}
