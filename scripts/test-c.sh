#!/usr/bin/env bash
# The C ABI's whole suite on a fresh Debian machine with Rust, Python 3 and gcc:
#   1. Rust-side tests of flowlog-ffi (header drift check, ABI through the rlib, no allocation);
#   2. the C tests (shared vectors byte for byte, bad input) and examples/c/basic.c on a capture
#      built from a shared vector, compiled with ASan+UBSan, then again under valgrind (leaks and
#      memory errors fail the run);
#   3. scripts/install-ffi.sh into a temporary prefix, then the example built with pkg-config
#      against the shared library and against the static library.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/c-tests"
mkdir -p "$out"

need=()
command -v gcc >/dev/null || need+=(gcc)
command -v valgrind >/dev/null || need+=(valgrind)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== cargo test -p flowlog-ffi (header drift, C ABI via the rlib, no allocation)"
cargo test -q -p flowlog-ffi
lib="$target/debug/libflowlog.a"
# Built here every time: the test run above does not always refresh the static library.
cargo build -q -p flowlog-ffi

python3 flowlog-ffi/tests/c/vectors.py lines "$out/vectors.txt"
python3 flowlog-ffi/tests/c/vectors.py pcapng flowlog-core/tests/vectors/mixed.json "$out/mixed.pcapng"
python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["expected"]["jsonl"])' \
  flowlog-core/tests/vectors/mixed.json >"$out/mixed.expected.jsonl"

cflags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -I flowlog-ffi/include)
libs=(-lpthread -ldl -lm)

check_example() { # $1 = label, rest = command running the example
  local label="$1"; shift
  "$@" "$out/mixed.pcapng" 60 >"$out/basic.$label.jsonl" 2>"$out/basic.$label.err"
  if ! cmp -s "$out/basic.$label.jsonl" "$out/mixed.expected.jsonl"; then
    echo "examples/c/basic.c ($label): output differs from the mixed vector's jsonl" >&2
    diff "$out/mixed.expected.jsonl" "$out/basic.$label.jsonl" >&2 || true
    exit 1
  fi
  echo "examples/c/basic.c ($label): matches the mixed vector"
}

echo "== C tests with AddressSanitizer + UndefinedBehaviorSanitizer"
san=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
gcc "${cflags[@]}" "${san[@]}" flowlog-ffi/tests/c/test_flowlog.c "$lib" "${libs[@]}" -o "$out/test_asan"
gcc "${cflags[@]}" "${san[@]}" examples/c/basic.c "$lib" "${libs[@]}" -o "$out/basic_asan"
ASAN_OPTIONS=detect_leaks=1 "$out/test_asan" "$out/vectors.txt"
ASAN_OPTIONS=detect_leaks=1 check_example asan "$out/basic_asan"

echo "== C tests under valgrind (leaks are errors)"
gcc "${cflags[@]}" flowlog-ffi/tests/c/test_flowlog.c "$lib" "${libs[@]}" -o "$out/test_plain"
gcc "${cflags[@]}" examples/c/basic.c "$lib" "${libs[@]}" -o "$out/basic_plain"
vg=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1)
"${vg[@]}" "$out/test_plain" "$out/vectors.txt"
check_example valgrind "${vg[@]}" "$out/basic_plain"

echo "== install into a prefix, build the example with pkg-config (shared and static)"
prefix="$out/prefix"
rm -rf "$prefix"
bash scripts/install-ffi.sh "$prefix" debug >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion flowlog)" = "$(sed -n 's/^#define FLOWLOG_VERSION "\(.*\)"$/\1/p' flowlog-ffi/include/flowlog.h)" ]
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Werror examples/c/basic.c $(pkg-config --cflags --libs flowlog) -Wl,-rpath,"$prefix/lib" \
  -o "$out/basic_shared"
readelf -d "$out/basic_shared" | grep -q 'libflowlog.so.0' # linked against the SONAME
check_example shared "$out/basic_shared"
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Werror examples/c/basic.c $(pkg-config --cflags flowlog) "$prefix/lib/libflowlog.a" \
  $(pkg-config --static --libs-only-l flowlog | sed 's/-lflowlog//') -o "$out/basic_static"
check_example static "$out/basic_static"

echo "== C: all passed"
