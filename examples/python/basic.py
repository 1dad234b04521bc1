"""Minimal flowlog example: meter a few packets held in one buffer, print AWS flow-log lines.

Run: python examples/python/basic.py  (after `pip install ./flowlog-py`)
"""

import struct

import flowlog


def udp_frame(src: bytes, dst: bytes, sport: int, dport: int, payload: bytes) -> bytes:
    """Ethernet + IPv4 + UDP, built by hand."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, dst) + udp
    return bytes(6) + bytes(6) + b"\x08\x00" + ip


frames = [
    udp_frame(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), 5353, 53, b"query"),
    udp_frame(bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]), 53, 5353, b"answer"),
    udp_frame(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), 5353, 53, b"again"),
]
buffer = b"".join(frames)                        # many packets, one buffer: not copied per packet
offsets = [sum(len(f) for f in frames[:i]) for i in range(len(frames))]
lengths = [len(f) for f in frames]
t0 = 1_700_000_000_000_000_000                   # ns since the epoch
timestamps = [t0, t0 + 1_000_000, t0 + 2_000_000_000]

meter = flowlog.Meter(window_secs=60)            # options are the core's Config fields
records = meter.process_batch(buffer, offsets, lengths, timestamps)
records += meter.flush()                         # end of input: emit the open flows

print(flowlog.format_records(records, "aws"), end="")
print(meter.counters["packets_in"], "packets,", len(records), "records")
