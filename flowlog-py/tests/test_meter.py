"""Meter: one packet, batches from every buffer type, bad input, and the GIL."""

from __future__ import annotations

import array
import sys
import threading
import time

import pytest

import flowlog
from packets import T0, tcp_frame, traffic, udp_frame

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None


def test_one_udp_packet_makes_one_record_with_hand_computed_fields():
    # Ethernet + IPv4 (20) + UDP (8) + 12 bytes payload: IP total length 40.
    frame = udp_frame("10.0.0.1", "192.0.2.9", 5353, 53, payload_len=12)
    m = flowlog.Meter(window_secs=60)
    assert m.process(frame, T0 + 5_500_000_000) == []
    (r,) = m.flush()
    assert (r.src_addr, r.dst_addr, r.src_port, r.dst_port, r.protocol) == ("10.0.0.1", "192.0.2.9", 5353, 53, 17)
    assert (r.packets, r.bytes, r.ip_version) == (1, 40, 4)
    assert (r.start_ns, r.end_ns, r.start, r.end) == (T0 + 5_500_000_000, T0 + 5_500_000_000, 1700000045, 1700000045)
    assert (r.window_start, r.window_secs, r.end_reason, r.log_status) == (1700000040, 60, "flush", "OK")
    assert (r.direction, r.action, r.icmp_type, r.icmp_code, r.has_icmp) == ("-", "ACCEPT", None, None, False)
    d = r.as_dict()
    assert list(d) == list(flowlog.RECORD_FIELDS)
    assert d["bytes"] == 40 and d["src_port"] == 5353
    assert m.counters["packets_in"] == 1 and m.counters["metered"] == 1


def test_the_window_start_is_none_until_the_first_packet_then_its_aligned_start():
    m = flowlog.Meter(window_secs=600)
    assert m.window_start_ns is None
    # 1 700 000 123 s lies in the 600 s window from 1 699 999 800 s (2 833 333 x 600).
    m.process(udp_frame("10.0.0.1", "10.0.0.2", 1, 2), 1_700_000_123_000_000_000)
    assert m.window_start_ns == 1_699_999_800_000_000_000
    (r,) = m.process(udp_frame("10.0.0.1", "10.0.0.2", 1, 2), 1_700_000_400_000_000_000)
    assert r.window_start == 1_699_999_800
    assert m.window_start_ns == 1_700_000_400_000_000_000


def test_accounting_l2_counts_the_wire_length_given_as_orig_len():
    frame = udp_frame("10.0.0.1", "10.0.0.2", 1, 2)
    m = flowlog.Meter(accounting="l2")
    m.process(frame, T0, orig_len=1500)
    (r,) = m.flush()
    assert r.bytes == 1500


def test_direction_action_and_observation_point_reach_the_record():
    m = flowlog.Meter()
    m.process(udp_frame("10.0.0.1", "10.0.0.2", 1, 2), T0, direction="in", action="REJECT", observation_point=7)
    (r,) = m.flush()
    assert (r.direction, r.action, r.observation_point) == ("in", "REJECT", 7)


def test_a_rollover_returns_the_finished_records_from_process():
    m = flowlog.Meter(window_secs=60)
    m.process(udp_frame("10.0.0.1", "10.0.0.2", 1, 2), T0)
    out = m.process(udp_frame("10.0.0.1", "10.0.0.2", 1, 2), T0 + 60_000_000_000)
    assert [(r.end_reason, r.window_start) for r in out] == [("window", 1700000040)]
    assert m.counters["rollovers"] == 1


def test_skipped_packets_are_counted_not_raised():
    m = flowlog.Meter()
    assert m.process(b"\x00" * 3, T0) == []                 # truncated Ethernet
    assert m.process(b"\xff" * 64, T0, link_type=147) == []  # a link type flowlog does not decode
    c = m.counters
    assert (c["packets_in"], c["metered"], c["truncated_l2"], c["unsupported_link"]) == (2, 0, 1, 1)
    assert m.flush() == []


def test_counters_are_every_core_counter_in_order():
    names = list(flowlog.Meter().counters)
    assert names[:2] == ["packets_in", "metered"]
    assert names[-2:] == ["records", "record_packets"]
    assert len(names) == 16


def batch_input(n=300, flows=40):
    data, ts = traffic(n, flows, size=64)
    return data, [i * 64 for i in range(n)], [64] * n, ts


@pytest.mark.parametrize("n,step_ns", [(300, 1000), (1000, 200_000_000)])
def test_batch_and_one_by_one_give_the_same_records_and_counters(n, step_ns):
    # Batches are metered 256 frames at a time: these cross chunk boundaries, with evictions
    # and (0.2 s apart over 60 s windows) rollovers.
    data, ts = traffic(n, 40, size=64, step_ns=step_ns)
    offsets, lengths = [i * 64 for i in range(n)], [64] * n
    a = flowlog.Meter(window_secs=60, max_flows=16)
    one = []
    for o, n, t in zip(offsets, lengths, ts):
        one += a.process(data[o:o + n], t)
    one += a.flush()
    b = flowlog.Meter(window_secs=60, max_flows=16)
    many = b.process_batch(data, offsets, lengths, ts) + b.flush()
    assert one == many and len(many) > 16  # evictions happened
    assert a.counters == b.counters
    assert a.counters["rollovers"] == (0 if step_ns == 1000 else 3)


