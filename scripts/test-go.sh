#!/usr/bin/env bash
# The Go package over the C ABI (flowlog-go): build libflowlog.a (release, as the package links
# it), then go vet, go test (shared vectors byte for byte, a generated capture, errors, the
# runnable Example) and the flowlog-basic example on a capture built from the mixed vector.
# Installs golang-go (Debian) when Go is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
if [ "$target" != "$root/target" ]; then
  echo "flowlog-go links $root/target/release/libflowlog.a: unset CARGO_TARGET_DIR" >&2
  exit 1
fi
out="$target/go-tests"
mkdir -p "$out"

need=()
command -v go >/dev/null || need+=(golang-go)
command -v gcc >/dev/null || need+=(gcc)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq "${need[@]}" >/dev/null
fi
go version

echo "== cargo build --release -p flowlog-ffi"
cargo build -q --release -p flowlog-ffi

export CGO_ENABLED=1
cd flowlog-go
echo "== go vet"
go vet ./...
echo "== go test"
go test -count=1 ./...

echo "== flowlog-go/cmd/flowlog-basic on the mixed vector"
python3 "$root/flowlog-ffi/tests/c/vectors.py" pcapng "$root/flowlog-core/tests/vectors/mixed.json" "$out/mixed.pcapng"
python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["expected"]["jsonl"])' \
  "$root/flowlog-core/tests/vectors/mixed.json" >"$out/mixed.expected.jsonl"
go run ./cmd/flowlog-basic "$out/mixed.pcapng" 60 >"$out/basic.jsonl"
if ! cmp -s "$out/basic.jsonl" "$out/mixed.expected.jsonl"; then
  echo "flowlog-basic: output differs from the mixed vector's jsonl" >&2
  diff "$out/mixed.expected.jsonl" "$out/basic.jsonl" >&2 || true
  exit 1
fi
echo "flowlog-basic: matches the mixed vector"
echo "== Go: all passed"
