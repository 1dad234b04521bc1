"""SPEC: one behaviour everywhere — the shared test vectors, byte for byte, through this binding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import flowlog

VECTORS = Path(__file__).resolve().parents[2] / "flowlog-core" / "tests" / "vectors"
FILES = sorted(VECTORS.glob("*.json"))
FORMATS = ("jsonl", "sls", "aws", "csv")


def test_the_shared_vectors_are_present():
    assert FILES, f"no *.json test vectors in {VECTORS}"


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def ts(frame: dict) -> int | None:
    return None if frame["ts_ns"] is None else int(frame["ts_ns"])


def run_one_by_one(v: dict) -> tuple[list[flowlog.Record], dict[str, int]]:
    meter = flowlog.Meter(**v["config"])
    records: list[flowlog.Record] = []
    for f in v["frames"]:
        records += meter.process(bytes.fromhex(f["data"]), ts(f), link_type=f["link_type"],
                                 orig_len=f["orig_len"], observation_point=f["observation_point"])
    records += meter.flush()
    return records, meter.counters


def run_batched(v: dict) -> tuple[list[flowlog.Record], dict[str, int]]:
    """The same frames through process_batch: consecutive frames sharing link type and
    observation point form one batch (frames without a timestamp go through process)."""
    meter = flowlog.Meter(**v["config"])
    records: list[flowlog.Record] = []
    frames = v["frames"]
    i = 0
    while i < len(frames):
        f = frames[i]
        if f["ts_ns"] is None:
            records += meter.process(bytes.fromhex(f["data"]), None, link_type=f["link_type"],
                                     orig_len=f["orig_len"], observation_point=f["observation_point"])
            i += 1
            continue
        j = i
        while (j < len(frames) and frames[j]["ts_ns"] is not None
               and frames[j]["link_type"] == f["link_type"]
               and frames[j]["observation_point"] == f["observation_point"]):
            j += 1
        group = frames[i:j]
        buf = bytearray()
        offsets, lengths = [], []
        for g in group:
            offsets.append(len(buf))
            data = bytes.fromhex(g["data"])
            lengths.append(len(data))
            buf += data
        records += meter.process_batch(memoryview(bytes(buf)), offsets, lengths, [ts(g) for g in group],
                                       link_type=f["link_type"], orig_lens=[g["orig_len"] for g in group],
                                       observation_point=f["observation_point"])
        i = j
    records += meter.flush()
    return records, meter.counters


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
@pytest.mark.parametrize("run", [run_one_by_one, run_batched], ids=["process", "process_batch"])
def test_vector_output_is_byte_for_byte_the_expected_text(path: Path, run) -> None:
    v = load(path)
    records, counters = run(v)
    for fmt in FORMATS:
        assert flowlog.format_records(records, fmt) == v["expected"][fmt], f"{path.name}: {fmt}"
    for name, value in v["expected"]["counters"].items():
        assert counters[name] == value, f"{path.name}: counter {name}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_record_columns_hold_every_attribute_of_every_record_in_order(path: Path):
    records, _ = run_one_by_one(load(path))
    columns = flowlog._record_columns(records)
    assert list(columns) == list(flowlog.RECORD_FIELDS)
    for name in flowlog.RECORD_FIELDS:
        assert columns[name] == [getattr(r, name) for r in records], name
    assert [r.as_dict() for r in records] == [dict(zip(columns, row)) for row in zip(*columns.values())]
    with pytest.raises(TypeError):
        flowlog._record_columns([*records[:1], object()])
