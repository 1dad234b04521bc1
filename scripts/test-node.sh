#!/usr/bin/env bash
# The Node.js binding's whole suite: install the napi-rs CLI, build the addon (release), check
# that the committed index.js / index.d.ts match the build, run node --test (which also runs
# examples/node/basic.mjs and reads the shared vectors).
# Needs: Rust (cargo), Node >= 20.17 with npm, git. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" # share the workspace's builds

cd flowlog-node
echo "== node: npm ci (@napi-rs/cli, pinned by package-lock.json)"
npm ci --no-audit --no-fund
echo "== node: build (napi build --platform --release) and run node --test"
npm test
echo "== node: committed index.js / index.d.ts match the build"
if ! git diff --exit-code -- index.js index.d.ts; then
    echo "flowlog-node/index.js or index.d.ts drifted from the build: run 'npm run build' in flowlog-node/ and commit them" >&2
    exit 1
fi
echo "== node: example"
node "$root/examples/node/basic.mjs" >/dev/null
echo "node: all passed"
