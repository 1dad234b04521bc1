//! Memory per flow: the meter's reserved heap (session table + index + fragment table) divided
//! by `max_flows`, for 64K and 1M flows (SPEC §3: "memory per flow is documented and reported by
//! the benchmark").
//!
//! `cargo run --release -p flowlog-benches --bin memory`

use flowlog_benches::meter;

fn main() {
    println!("{:>10} {:>14} {:>14}", "max_flows", "heap bytes", "bytes/flow");
    for flows in [1u32 << 16, 1 << 20] {
        let m = meter(flows);
        let heap = m.heap_bytes();
        println!("{:>10} {:>14} {:>14.1}", flows, heap, heap as f64 / flows as f64);
    }
}
