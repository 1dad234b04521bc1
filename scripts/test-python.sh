#!/usr/bin/env bash
# Python binding: build and install flowlog-py into a venv the way users do (pip install ./flowlog-py),
# then run the pytest suite, the stub check (mypy stubtest) and the example.
# Needs Rust (cargo on PATH) and Python >= 3.11 with venv; installs the rest from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export MATURIN_NO_INSTALL_RUST=1          # fail fast instead of downloading Rust
PYTHON="${PYTHON:-python3}"
VENV="${FLOWLOG_PY_VENV:-$ROOT/target/py-venv}"

if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  # Debian splits venv/ensurepip out of python3.
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
  fi
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"         # the maturin build backend runs the maturin binary
"$PY" -m pip install -q --upgrade pip
# maturin: the build backend; pytest + mypy: the suite and stubtest; numpy, pandas, pyarrow: the
# optional buffer and dataframe paths (the tests skip those two only when a package is absent).
"$PY" -m pip install -q "maturin>=1.9.4,<2" pytest mypy typing_extensions numpy
"$PY" -m pip install -q pandas pyarrow || echo "pandas/pyarrow could not be installed: their tests will be skipped"

echo "== pip install ./flowlog-py (release build)"
"$PY" -m pip install -q --force-reinstall --no-deps --no-build-isolation ./flowlog-py

# Run from outside the source tree so that the installed package is what gets imported.
cd "$ROOT/target"
echo "== pytest"
"$PY" -m pytest -q -p no:cacheprovider "$ROOT/flowlog-py/tests"
echo "== stubtest"
"$PY" -m mypy.stubtest flowlog --allowlist "$ROOT/flowlog-py/stubtest-allowlist.txt"
echo "== examples/python/basic.py"
"$PY" "$ROOT/examples/python/basic.py"
