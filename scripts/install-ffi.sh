#!/usr/bin/env bash
# Install the flowlog C library: header, static and shared library, pkg-config file.
#
#   scripts/install-ffi.sh PREFIX [release|debug]     (default release; builds with cargo first)
#
# Then, with PKG_CONFIG_PATH=PREFIX/lib/pkgconfig:
#   shared: cc app.c $(pkg-config --cflags --libs flowlog) -Wl,-rpath,PREFIX/lib
#   static: cc app.c $(pkg-config --cflags flowlog) PREFIX/lib/libflowlog.a -lpthread -ldl -lm
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:?usage: scripts/install-ffi.sh PREFIX [release|debug]}"
profile="${2:-release}"
if [ "$profile" = release ]; then
  cargo build --release -p flowlog-ffi
else
  cargo build -p flowlog-ffi
fi
target="${CARGO_TARGET_DIR:-target}/$profile"
version="$(sed -n 's/^#define FLOWLOG_VERSION "\(.*\)"$/\1/p' flowlog-ffi/include/flowlog.h)"
major="${version%%.*}"

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
install -m 644 flowlog-ffi/include/flowlog.h "$prefix/include/flowlog.h"
install -m 644 "$target/libflowlog.a" "$prefix/lib/libflowlog.a"
install -m 755 "$target/libflowlog.so" "$prefix/lib/libflowlog.so.$version"
ln -sf "libflowlog.so.$version" "$prefix/lib/libflowlog.so.$major"
ln -sf "libflowlog.so.$major" "$prefix/lib/libflowlog.so"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" flowlog-ffi/flowlog.pc.in >"$prefix/lib/pkgconfig/flowlog.pc"
echo "installed flowlog $version into $prefix"
