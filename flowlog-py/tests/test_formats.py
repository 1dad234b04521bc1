"""format_records and the optional pandas / pyarrow conversions."""

import importlib.util

import pytest

import flowlog
from packets import T0, udp_frame


def records():
    m = flowlog.Meter(window_secs=60)
    m.process(udp_frame("10.0.0.1", "192.0.2.9", 5353, 53, payload_len=12), T0 + 5 * 10**9)
    m.process(udp_frame("10.0.0.2", "192.0.2.9", 5354, 53), T0 + 6 * 10**9)
    return sorted(m.flush(), key=lambda r: r.src_addr)


def test_aws_text_is_the_default_version_2_line_with_its_header():
    text = flowlog.format_records(records(), "aws")
    lines = text.splitlines()
    assert lines[0] == ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
                        "start end action log-status")
    assert lines[1] == "2 - - 10.0.0.1 192.0.2.9 5353 53 17 1 40 1700000045 1700000045 ACCEPT OK"
    assert text.endswith("\n") and len(lines) == 3


def test_a_custom_aws_field_list():
    text = flowlog.format_records(records(), "aws", fields="${srcaddr} ${packets}")
    assert text == "srcaddr packets\n10.0.0.1 1\n10.0.0.2 1\n"


def test_bad_format_or_fields_are_invalid_config():
    with pytest.raises(flowlog.InvalidConfigError, match="format"):
        flowlog.format_records([], "xml")
    with pytest.raises(flowlog.InvalidConfigError, match="fields"):
        flowlog.format_records([], "aws", fields="${nope}")
    with pytest.raises(flowlog.InvalidConfigError, match="fields"):
        flowlog.format_records([], "csv", fields="${srcaddr}")
    with pytest.raises(TypeError, match=r"records\[0\]"):
        flowlog.format_records([object()], "jsonl")


def test_jsonl_has_one_line_per_record_and_no_header():
    assert flowlog.format_records(records(), "jsonl").count("\n") == 2
    assert flowlog.format_records([], "jsonl") == ""


def test_to_pandas():
    if importlib.util.find_spec("pandas") is None:
        pytest.skip("pandas is not installed (optional extra flowlog[pandas])")
    df = flowlog.to_pandas(records())
    assert list(df.columns) == list(flowlog.RECORD_FIELDS)
    assert df["src_addr"].tolist() == ["10.0.0.1", "10.0.0.2"]
    assert df["bytes"].tolist() == [40, 28]


def test_to_arrow():
    if importlib.util.find_spec("pyarrow") is None:
        pytest.skip("pyarrow is not installed (optional extra flowlog[arrow])")
    import pyarrow as pa

    t = flowlog.to_arrow(records())
    assert t.num_rows == 2 and t.column_names == list(flowlog.RECORD_FIELDS)
    assert t.schema.field("bytes").type == pa.uint64()
    assert t.column("dst_port").to_pylist() == [53, 53]
    assert t.column("icmp_type").null_count == 2
