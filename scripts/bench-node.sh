#!/usr/bin/env bash
# Node binding throughput: Meter.processBatch over 1M 64-byte frames in one Buffer (batches of
# 64K) next to the core's Meter::process on the same frames, with the ratio (target >= 70 %).
# Usage: scripts/bench-node.sh [packets] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
(cd flowlog-node && { [ -d node_modules/@napi-rs/cli ] || npm ci --no-audit --no-fund; } && npx napi build --platform --release >/dev/null)
cargo build --release -q -p flowlog-node --example core_rate
FLOWLOG_CORE_RATE="$CARGO_TARGET_DIR/release/examples/core_rate" node flowlog-node/bench/bench.mjs "${1:-1000000}" "${2:-5}"
