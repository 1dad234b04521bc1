"""Options: the core's Config as keyword arguments, validated, errors naming the option."""

import pytest

import flowlog
from packets import T0, udp_frame


def test_defaults_are_the_cores():
    m = flowlog.Meter()
    assert "window_secs=600" in repr(m) and "max_flows=65536" in repr(m)


def test_every_option_name_is_accepted():
    flowlog.Meter(window_secs=60, max_flows=8, max_fragments=8, decap="none", accounting="l2",
                  icmp_in_ports=True, key_vlan=True, key_tunnel=True,
                  tunnel_ports={"vxlan": [4789], "geneve": [], "gtp_u": [2152], "teredo": [3544],
                                "mpls_udp": [6635], "gre_udp": [4754]},
                  hash_seed=42)
    assert sorted(flowlog.OPTION_NAMES) == sorted(
        ["window_secs", "max_flows", "max_fragments", "decap", "accounting", "icmp_in_ports", "key_vlan",
         "key_tunnel", "tunnel_ports", "hash_seed"])


@pytest.mark.parametrize("option,value,field", [
    ("window_secs", 0, "window_secs"),
    ("window_secs", -60, "window_secs"),
    ("window_secs", 10**30, "window_secs"),
    ("window_secs", 100 * 366 * 86400 + 1, "window_secs"),
    ("max_flows", 0, "max_flows"),
    ("max_flows", 2**28 + 1, "max_flows"),
    ("max_flows", 2**40, "max_flows"),
    ("max_fragments", -1, "max_fragments"),
    ("decap", "some", "decap"),
    ("accounting", "bytes", "accounting"),
    ("tunnel_ports", {"vxlan": list(range(9))}, "tunnel_ports"),
    ("tunnel_ports", {"vxlan": [70000]}, "tunnel_ports"),
    ("tunnel_ports", {"nvgre": [1]}, "tunnel_ports"),
])
def test_a_bad_value_raises_invalid_config_naming_the_field(option, value, field):
    with pytest.raises(flowlog.InvalidConfigError) as e:
        flowlog.Meter(**{option: value})
    assert e.value.field == field
    assert str(e.value).startswith(f"config field '{field}':")
    assert isinstance(e.value, ValueError) and e.value.code == 1


def test_the_range_message_is_the_cores():
    with pytest.raises(flowlog.InvalidConfigError, match=r"^config field 'max_flows': must be between 1 and 268435456$"):
        flowlog.Meter(max_flows=-5)


@pytest.mark.parametrize("option,value", [
    ("window_secs", "60"), ("window_secs", 60.0), ("window_secs", True), ("max_flows", None),
    ("decap", 1), ("icmp_in_ports", 1), ("key_vlan", "yes"), ("tunnel_ports", [4789]), ("hash_seed", "1"),
])
def test_a_value_of_the_wrong_type_raises_type_error_naming_the_option(option, value):
    with pytest.raises(TypeError, match=f"option '{option}'|{option}"):
        flowlog.Meter(**{option: value})


def test_an_unknown_option_raises_type_error_naming_it():
    with pytest.raises(TypeError, match="unknown option 'windows'"):
        flowlog.Meter(windows=60)
    with pytest.raises(TypeError, match="unknown option 'windows'"):
        flowlog.read_pcap("/nonexistent", windows=60)


def test_hash_seed_out_of_range_is_a_value_error():
    with pytest.raises(ValueError, match="hash_seed"):
        flowlog.Meter(hash_seed=-1)
    flowlog.Meter(hash_seed=None)


def test_options_change_behaviour_as_the_core_defines():
    # icmp_in_ports is exercised by the shared vectors; here: a custom VXLAN port list.
    frame = udp_frame("10.0.0.1", "10.0.0.2", 1000, 4789)  # UDP to 4789 with no VXLAN inside
    m = flowlog.Meter(tunnel_ports={"vxlan": []})
    m.process(frame, T0)
    (r,) = m.flush()
    assert (r.dst_port, r.protocol) == (4789, 17)