def buffer_kinds(data: bytes):
    yield "bytes", data
    yield "bytearray", bytearray(data)
    yield "memoryview", memoryview(data)
    yield "memoryview-slice", memoryview(b"xx" + data)[2:]
    if np is not None:
        yield "numpy", np.frombuffer(data, dtype=np.uint8).copy()


def index_kinds(values: list[int]):
    yield "list", values
    yield "tuple", tuple(values)
    yield "array-Q", array.array("Q", values)
    yield "array-l", array.array("l", values)
    if np is not None:
        yield "numpy-u64", np.array(values, dtype=np.uint64)
        yield "numpy-i64", np.array(values, dtype=np.int64)
        yield "numpy-u32", np.array(values, dtype=np.uint32) if max(values) < 2**32 else np.array(values, dtype=np.uint64)


def test_every_buffer_type_gives_the_same_result():
    if np is None:
        print("numpy is not installed: numpy buffers not exercised")
    data, offsets, lengths, ts = batch_input(n=100, flows=10)
    expected = None
    for kind, buf in buffer_kinds(data):
        for ikind, offs in index_kinds(offsets):
            for _, tss in index_kinds(ts):
                m = flowlog.Meter()
                got = m.process_batch(buf, offs, lengths, tss) + m.flush()
                if expected is None:
                    expected = got
                assert got == expected, (kind, ikind)
                assert len(got) == 10


def test_single_packet_accepts_every_buffer_type():
    frame = udp_frame("10.0.0.1", "10.0.0.2", 1, 2)
    for kind, buf in buffer_kinds(frame):
        m = flowlog.Meter()
        m.process(buf, T0)
        assert m.counters["metered"] == 1, kind


def test_wrong_types_raise_type_error():
    m = flowlog.Meter()
    with pytest.raises(TypeError, match="data"):
        m.process("not bytes", T0)
    with pytest.raises(TypeError, match="ts_ns"):
        m.process(b"", "1700000000")
    with pytest.raises(TypeError, match="ts_ns"):
        m.process(b"", 1.5)
    with pytest.raises(TypeError, match="offsets"):
        m.process_batch(b"", 5, [], [])
    with pytest.raises(TypeError, match=r"lengths\[1\]"):
        m.process_batch(b"\x00" * 8, [0, 1], [1, "2"], [0, 0])
    if np is not None:
        with pytest.raises(TypeError, match="offsets must hold integers"):
            m.process_batch(b"\x00" * 8, np.zeros(1, dtype=np.float64), [1], [0])
        with pytest.raises(TypeError, match="data"):
            m.process_batch(np.zeros(4, dtype=np.float32), [0], [1], [0])
    with pytest.raises(TypeError, match="link_type"):
        m.process(b"", T0, link_type="ethernet")
    assert m.counters["packets_in"] == 0


def test_negative_timestamps_are_value_errors_and_huge_ones_count_as_bad_timestamp():
    m = flowlog.Meter()
    frame = udp_frame("10.0.0.1", "10.0.0.2", 1, 2)
    with pytest.raises(ValueError, match="ts_ns must not be negative"):
        m.process(frame, -1)
    with pytest.raises(ValueError, match=r"timestamps\[1\] is negative"):
        m.process_batch(frame * 2, [0, len(frame)], [len(frame)] * 2, [T0, -5])
    if np is not None:
        with pytest.raises(ValueError, match=r"timestamps\[0\] is negative"):
            m.process_batch(frame, [0], [len(frame)], np.array([-1], dtype=np.int64))
    assert m.counters["packets_in"] == 0
    # SPEC §4: a time beyond u64 nanoseconds takes the meter's clock and counts in bad_timestamp.
    m.process(frame, T0)
    m.process(frame, 2**64)
    (r,) = m.flush()
    assert (r.packets, r.end_ns) == (2, T0)
    assert m.counters["bad_timestamp"] == 1
    # SPEC §4: a packet without a timestamp takes the clock too, and is not bad_timestamp.
    m.process(frame, None)
    assert m.counters["bad_timestamp"] == 1 and m.flush()[0].start_ns == T0


