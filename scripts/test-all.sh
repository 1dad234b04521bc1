#!/usr/bin/env bash
# Every test of every language flowlog has, in one command (this is what CI runs).
# The corpus of real captures is read from $FLOWLOG_CORPUS (default ../shared/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
export FLOWLOG_CORPUS="${FLOWLOG_CORPUS:-$(cd .. && pwd)/shared/corpus}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== rustfmt"
cargo fmt --all --check
echo "== clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings
echo "== rust tests (unit, spec, property, corpus, no-alloc, CLI, doc, benches in test mode)"
cargo test --workspace --all-targets --all-features
cargo test --workspace --doc --all-features
echo "== rustdoc (intra-doc links resolve; public docs link no private item)"
RUSTDOCFLAGS="-D warnings" cargo doc -q -p flowlog-core -p flowlog-cli -p flowlog-testkit -p flowlog-ffi --no-deps
echo "== fuzz targets compile (run them with: cargo +nightly fuzz run dissect, see docs/testing.md)"
cargo check --manifest-path fuzz/Cargo.toml --target-dir target --bins

# The bindings: each script installs what its suite needs, builds against the shared target/ and runs
# its tests and examples.
for lang in node python c go; do
  if [ -f "scripts/test-$lang.sh" ]; then
    echo "== $lang binding"
    bash "scripts/test-$lang.sh"
  fi
done
echo "all suites passed"
