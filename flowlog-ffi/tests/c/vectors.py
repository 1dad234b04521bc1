#!/usr/bin/env python3
"""Turn the shared test vectors (flowlog-core/tests/vectors/*.json) into what the C tests read.

    vectors.py lines  OUT            every vector in a line format a small C reader can parse
    vectors.py pcapng VECTOR.json OUT the vector's frames as a pcapng file (nanosecond timestamps;
                                      a frame without timestamp becomes a simple packet block)

Line format, one vector after another:
    vector NAME
    config WINDOW_SECS MAX_FLOWS MAX_FRAGMENTS DECAP ACCOUNTING ICMP_IN_PORTS KEY_VLAN KEY_TUNNEL
    frame TS_NS|- LINK_TYPE ORIG_LEN OBSERVATION_POINT HEX
    counter NAME VALUE
    text FORMAT NBYTES      (FORMAT 0 jsonl, 1 sls, 2 aws, 3 csv: flowlog_format values)
    <NBYTES raw bytes>
    end
"""
import json
import pathlib
import struct
import sys

VECTORS = pathlib.Path(__file__).resolve().parents[3] / "flowlog-core" / "tests" / "vectors"
DECAP = {"all": 0, "none": 1}
ACCOUNTING = {"ip": 0, "l2": 1}
FORMATS = ["jsonl", "sls", "aws", "csv"]


def lines(out_path):
    files = sorted(VECTORS.glob("*.json"))
    if not files:
        sys.exit(f"no vectors in {VECTORS}")
    with open(out_path, "wb") as out:
        for f in files:
            v = json.loads(f.read_text())
            c = v["config"]
            out.write(f"vector {v['name']}\n".encode())
            out.write(
                "config {} {} {} {} {} {} {} {}\n".format(
                    c["window_secs"], c["max_flows"], c["max_fragments"], DECAP[c["decap"]],
                    ACCOUNTING[c["accounting"]], int(c["icmp_in_ports"]), int(c["key_vlan"]),
                    int(c["key_tunnel"])).encode())
            for fr in v["frames"]:
                ts = fr["ts_ns"] if fr["ts_ns"] is not None else "-"
                out.write(f"frame {ts} {fr['link_type']} {fr['orig_len']} {fr['observation_point']} "
                          f"{fr['data']}\n".encode())
            for name, value in v["expected"]["counters"].items():
                out.write(f"counter {name} {value}\n".encode())
            for i, name in enumerate(FORMATS):
                text = v["expected"][name].encode()
                out.write(f"text {i} {len(text)}\n".encode() + text + b"\n")
            out.write(b"end\n")


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng(vector_path, out_path):
    v = json.loads(pathlib.Path(vector_path).read_text())
    frames = v["frames"]
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    interfaces = max(fr["observation_point"] for fr in frames) + 1
    for fr in frames:
        if fr["link_type"] != frames[0]["link_type"]:
            sys.exit("one link type per vector expected")
    for _ in range(interfaces):
        # if_tsresol = 9 (nanoseconds), then end of options
        opts = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
        out += block(1, struct.pack("<HHI", frames[0]["link_type"], 0, 0) + opts)
    for fr in frames:
        data = bytes.fromhex(fr["data"])
        if fr["ts_ns"] is None:
            if fr["observation_point"] != 0:
                sys.exit("a frame without timestamp must be on interface 0")
            out += block(3, struct.pack("<I", fr["orig_len"]) + data)
        else:
            ts = int(fr["ts_ns"])
            out += block(6, struct.pack("<IIIII", fr["observation_point"], ts >> 32, ts & 0xFFFFFFFF,
                                        len(data), fr["orig_len"]) + data)
    pathlib.Path(out_path).write_bytes(out)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "lines":
        lines(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "pcapng":
        pcapng(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
