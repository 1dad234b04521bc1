#!/usr/bin/env bash
# Python batch path vs the core: packets per second over the same 1M 64-byte Ethernet/IPv4/TCP
# frames over 64K flows, all in memory, in batches of 64K packets. Target: Python >= 70% of the core.
# Usage: scripts/bench-python.sh [PACKETS] [FLOWS] [RUNS]   (run scripts/test-python.sh first, or
# it builds the venv the same way).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
N="${1:-1000000}" FLOWS="${2:-65536}" RUNS="${3:-5}" BATCH=65536
PY="${FLOWLOG_PY_VENV:-$ROOT/target/py-venv}/bin/python"
export PATH="$(dirname "$PY"):$PATH"
if ! "$PY" -c 'import flowlog' >/dev/null 2>&1; then
  python3 -m venv "$(dirname "$(dirname "$PY")")"
  "$PY" -m pip install -q "maturin>=1.9.4,<2" numpy
  "$PY" -m pip install -q --no-build-isolation ./flowlog-py
fi
FRAMES="$ROOT/target/bench-python-frames.bin"
"$PY" flowlog-py/tests/bench_batch.py write "$FRAMES" "$N" "$FLOWS"
cargo build -q --release -p flowlog-py --example core_pps
# Alternate the two (3 rounds of RUNS runs each) and keep each one's best, so that load from other
# processes on a shared machine hits both alike.
CORE=0 PYBATCH=0
for round in 1 2 3; do
  c=$("$CARGO_TARGET_DIR/release/examples/core_pps" "$FRAMES" 64 "$RUNS")
  p=$(cd "$ROOT/target" && "$PY" "$ROOT/flowlog-py/tests/bench_batch.py" run "$FRAMES" "$RUNS" "$BATCH")
  echo "round $round: core $c Mpps, python $p Mpps"
  CORE=$("$PY" -c "print(max($CORE, $c))") PYBATCH=$("$PY" -c "print(max($PYBATCH, $p))")
done
rm -f "$FRAMES"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; rustc $(rustc --version | cut -d' ' -f2); $("$PY" --version)"
echo "traffic: $N x 64-byte Ethernet/IPv4/TCP frames over $FLOWS flows, in memory; best of 3 x $RUNS runs, alternating"
echo "core (Rust, Meter::process loop):          $CORE Mpps"
echo "python (Meter.process_batch, $BATCH/batch): $PYBATCH Mpps"
"$PY" -c "print(f'ratio python/core: {$PYBATCH / $CORE * 100:.1f} % (target >= 70 %)')"
