#!/usr/bin/env bash
# Packets per second through the C ABI's batch call vs the core alone, on the same traffic:
# 1M pre-built 64-byte Ethernet/IPv4/TCP frames over 65536 flows, in memory, each with a pre-built
# descriptor (a core Frame / a flowlog_packet); best of RUNS per program, 3 interleaved rounds.
#
#   scripts/bench-c.sh [PACKETS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
runs="${2:-5}"
target="${CARGO_TARGET_DIR:-target}"
cargo build -q --release -p flowlog-ffi --lib --example bench_core
mkdir -p "$target/c-bench"
gcc -std=c11 -D_GNU_SOURCE -O2 -I flowlog-ffi/include examples/c/bench.c "$target/release/libflowlog.a" \
  -lpthread -ldl -lm -o "$target/c-bench/bench"

echo "machine: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores; $(rustc --version); gcc $(gcc -dumpfullversion)"
echo "traffic: $n frames of 64 bytes (Ethernet/IPv4/TCP), 65536 flows, one 600 s window; best of $runs runs"
# Interleave the two programs (3 rounds each) and keep each one's best: the machine may be shared.
# Both time with the thread's CPU clock, so time spent descheduled does not count.
core=0; inline=0; c=0
for _ in 1 2 3; do
  read -r a b < <("$target/release/examples/bench_core" "$n" "$runs" 2>/dev/null | awk '{print $2}' | paste -sd' ')
  x=$("$target/c-bench/bench" "$n" "$runs" 2>/dev/null | awk '/c_abi_mpps/ {print $2}')
  core=$(awk -v a="$a" -v b="$core" 'BEGIN {print (a > b ? a : b)}')
  inline=$(awk -v a="$b" -v b="$inline" 'BEGIN {print (a > b ? a : b)}')
  c=$(awk -v a="$x" -v b="$c" 'BEGIN {print (a > b ? a : b)}')
done
awk -v core="$core" -v inline="$inline" -v c="$c" 'BEGIN {
  printf "core, pre-built Frames (Meter::process):        %8.2f Mpps\n", core
  printf "core, Frame built per packet (for reference):   %8.2f Mpps\n", inline
  printf "C ABI, pre-built flowlog_packet (process_batch): %7.2f Mpps\n", c
  printf "ratio C / core:                                 %8.1f %%  (target >= 95 %%)\n", 100 * c / core
}'
