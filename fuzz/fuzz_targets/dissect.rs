//! Any bytes on any link type: `dissect` returns without panicking, and a metered packet's
//! fields are consistent (IP version 4 or 6, IPv4 addresses fit in 4 bytes).
#![no_main]

use flowlog_core::parse::dissect;
use flowlog_core::parse::FragTable;
use flowlog_core::{Config, Decap, LinkType};
use libfuzzer_sys::fuzz_target;

const LINKS: [u32; 17] = [0, 1, 9, 12, 14, 50, 101, 104, 105, 108, 113, 127, 228, 229, 276, 147, 65535];

fuzz_target!(|input: &[u8]| {
    let Some((&selector, frame)) = input.split_first() else { return };
    let link = LinkType(LINKS[selector as usize % LINKS.len()]);
    let decap = if selector & 0x80 != 0 { Decap::None } else { Decap::All };
    let config = Config { decap, ..Config::default() };
    let mut frags = FragTable::new(8);
    if let Ok(d) = dissect(link, frame, frame.len() as u32, 0, &config, &mut frags) {
        assert!(d.ip_version == 4 || d.ip_version == 6);
        if d.ip_version == 4 {
            assert!(d.src[4..].iter().all(|&b| b == 0) && d.dst[4..].iter().all(|&b| b == 0));
        }
        assert!(d.tcp_flags < 0x200);
    }
});
