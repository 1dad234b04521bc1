"""Frames and pcap files built in code for the tests (stdlib struct only, no fixtures on disk)."""

from __future__ import annotations

import ipaddress
import struct

ETH_SRC = bytes.fromhex("020000000001")
ETH_DST = bytes.fromhex("020000000002")
T0 = 1_700_000_040_000_000_000  # a window start for 60 s windows (1700000040 = 28333334 * 60)


def ipv4(src: str, dst: str, proto: int, payload: bytes) -> bytes:
    total = 20 + len(payload)
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45, 0, total, 0, 0x4000, 64, proto, 0,
        ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed,
    )
    return header + payload


def udp(sport: int, dport: int, payload: bytes = b"") -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport: int, dport: int, flags: int, payload: bytes = b"") -> bytes:
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 65535, 0, 0) + payload


def ether(ip_packet: bytes, ethertype: int = 0x0800) -> bytes:
    return ETH_DST + ETH_SRC + struct.pack("!H", ethertype) + ip_packet


def udp_frame(src: str, dst: str, sport: int, dport: int, payload_len: int = 0) -> bytes:
    return ether(ipv4(src, dst, 17, udp(sport, dport, bytes(payload_len))))


def tcp_frame(src: str, dst: str, sport: int, dport: int, flags: int = 0x10, payload_len: int = 0) -> bytes:
    return ether(ipv4(src, dst, 6, tcp(sport, dport, flags, bytes(payload_len))))


def pcap(frames: list[tuple[int, bytes]], link_type: int = 1) -> bytes:
    """A little-endian nanosecond pcap file of (ts_ns, frame) records."""
    out = bytearray(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, link_type))
    for ts, data in frames:
        out += struct.pack("<IIII", ts // 1_000_000_000, ts % 1_000_000_000, len(data), len(data))
        out += data
    return bytes(out)


def traffic(n: int, flows: int, size: int = 64, t0: int = T0, step_ns: int = 1000) -> tuple[bytes, list[int]]:
    """`n` TCP frames of `size` bytes over `flows` distinct 5-tuples, concatenated, and their times."""
    assert size >= 54
    frames = bytearray()
    for i in range(n):
        f = i % flows
        frame = tcp_frame(f"10.{(f >> 16) & 255}.{(f >> 8) & 255}.{f & 255}", "192.0.2.1", 1024 + (f % 50000), 443,
                          payload_len=size - 54)
        frames += frame
    return bytes(frames), [t0 + i * step_ns for i in range(n)]
