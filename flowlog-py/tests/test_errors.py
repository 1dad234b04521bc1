"""Exceptions: one class per core ErrorKind under flowlog.FlowlogError, message = core Display."""

import pytest

import flowlog
from flowlog import _flowlog

EXPECTED = {  # ErrorKind number -> (class, extra built-in base) as docs/python.md documents them
    1: (flowlog.InvalidConfigError, ValueError),
    2: (flowlog.BufferTooSmallError, None),
    3: (flowlog.CaptureTruncatedError, None),
    4: (flowlog.CaptureMalformedError, None),
    5: (flowlog.CaptureUnsupportedError, None),
    6: (flowlog.FlowlogIOError, OSError),
}


def test_every_core_error_kind_has_its_own_class():
    kinds = _flowlog._error_kinds()
    assert [code for code, _ in kinds] == sorted(EXPECTED)
    classes = set()
    for code, name in kinds:
        cls, builtin = EXPECTED[code]
        exc = _flowlog._sample_error(code)
        assert type(exc) is cls
        assert isinstance(exc, flowlog.FlowlogError) and isinstance(exc, Exception)
        if builtin is not None:
            assert isinstance(exc, builtin)
        assert exc.code == code == cls.code
        assert exc.kind == name
        classes.add(cls)
    assert len(classes) == len(EXPECTED)


def test_messages_and_attributes_are_the_cores():
    e = _flowlog._sample_error(1)
    assert (str(e), e.field) == ("config field 'max_flows': sample", "max_flows")
    e = _flowlog._sample_error(2)
    assert (str(e), e.required) == ("output buffer too small: a record needs 99 bytes", 99)
    e = _flowlog._sample_error(3)
    assert (str(e), e.offset) == ("at byte 24: file is truncated", 24)
    assert str(_flowlog._sample_error(5)) == "at byte 24: not a pcap or pcapng file (unknown magic number)"
    assert str(_flowlog._sample_error(6)) == "at byte 24: read error: permission denied"


def test_an_unknown_kind_number_is_refused():
    with pytest.raises(ValueError):
        _flowlog._sample_error(99)


def test_the_base_class_catches_them_all():
    with pytest.raises(flowlog.FlowlogError):
        flowlog.Meter(max_flows=0)
    with pytest.raises(flowlog.FlowlogError):
        flowlog.read_pcap("/nonexistent/capture.pcap")
