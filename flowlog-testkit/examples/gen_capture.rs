//! Write a synthetic VPC capture (classic pcap, Ethernet) with the testkit's generator.
//!
//! ```text
//! cargo run --release -p flowlog-testkit --example gen_capture -- \
//!     OUT.pcap --packets N --flows F --seed S [--imix] [--min64] [--snaplen L] [--minutes M]
//! ```
//!
//! Prints the ground truth (frames, flows, IP bytes) so a run of `flowlog` on the file can be
//! checked against it.

use std::fs::File;
use std::process::ExitCode;

use flowlog_testkit::{write_pcap, FrameSize, TrafficSpec};

fn usage() -> ExitCode {
    eprintln!(
        "usage: gen_capture OUT.pcap [--packets N] [--flows F] [--seed S] [--imix | --min64 | --size BYTES]\n\
         \x20                 [--snaplen L] [--minutes M] [--v6 FRAC] [--vlan FRAC] [--vxlan FRAC] [--frag FRAC]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = None;
    let mut spec = TrafficSpec {
        packets: 1_000_000,
        flows: 50_000,
        frame_size: FrameSize::Min64,
        ..TrafficSpec::default()
    };
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = || {
            i += 1;
            args.get(i).cloned()
        };
        let ok = match a {
            "--imix" => {
                spec.frame_size = FrameSize::Imix;
                true
            }
            "--min64" => {
                spec.frame_size = FrameSize::Min64;
                true
            }
            "--packets" => value().and_then(|v| v.parse().ok()).map(|v| spec.packets = v).is_some(),
            "--flows" => value().and_then(|v| v.parse().ok()).map(|v| spec.flows = v).is_some(),
            "--seed" => value().and_then(|v| v.parse().ok()).map(|v| spec.seed = v).is_some(),
            "--size" => {
                value().and_then(|v| v.parse().ok()).map(|v| spec.frame_size = FrameSize::Fixed(v)).is_some()
            }
            "--snaplen" => value().and_then(|v| v.parse().ok()).map(|v| spec.snaplen = v).is_some(),
            "--minutes" => value()
                .and_then(|v| v.parse::<f64>().ok())
                .map(|m| spec.duration_ns = (m * 60e9) as u64)
                .is_some(),
            "--v6" => value().and_then(|v| v.parse().ok()).map(|v| spec.ipv6_frac = v).is_some(),
            "--vlan" => value().and_then(|v| v.parse().ok()).map(|v| spec.vlan_frac = v).is_some(),
            "--vxlan" => value().and_then(|v| v.parse().ok()).map(|v| spec.vxlan_frac = v).is_some(),
            "--frag" => value().and_then(|v| v.parse().ok()).map(|v| spec.fragment_frac = v).is_some(),
            "-h" | "--help" => return usage(),
            _ if !a.starts_with("--") && out.is_none() => {
                out = Some(a.to_string());
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("gen_capture: bad argument '{a}'");
            return usage();
        }
        i += 1;
    }
    let Some(path) = out else { return usage() };
    let file = match File::create(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("gen_capture: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match write_pcap(&spec, file) {
        Ok(t) => {
            println!(
                "{path}: {} frames, {} flows, {} IP bytes, {} wire bytes, {} captured bytes \
                 (ipv6 {}, vlan {}, vxlan {}, fragments {})",
                t.packets,
                t.flows,
                t.bytes,
                t.wire_bytes,
                t.captured_bytes,
                t.ipv6_packets,
                t.vlan_packets,
                t.vxlan_packets,
                t.fragment_packets
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_capture: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}
