"""read_pcap: records of a capture file, streamed; a damaged file yields what precedes the damage."""

import os

import pytest

import flowlog
from packets import T0, pcap, tcp_frame, udp_frame

SEC = 1_000_000_000


def capture():
    # Two 60 s windows: flows A and B in the first, A again in the second.
    a = udp_frame("10.0.0.1", "10.0.0.2", 1111, 53, payload_len=10)   # IP length 38
    b = tcp_frame("10.0.0.3", "10.0.0.4", 2222, 443, flags=0x02)      # IP length 40
    return [(T0 + 1 * SEC, a), (T0 + 2 * SEC, b), (T0 + 3 * SEC, a), (T0 + 61 * SEC, a)]


def test_records_of_a_pcap_written_by_the_test(tmp_path):
    p = tmp_path / "two-windows.pcap"
    p.write_bytes(pcap(capture()))
    it = flowlog.read_pcap(p, window_secs=60)
    records = list(it)
    got = [(r.src_addr, r.dst_port, r.packets, r.bytes, r.window_start, r.end_reason) for r in records]
    assert sorted(got[:2]) == [("10.0.0.1", 53, 2, 76, 1700000040, "window"), ("10.0.0.3", 443, 1, 40, 1700000040, "window")]
    assert got[2:] == [("10.0.0.1", 53, 1, 38, 1700000100, "flush")]
    assert records[1].tcp_flags == 0x02 or records[0].tcp_flags == 0x02
    assert it.counters["packets_in"] == 4 and it.counters["rollovers"] == 1
    assert list(it) == []


def test_read_pcap_takes_a_str_path_too(tmp_path):
    p = tmp_path / "c.pcap"
    p.write_bytes(pcap(capture()))
    assert len(list(flowlog.read_pcap(str(p), window_secs=60))) == 3


def test_a_truncated_file_yields_every_record_before_the_damage_then_raises(tmp_path):
    data = pcap(capture())
    cut = len(data) - 5  # inside the last packet's bytes
    p = tmp_path / "cut.pcap"
    p.write_bytes(data[:cut])
    it = flowlog.read_pcap(p, window_secs=60)
    seen = []
    with pytest.raises(flowlog.CaptureTruncatedError) as e:
        for r in it:
            seen.append(r)
    # The first three packets are metered (2 flows of the first window, flushed).
    assert sorted((r.src_addr, r.packets) for r in seen) == [("10.0.0.1", 2), ("10.0.0.3", 1)]
    last_record_at = len(data) - (16 + len(capture()[-1][1]))
    assert e.value.offset == last_record_at
    assert e.value.path == str(p) and str(e.value).startswith(f"{p}: at byte {last_record_at}: file is truncated")
    assert e.value.code == 3


def test_a_file_that_is_not_a_capture_is_unsupported(tmp_path):
    p = tmp_path / "text.pcap"
    p.write_bytes(b"hello, this is not a capture file\n")
    with pytest.raises(flowlog.CaptureUnsupportedError) as e:
        flowlog.read_pcap(p)
    assert e.value.offset == 0 and e.value.code == 5


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(flowlog.FlowlogIOError) as e:
        flowlog.read_pcap(tmp_path / "missing.pcap")
    assert isinstance(e.value, OSError) and e.value.code == 6 and "missing.pcap" in str(e.value)


def test_bad_options_are_rejected_before_the_file_is_read(tmp_path):
    with pytest.raises(flowlog.InvalidConfigError, match="window_secs"):
        flowlog.read_pcap(tmp_path / "missing.pcap", window_secs=0)


def test_a_file_truncated_in_place_while_it_is_read_raises_or_ends_never_sigbus(tmp_path):
    # Log rotation by copytruncate: the file shrinks under the reader. The reader reads with
    # read(), never a memory map, so it stops with an error or at what it had read; a mapped
    # reader would kill the interpreter with SIGBUS.
    n = 20_000
    a = udp_frame("10.0.0.1", "10.0.0.2", 1111, 53, payload_len=10)
    p = tmp_path / "rotated.pcap"
    p.write_bytes(pcap([(T0 + i * SEC, a) for i in range(n)]))
    it = flowlog.read_pcap(p, window_secs=1)   # one record per packet, as each window closes
    seen = [next(it) for _ in range(10)]
    os.truncate(p, 30)
    try:
        for r in it:
            seen.append(r)
    except flowlog.CaptureTruncatedError as e:
        assert e.path == str(p)
    assert 10 <= len(seen) < n
