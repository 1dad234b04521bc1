"""Packets per second through Meter.process_batch (run by scripts/bench-python.sh, not by pytest).

Usage: python bench_batch.py write FRAMES_FILE N FLOWS   # generate the shared traffic
       python bench_batch.py run FRAMES_FILE RUNS BATCH   # best Mpps over RUNS
"""

from __future__ import annotations

import array
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from packets import tcp_frame  # noqa: E402

FRAME_LEN = 64
T0 = 1_700_000_000_000_000_000


def write(path: str, n: int, flows: int) -> None:
    # 64-byte Ethernet/IPv4/TCP frames (54 bytes of headers + 10 of payload), flow i % flows.
    distinct = [
        tcp_frame(f"10.{(f >> 16) & 255}.{(f >> 8) & 255}.{f & 255}", "192.0.2.1", 1024 + f % 50000, 443,
                  payload_len=FRAME_LEN - 54)
        for f in range(flows)
    ]
    Path(path).write_bytes(b"".join(distinct[i % flows] for i in range(n)))


def run(path: str, runs: int, batch: int) -> None:
    import flowlog

    data = Path(path).read_bytes()
    n = len(data) // FRAME_LEN
    try:
        import numpy as np

        offsets = np.arange(n, dtype=np.uint64) * FRAME_LEN
        lengths = np.full(n, FRAME_LEN, dtype=np.uint64)
        ts = T0 + np.arange(n, dtype=np.uint64) * 1000
        chunks = [(offsets[i:i + batch], lengths[i:i + batch], ts[i:i + batch]) for i in range(0, n, batch)]
    except ImportError:
        chunks = []
        for i in range(0, n, batch):
            k = range(i, min(n, i + batch))
            chunks.append((array.array("Q", (j * FRAME_LEN for j in k)), array.array("Q", [FRAME_LEN] * len(k)),
                           array.array("Q", (T0 + j * 1000 for j in k))))
    best = float("inf")
    for _ in range(runs):
        meter = flowlog.Meter()
        start = time.perf_counter()
        for offs, lens, tss in chunks:
            meter.process_batch(data, offs, lens, tss)
        best = min(best, time.perf_counter() - start)
        assert meter.counters["metered"] == n
    print(f"{n / best / 1e6:.3f}")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