def test_indexes_beyond_the_buffer_are_value_errors_naming_the_packet_and_nothing_is_metered():
    m = flowlog.Meter()
    data = bytes(100)
    with pytest.raises(ValueError, match=r"packet 1: offsets\[1\] = 60 \+ lengths\[1\] = 50 is beyond the buffer \(100 bytes\)"):
        m.process_batch(data, [0, 60], [50, 50], [T0, T0])
    with pytest.raises(ValueError, match=r"packet 0"):
        m.process_batch(data, [2**64 - 1], [2], [T0])
    with pytest.raises(ValueError, match=r"offsets\[0\] does not fit"):
        m.process_batch(data, [2**64], [2], [T0])
    with pytest.raises(ValueError, match="same length"):
        m.process_batch(data, [0, 1], [1], [T0, T0])
    with pytest.raises(ValueError, match=r"orig_lens\[0\] exceeds"):
        m.process_batch(data, [0], [1], [T0], orig_lens=[2**32])
    with pytest.raises(ValueError, match="observation_point must be at most 4294967295"):
        m.process(data, T0, observation_point=2**32)
    with pytest.raises(ValueError, match="direction"):
        m.process(data, T0, direction="sideways")
    with pytest.raises(ValueError, match="action"):
        m.process(data, T0, action="accept")
    assert m.counters["packets_in"] == 0


def test_garbage_bytes_never_crash():
    import random

    rng = random.Random(7)
    m = flowlog.Meter(max_flows=64)
    blobs = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200))) for _ in range(500)]
    buf = b"".join(blobs)
    offsets, o = [], 0
    for b in blobs:
        offsets.append(o)
        o += len(b)
    for link in (0, 1, 9, 101, 113, 276, 228, 229, 12345):
        m.process_batch(buf, offsets, [len(b) for b in blobs], [T0] * len(blobs), link_type=link)
    m.flush()
    c = m.counters
    assert c["packets_in"] == 9 * 500
    assert c["packets_in"] == c["metered"] + c["unsupported_link"] + c["truncated_l2"] + c["non_ip"] + c["bad_ip_header"]


def test_the_gil_is_released_during_a_batch():
    data, _ = traffic(20_000, 1000, size=64)
    m = flowlog.Meter()
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    samples: list[int] = []
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            samples.append(time.perf_counter_ns())

    t = threading.Thread(target=spin)
    n = 50_000
    try:
        t.start()
        # Grow the batch (packets repeat: offsets wrap around the 20 000 frames) until one call
        # lasts long enough to tell, 20 ms = 40 switch intervals.
        while True:
            offsets = array.array("Q", ((i % 20_000) * 64 for i in range(n)))
            lengths = array.array("Q", [64]) * n
            ts = array.array("Q", range(T0, T0 + n))
            t0 = time.perf_counter_ns()
            m.process_batch(data, offsets, lengths, ts)
            t1 = time.perf_counter_ns()
            if t1 - t0 >= 20_000_000 or n >= 8_000_000:
                break
            n *= 2
    finally:
        stop.set()
        t.join()
        sys.setswitchinterval(old)
    assert t1 - t0 >= 20_000_000
    # While a thread holds the GIL in native code, no other Python thread runs. The spinning thread
    # ran in the middle half of the call, so the batch had released the GIL.
    lo, hi = t0 + (t1 - t0) // 4, t1 - (t1 - t0) // 4
    inside = [s for s in samples if lo <= s <= hi]
    assert len(inside) > 10


def test_a_meter_used_from_another_thread_during_a_batch_is_refused_not_raced():
    data, ts = traffic(20_000, 1000, size=64)
    n = len(ts)
    offsets, lengths = list(range(0, n * 64, 64)), [64] * n
    m = flowlog.Meter()
    errors: list[BaseException] = []
    started = threading.Event()
    done = threading.Event()

    def other():
        started.wait()
        while not done.is_set():
            try:
                m.process(b"", T0)
            except RuntimeError as e:
                errors.append(e)
                return

    t = threading.Thread(target=other)
    t.start()
    started.set()
    for _ in range(50):
        m.process_batch(data, offsets, lengths, ts)
        if errors:
            break
    done.set()
    t.join()
    assert errors and "borrow" in str(errors[0])


def test_a_closed_meter_raises_value_error_from_every_method_and_closing_twice_is_fine():
    frame = udp_frame("10.0.0.1", "192.0.2.9", 5353, 53)
    m = flowlog.Meter(window_secs=60)
    m.process(frame, T0)
    assert m.closed is False and m.heap_bytes > 0
    m.close()
    assert m.closed is True and repr(m) == "Meter(closed)"
    calls = [
        lambda: m.process(frame, T0),
        lambda: m.process_batch(frame, [0], [len(frame)], [T0]),
        m.flush,
        lambda: m.counters,
        lambda: m.active_flows,
        lambda: m.window_start_ns,
        lambda: m.heap_bytes,
    ]
    for call in calls:
        with pytest.raises(ValueError, match="the meter is closed"):
            call()
    m.close()
    assert m.closed


def test_a_meter_used_as_a_context_manager_is_closed_at_the_end_of_the_block():
    with flowlog.Meter(window_secs=60) as m:
        m.process(udp_frame("10.0.0.1", "192.0.2.9", 5353, 53), T0)
        (r,) = m.flush()
        assert r.packets == 1
    assert m.closed
