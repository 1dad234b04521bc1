"""flowlog: packets in, VPC flow-log records out.

A thin binding of the Rust core ``flowlog-core``: every behaviour (parsing, flow keys, capture
windows, record formats) is the core's. Only conversions live here: :func:`to_pandas` and
:func:`to_arrow` for the optional ``pandas`` and ``pyarrow`` packages.

>>> import flowlog
>>> meter = flowlog.Meter(window_secs=60)
>>> pkt = bytes.fromhex("4500001400000000 40fd0000 0a000001 0a000002".replace(" ", ""))
>>> meter.process(pkt, 1_700_000_000_000_000_000, link_type=101)
[]
>>> [r.packets for r in meter.flush()]
[1]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._flowlog import (
    MAX_RECORD_LEN,
    OPTION_NAMES,
    RECORD_FIELDS,
    TUNNEL_NAMES,
    BufferTooSmallError,
    CaptureMalformedError,
    CaptureTruncatedError,
    CaptureUnsupportedError,
    FlowlogError,
    FlowlogIOError,
    InvalidConfigError,
    Meter,
    PcapRecords,
    Record,
    __version__,
    _record_columns,
    format_records,
    read_pcap,
)

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import pyarrow  # type: ignore[import-untyped,import-not-found,unused-ignore]

__all__ = [
    "MAX_RECORD_LEN",
    "OPTION_NAMES",
    "RECORD_FIELDS",
    "TUNNEL_NAMES",
    "BufferTooSmallError",
    "CaptureMalformedError",
    "CaptureTruncatedError",
    "CaptureUnsupportedError",
    "FlowlogError",
    "FlowlogIOError",
    "InvalidConfigError",
    "Meter",
    "PcapRecords",
    "Record",
    "__version__",
    "format_records",
    "read_pcap",
    "to_arrow",
    "to_pandas",
]


def _columns(records: Iterable[Record]) -> dict[str, list[Any]]:
    # Built natively: an attribute lookup per value made 65 536 records take half a second.
    return _record_columns(records)


def to_pandas(records: Iterable[Record]) -> pandas.DataFrame:
    """A ``pandas.DataFrame`` with one row per record and one column per attribute
    (``RECORD_FIELDS``, in that order). Needs ``pandas`` (``pip install flowlog[pandas]``)."""
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - exercised only without pandas
        raise ImportError("flowlog.to_pandas needs pandas: pip install pandas") from e
    return pd.DataFrame(_columns(records), columns=list(RECORD_FIELDS))


def to_arrow(records: Iterable[Record]) -> pyarrow.Table:
    """A ``pyarrow.Table`` with one row per record, typed columns (unsigned integers, strings,
    booleans; ICMP type/code nullable). Needs ``pyarrow`` (``pip install flowlog[arrow]``)."""
    try:
        import pyarrow as pa
    except ImportError as e:  # pragma: no cover - exercised only without pyarrow
        raise ImportError("flowlog.to_arrow needs pyarrow: pip install pyarrow") from e
    types = {
        "src_addr": pa.string(),
        "dst_addr": pa.string(),
        "src_port": pa.uint16(),
        "dst_port": pa.uint16(),
        "protocol": pa.uint8(),
        "ip_version": pa.uint8(),
        "packets": pa.uint64(),
        "bytes": pa.uint64(),
        "start": pa.uint64(),
        "end": pa.uint64(),
        "start_ns": pa.uint64(),
        "end_ns": pa.uint64(),
        "direction": pa.string(),
        "action": pa.string(),
        "log_status": pa.string(),
        "tcp_flags": pa.uint16(),
        "tcp_syn_ack": pa.bool_(),
        "icmp_type": pa.uint8(),
        "icmp_code": pa.uint8(),
        "window_start": pa.uint64(),
        "window_secs": pa.uint64(),
        "end_reason": pa.string(),
        "observation_point": pa.uint32(),
        "vlan": pa.uint16(),
        "tunnel_id": pa.uint32(),
        "has_icmp": pa.bool_(),
    }
    schema = pa.schema([(name, types[name]) for name in RECORD_FIELDS])
    return pa.table(_columns(records), schema=schema)
