# Type stubs of the native module, checked against it by `python -m mypy.stubtest`.
from collections.abc import Iterable, Iterator, Sequence
from os import PathLike

from typing_extensions import Buffer
from typing import Any, Final, Literal, Self, TypedDict, Unpack, final, type_check_only

MAX_RECORD_LEN: Final[int]
OPTION_NAMES: Final[list[str]]
TUNNEL_NAMES: Final[list[str]]
RECORD_FIELDS: Final[list[str]]
__version__: Final[str]
__all__ = [
    "BufferTooSmallError",
    "CaptureMalformedError",
    "CaptureTruncatedError",
    "CaptureUnsupportedError",
    "FlowlogError",
    "FlowlogIOError",
    "InvalidConfigError",
    "MAX_RECORD_LEN",
    "Meter",
    "OPTION_NAMES",
    "PcapRecords",
    "RECORD_FIELDS",
    "Record",
    "TUNNEL_NAMES",
    "__version__",
    "_error_kinds",
    "_record_columns",
    "_sample_error",
    "format_records",
    "read_pcap",
]

_IntArray = Buffer | Sequence[int]
_Format = Literal["jsonl", "sls", "aws", "csv"]

@type_check_only
class _TunnelPorts(TypedDict, total=False):
    vxlan: Iterable[int]
    geneve: Iterable[int]
    gtp_u: Iterable[int]
    teredo: Iterable[int]
    mpls_udp: Iterable[int]
    gre_udp: Iterable[int]

@type_check_only
class MeterOptions(TypedDict, total=False):
    window_secs: int
    max_flows: int
    max_fragments: int
    decap: Literal["all", "none"]
    accounting: Literal["ip", "l2"]
    icmp_in_ports: bool
    key_vlan: bool
    key_tunnel: bool
    tunnel_ports: _TunnelPorts
    hash_seed: int | None

class FlowlogError(Exception):
    code: int
    kind: str | None
    offset: int | None
    path: str | None
    field: str | None
    required: int | None

class InvalidConfigError(FlowlogError, ValueError): ...
class BufferTooSmallError(FlowlogError): ...
class CaptureTruncatedError(FlowlogError): ...
class CaptureMalformedError(FlowlogError): ...
class CaptureUnsupportedError(FlowlogError): ...
class FlowlogIOError(FlowlogError, OSError): ...

@final
class Record:
    @property
    def src_addr(self) -> str: ...
    @property
    def dst_addr(self) -> str: ...
    @property
    def src_port(self) -> int: ...
    @property
    def dst_port(self) -> int: ...
    @property
    def protocol(self) -> int: ...
    @property
    def ip_version(self) -> int: ...
    @property
    def observation_point(self) -> int: ...
    @property
    def vlan(self) -> int: ...
    @property
    def tunnel_id(self) -> int: ...
    @property
    def direction(self) -> Literal["in", "out", "-"]: ...
    @property
    def action(self) -> Literal["ACCEPT", "REJECT"]: ...
    @property
    def packets(self) -> int: ...
    @property
    def bytes(self) -> int: ...
    @property
    def start_ns(self) -> int: ...
    @property
    def end_ns(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def tcp_flags(self) -> int: ...
    @property
    def tcp_syn_ack(self) -> bool: ...
    @property
    def has_icmp(self) -> bool: ...
    @property
    def icmp_type(self) -> int | None: ...
    @property
    def icmp_code(self) -> int | None: ...
    @property
    def window_start(self) -> int: ...
    @property
    def window_secs(self) -> int: ...
    @property
    def end_reason(self) -> Literal["window", "evicted", "flush", "packet_limit"]: ...
    @property
    def log_status(self) -> Literal["OK", "NODATA", "SKIPDATA"]: ...
    def as_dict(self) -> dict[str, int | str | bool | None]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Meter:
    def __new__(cls, **options: Unpack[MeterOptions]) -> Meter: ...
    def process(
        self,
        data: Buffer,
        ts_ns: int | None,
        *,
        link_type: int = 1,
        orig_len: int | None = None,
        observation_point: int = 0,
        direction: Literal["in", "out", "-"] | None = None,
        action: Literal["ACCEPT", "REJECT"] | None = None,
    ) -> list[Record]: ...
    def process_batch(
        self,
        data: Buffer,
        offsets: _IntArray,
        lengths: _IntArray,
        timestamps: _IntArray,
        *,
        link_type: int = 1,
        orig_lens: _IntArray | None = None,
        observation_point: int = 0,
        direction: Literal["in", "out", "-"] | None = None,
        action: Literal["ACCEPT", "REJECT"] | None = None,
    ) -> list[Record]: ...
    def flush(self) -> list[Record]: ...
    @property
    def counters(self) -> dict[str, int]: ...
    @property
    def active_flows(self) -> int: ...
    @property
    def window_start_ns(self) -> int | None: ...
    @property
    def heap_bytes(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *_args: object) -> None: ...

@final
class PcapRecords(Iterator[Record]):
    def __iter__(self) -> PcapRecords: ...
    def __next__(self) -> Record: ...
    @property
    def counters(self) -> dict[str, int]: ...

def read_pcap(path: str | PathLike[str], **options: Unpack[MeterOptions]) -> PcapRecords: ...
def format_records(records: Iterable[Record], format: _Format, fields: str | None = None) -> str: ...
def _error_kinds() -> list[tuple[int, str]]: ...
def _record_columns(records: Iterable[Record]) -> dict[str, list[Any]]: ...
def _sample_error(code: int) -> FlowlogError: ...
