//! The core alone on the traffic of `examples/c/bench.c` (same frames, same meter settings):
//! the baseline the C ABI's batch call is compared with by `scripts/bench-c.sh`.
//!
//!     cargo run --release -p flowlog-ffi --example bench_core -- [PACKETS] [RUNS]

/// Seconds of CPU time of this thread (CLOCK_THREAD_CPUTIME_ID): on a shared machine, time spent
/// descheduled does not count.
#[cfg(target_os = "linux")]
fn cpu_secs() -> f64 {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: a valid out-pointer; clock 3 is CLOCK_THREAD_CPUTIME_ID on Linux.
    unsafe { clock_gettime(3, &mut ts) };
    ts.sec as f64 + ts.nsec as f64 * 1e-9
}

struct Instant(f64);
impl Instant {
    fn now() -> Instant {
        Instant(cpu_secs())
    }
    fn elapsed(&self) -> Elapsed {
        Elapsed(cpu_secs() - self.0)
    }
}
struct Elapsed(f64);
impl Elapsed {
    fn as_secs_f64(&self) -> f64 {
        self.0
    }
}

use flowlog_core::{Config, Frame, LinkType, Meter, Record};

const FRAME: usize = 64;

fn frame(f: &mut [u8], i: u32) {
    let flow = i.wrapping_mul(40503) & 0xffff;
    let head: [u8; 34] = [
        2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 50, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0,
        0, 192, 168, 0, 1,
    ];
    f[..34].copy_from_slice(&head);
    f[28] = (flow >> 8) as u8;
    f[29] = flow as u8;
    let sport = (10000 + (flow & 0x3ff)) as u16;
    let mut tcp = [0u8; 20];
    tcp[..16].copy_from_slice(&[
        (sport >> 8) as u8,
        sport as u8,
        0x01,
        0xbb,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        1,
        0x50,
        0x10,
        0xff,
        0xff,
    ]);
    f[34..54].copy_from_slice(&tcp);
    f[54..FRAME].fill(b'x');
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1_000_000, |a| a.parse().expect("PACKETS"));
    let runs: usize = args.next().map_or(5, |a| a.parse().expect("RUNS"));
    let mut buf = vec![0u8; n * FRAME];
    for (i, f) in buf.chunks_exact_mut(FRAME).enumerate() {
        frame(f, i as u32);
    }
    // Records are copied out, as the C ABI copies them into its caller's array.
    let mut out: Vec<Record> = Vec::with_capacity(70_000);
    let mut records = 0u64;
    // Baseline: pre-built frames (a `Frame` per packet: time, link, lengths, slice), as the C
    // benchmark pre-builds a `flowlog_packet` per packet.
    let frames: Vec<Frame<'_>> = buf
        .chunks_exact(FRAME)
        .enumerate()
        .map(|(i, f)| Frame::new(1_700_000_400_000_000_000 + i as u64 * 100, LinkType::ETHERNET, f))
        .collect();
    let mut best = 0f64;
    for _ in 0..runs {
        let mut meter = Meter::new(Config { hash_seed: Some(1), ..Config::default() }).expect("config");
        out.clear();
        let t = Instant::now();
        for frame in &frames {
            let _ = meter.process(frame, &mut |r: &Record| out.push(*r));
        }
        meter.flush(&mut |r: &Record| out.push(*r));
        best = best.max(n as f64 / t.elapsed().as_secs_f64() / 1e6);
        records = out.len() as u64;
        std::hint::black_box(&out);
    }
    drop(frames);
    // For reference: the frame descriptor built on the fly from the index (no descriptor array).
    let mut best_inline = 0f64;
    for _ in 0..runs {
        let mut meter = Meter::new(Config { hash_seed: Some(1), ..Config::default() }).expect("config");
        out.clear();
        let t = Instant::now();
        for (i, f) in buf.chunks_exact(FRAME).enumerate() {
            let frame = Frame::new(1_700_000_400_000_000_000 + i as u64 * 100, LinkType::ETHERNET, f);
            let _ = meter.process(&frame, &mut |r: &Record| out.push(*r));
        }
        meter.flush(&mut |r: &Record| out.push(*r));
        best_inline = best_inline.max(n as f64 / t.elapsed().as_secs_f64() / 1e6);
        std::hint::black_box(&out);
    }
    eprintln!("core: {n} packets, {records} records");
    println!("core_mpps {best:.3}");
    println!("core_inline_mpps {best_inline:.3}");
    if std::env::var_os("BENCH_FFI_FROM_RUST").is_some() {
        use flowlog::meter::*;
        use flowlog::*;
        let packets: Vec<FlowlogPacket> = (0..n)
            .map(|i| FlowlogPacket {
                offset: i * FRAME,
                ts_ns: 1_700_000_400_000_000_000 + i as u64 * 100,
                len: FRAME as u32,
                orig_len: FRAME as u32,
                link_type: 1,
                observation_point: 0,
                ts_kind: 0,
                direction: 0,
                action: 0,
                reserved: [0; 5],
            })
            .collect();
        let mut out = vec![unsafe { std::mem::zeroed::<FlowlogRecord>() }; 4096];
        let mut best = 0f64;
        for _ in 0..runs {
            let mut cfg = unsafe { std::mem::zeroed::<FlowlogConfig>() };
            unsafe { flowlog_config_default(&mut cfg) };
            cfg.use_hash_seed = true;
            cfg.hash_seed = 1;
            let mut m = std::ptr::null_mut();
            unsafe { flowlog_meter_new(&cfg, &mut m, std::ptr::null_mut(), 0) };
            let t = Instant::now();
            let mut start = 0;
            while start < n {
                let (mut done, mut len) = (0, 0);
                unsafe {
                    flowlog_meter_process_batch(
                        m,
                        buf.as_ptr(),
                        buf.len(),
                        packets[start..].as_ptr(),
                        n - start,
                        out.as_mut_ptr(),
                        4096,
                        &mut done,
                        &mut len,
                    )
                };
                start += done;
            }
            let mut len = 4096;
            while len == 4096 {
                unsafe { flowlog_meter_flush(m, out.as_mut_ptr(), 4096, &mut len) };
            }
            best = best.max(n as f64 / t.elapsed().as_secs_f64() / 1e6);
            unsafe { flowlog_meter_free(m) };
        }
        println!("ffi_from_rust_mpps {best:.3}");
    }
}
