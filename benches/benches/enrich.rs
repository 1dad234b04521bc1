//! Enrichment lookups (SPEC §7.6) over 100K prefixes of each family.
//!
//! `cidr_blocks` tables of 100K random IPv4 prefixes (/8 to /32) and 100K random IPv6 prefixes
//! (/16 to /64), loaded through the CSV parser as a topology's would be; each iteration looks up
//! 4096 addresses, half inside a random prefix, half anywhere. Throughput in Melem/s = million
//! lookups per second. `Enrichment::lookup` runs the three tables (blocks, threats, geo) at once.
//!
//! `cargo bench -p flowlog-benches --bench enrich`

use std::fmt::Write as _;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flowlog_core::enrich::{CidrBlocks, Enrichment, Geo, ThreatIntel};

const PREFIXES: usize = 100_000;
const LOOKUPS: usize = 4096;

/// xorshift64*: reproducible inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `PREFIXES` random networks of one family as `(first address, prefix length)`.
fn v4_prefixes(rng: &mut Rng) -> Vec<(u32, u32)> {
    (0..PREFIXES)
        .map(|_| {
            let len = 8 + rng.below(25) as u32;
            let addr = rng.next() as u32;
            (addr & (u32::MAX << (32 - len)), len)
        })
        .collect()
}

fn v6_prefixes(rng: &mut Rng) -> Vec<(u128, u32)> {
    (0..PREFIXES)
        .map(|_| {
            let len = 16 + rng.below(49) as u32;
            let addr = (u128::from(rng.next()) << 64) | u128::from(rng.next());
            (addr & (u128::MAX << (128 - len)), len)
        })
        .collect()
}

/// A CSV line per prefix, `value(i)` as its second field.
fn csv(v4: &[(u32, u32)], v6: &[(u128, u32)], value: impl Fn(usize) -> String) -> String {
    let mut text = String::new();
    for (i, &(addr, len)) in v4.iter().enumerate() {
        let _ = writeln!(text, "{}/{len},{}", Ipv4Addr::from(addr), value(i));
    }
    for (i, &(addr, len)) in v6.iter().enumerate() {
        let _ = writeln!(text, "{}/{len},{}", Ipv6Addr::from(addr), value(v4.len() + i));
    }
    text
}

/// Addresses to look up: half inside a random prefix, half anywhere.
fn v4_probes(rng: &mut Rng, prefixes: &[(u32, u32)]) -> Vec<IpAddr> {
    (0..LOOKUPS)
        .map(|i| {
            let random = rng.next() as u32;
            let addr = if i % 2 == 0 {
                let (first, len) = prefixes[rng.below(prefixes.len() as u64) as usize];
                first | (random & u32::MAX.checked_shr(len).unwrap_or(0))
            } else {
                random
            };
            IpAddr::V4(addr.into())
        })
        .collect()
}

fn v6_probes(rng: &mut Rng, prefixes: &[(u128, u32)]) -> Vec<IpAddr> {
    (0..LOOKUPS)
        .map(|i| {
            let random = (u128::from(rng.next()) << 64) | u128::from(rng.next());
            let addr = if i % 2 == 0 {
                let (first, len) = prefixes[rng.below(prefixes.len() as u64) as usize];
                first | (random & u128::MAX.checked_shr(len).unwrap_or(0))
            } else {
                random
            };
            IpAddr::V6(addr.into())
        })
        .collect()
}

fn enrich(c: &mut Criterion) {
    let mut rng = Rng(0x00e1_1c4e);
    let v4 = v4_prefixes(&mut rng);
    let v6 = v6_prefixes(&mut rng);
    let blocks = CidrBlocks::parse("bench.blocks.csv", csv(&v4, &v6, |i| format!("b{i}")).as_bytes())
        .expect("generated blocks load");
    let v4_addrs = v4_probes(&mut rng, &v4);
    let v6_addrs = v6_probes(&mut rng, &v6);

    let mut group = c.benchmark_group("enrich");
    group.throughput(Throughput::Elements(LOOKUPS as u64));
    for (name, addrs) in [("blocks_v4_100k", &v4_addrs), ("blocks_v6_100k", &v6_addrs)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut found = 0usize;
                for &addr in addrs {
                    found += usize::from(blocks.lookup(black_box(addr)).is_some());
                }
                found
            })
        });
    }

    // All three tables, each with 100K prefixes per family.
    let threats = csv(&v4, &v6, |i| format!("SBL{i}")).replace(',', " ; ");
    let country = |i: usize| {
        let letters = [b'A' + (i % 26) as u8, b'A' + (i / 26 % 26) as u8];
        String::from_utf8_lossy(&letters).into_owned()
    };
    let enrichment = Enrichment {
        blocks: Some(blocks.clone()),
        threats: Some(ThreatIntel::parse([("bench.drop.txt", threats.as_bytes())]).expect("threats load")),
        geo: Some(Geo::parse_csv("bench.geo.csv", csv(&v4, &v6, country).as_bytes()).expect("geo loads")),
    };
    let mixed: Vec<IpAddr> =
        v4_addrs.iter().zip(&v6_addrs).flat_map(|(a, b)| [*a, *b]).take(LOOKUPS).collect();
    group.bench_function("enrichment_mixed_100k", |b| {
        b.iter(|| {
            let mut found = 0usize;
            for &addr in &mixed {
                let r = enrichment.lookup(black_box(addr));
                found += usize::from(r.block.is_some()) + usize::from(r.country.is_some());
            }
            found
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = enrich
}
criterion_main!(benches);
