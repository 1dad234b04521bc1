//! A fixed amount of record writing for instruction counts under callgrind, the figure the
//! writers' speed is compared in (instructions per record do not move with the host's load):
//!
//! ```text
//! cargo build --release -p flowlog-benches --bin format_instructions
//! valgrind --tool=callgrind --toggle-collect='*written_passes' target/release/format_instructions aws
//! ```
//!
//! Instructions per record = the reported `Ir` ÷ the records this prints. The argument names the
//! writer as the `format` benchmark does (`jsonl`, `sls`, `aws`, `csv`, `aws-v5-all`); the
//! records are that benchmark's, written into a buffer of `Formatter::MAX_RECORD_LEN` bytes.

use std::hint::black_box;

use flowlog_benches::{formatters, records};
use flowlog_core::{Formatter, Record};

/// Records written per pass.
const RECORDS: usize = 4096;

/// Passes counted after the warm-up pass.
const PASSES: usize = 4;

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some((_, f)) = formatters().into_iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = formatters().iter().map(|(n, _)| *n).collect();
        panic!("usage: format_instructions {}", names.join("|"));
    };
    let recs = records(RECORDS);
    let mut buf = [0u8; Formatter::MAX_RECORD_LEN];
    // The warm-up pass is not counted: it runs outside `written_passes`.
    write_all(&f, &recs, &mut buf);
    let bytes = written_passes(&f, &recs, &mut buf, PASSES);
    println!("records {} bytes {bytes}", RECORDS * PASSES);
}

/// Write every record once; the bytes written.
#[inline(always)]
fn write_all(f: &Formatter, recs: &[Record], buf: &mut [u8]) -> usize {
    let mut total = 0;
    for rec in recs {
        total += f.write_record(black_box(rec), buf).unwrap_or(0);
        black_box(&buf);
    }
    total
}

/// `passes` passes over `recs`; the function callgrind counts.
#[inline(never)]
fn written_passes(f: &Formatter, recs: &[Record], buf: &mut [u8], passes: usize) -> usize {
    (0..passes).map(|_| write_all(f, recs, buf)).sum()
}
