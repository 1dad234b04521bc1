"""The documented example (examples/python/basic.py) runs and prints what docs/python.md shows."""

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python" / "basic.py"


def test_basic_example_prints_two_aws_records():
    out = subprocess.run([sys.executable, str(EXAMPLE)], check=True, capture_output=True, text=True).stdout
    # IP lengths by hand: 20 (IPv4) + 8 (UDP) + payload: "query"/"again" 5 bytes → 33 each, "answer" → 34.
    assert out == (
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
        "2 - - 10.0.0.1 10.0.0.2 5353 53 17 2 66 1700000000 1700000002 ACCEPT OK\n"
        "2 - - 10.0.0.2 10.0.0.1 53 5353 17 1 34 1700000000 1700000000 ACCEPT OK\n"
        "3 packets, 2 records\n"
    )


def test_the_package_docstring_example_runs():
    import doctest

    import flowlog

    result = doctest.testmod(flowlog)
    assert result.attempted >= 3 and result.failed == 0
