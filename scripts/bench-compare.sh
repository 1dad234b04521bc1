#!/usr/bin/env bash
# bench-compare.sh: whole-process throughput and peak memory of flowlog against other flow meters
# reading the same capture file.
#
# What it measures
#   1. A synthetic VPC capture from the project's own generator (flowlog-testkit's gen_capture:
#      PACKETS packets over PACKETS/20 heavy-tailed flows in 12 minutes, IMIX frame sizes cut to
#      SNAPLEN bytes, IPv4/IPv6, VLANs, a little VXLAN and fragmentation) read by each tool, timed
#      as a whole process (start-up, reading, metering, final flush/output) with hyperfine (or
#      RUNS plain repeated runs when hyperfine is missing), and peak RSS from one run under
#      `/usr/bin/time -v` (when it is installed):
#        flowlog    target/release/flowlog read FILE --output /dev/null
#        softflowd  softflowd -r FILE -d -6 -c none -m 4000000 -p PIDFILE
#                   (-r reads the file and exits at EOF, -d stays in the foreground, no -n means no
#                   NetFlow export (statistics-only mode), -6 tracks IPv6 too, -c none disables
#                   the control socket: softflowd 1.1.0 blocks in accept() on it in -r mode when
#                   -c comes after -r)
#        pmacctd    pmacctd -f CONF: pcap_savefile, print plugin aggregated by the 5-tuple, CSV
#                   written once at exit (pmacctd sleeps 2 s before reading a savefile, which is
#                   included in its time)
#        nfstream   python3 -c 'NFStreamer(source=FILE, n_dissections=0,
#                   statistical_analysis=False)' counting flows (its own defaults otherwise,
#                   n_meters = auto, i.e. several processes)
#      Table: tool, seconds (mean ± sd), Mpps, peak RSS MiB, flows/records seen; then the ratios
#      flowlog/softflowd and flowlog/nfstream in packets per second.
#   2. The realistic corpus (CORPUS/realistic/*.pcap of the most common link type)
#      concatenated REPEAT times into one pcap (timestamps rebased so they ascend), and
#      `cat FILE > /dev/null` against flowlog on it: how close flowlog gets to just reading the
#      bytes from the page cache. Besides the table rows (RUNS runs of each, one tool after the
#      other), PAIRS interleaved pairs (cat, then flowlog, again and again) give the ratio: each
#      pair's two runs meet the same state of the machine, so a slow phase of a shared host moves
#      both, and the median of the pairs' ratios is the figure reported. Skipped when the corpus
#      is missing.
# How to run (from anywhere; paths are relative to the workspace root)
#   scripts/bench-compare.sh [--install]
#   --install: apt-get install the missing softflowd, pmacct, hyperfine and time, and pip install
#   nfstream (as root, or through passwordless sudo). Without it nothing is installed: a tool that
#   is missing is reported as such and the others run.
# Environment overrides (defaults in brackets):
#   PACKETS [2000000]  SNAPLEN [128]  SEED [1]  RUNS [3]  REPEAT [40]  PAIRS [21]
#   CORPUS [$FLOWLOG_CORPUS or ../shared/corpus]
#   WORK [target/bench-compare]: where captures, configs and logs go (never committed)
#   TOOLS ["flowlog softflowd pmacctd nfstream"]: which tools to run
# Stops at the first error of its own (a build, the capture generator); a compared tool that fails
# is reported as such and the script carries on.

set -euo pipefail

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

INSTALL=0
for arg in "$@"; do
    case $arg in
    --install) INSTALL=1 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        printf 'bench-compare.sh: unknown argument %s (see --help)\n' "$arg" >&2
        exit 64
        ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PACKETS=${PACKETS:-2000000}
SNAPLEN=${SNAPLEN:-128}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
REPEAT=${REPEAT:-40}
PAIRS=${PAIRS:-21}
CORPUS=${CORPUS:-${FLOWLOG_CORPUS:-../shared/corpus}}
WORK=${WORK:-target/bench-compare}
TOOLS=${TOOLS:-"flowlog softflowd pmacctd nfstream"}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

say() { printf '== %s\n' "$*" >&2; }
warn() { printf '!! %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
want() { [[ " $TOOLS " == *" $1 "* ]]; }
has_nfstream() { python3 -c 'import nfstream' >/dev/null 2>&1; }

# ---- 1. tools (only with --install) ---------------------------------------------------------
install_missing() {
    local pkgs=() sudo=()
    if want softflowd && ! have softflowd; then pkgs+=(softflowd); fi
    if want pmacctd && ! have pmacctd; then pkgs+=(pmacct); fi
    if ! have hyperfine; then pkgs+=(hyperfine); fi
    if [ ! -x /usr/bin/time ]; then pkgs+=(time); fi
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo -n); fi
    if ((${#pkgs[@]})); then
        if ! have apt-get; then
            warn "no apt-get: cannot install ${pkgs[*]}"
        else
            say "installing ${pkgs[*]} (apt-get; log in $WORK/apt.log)"
            "${sudo[@]}" apt-get update -qq >"$WORK/apt.log" 2>&1
            DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${pkgs[@]}" >>"$WORK/apt.log" 2>&1
        fi
    fi
    if want nfstream && ! has_nfstream; then
        say "installing nfstream (pip; log in $WORK/pip.log)"
        python3 -m pip install -q nfstream >"$WORK/pip.log" 2>&1
    fi
}
if [ "$INSTALL" = 1 ]; then
    install_missing
fi

# ---- 2. inputs ------------------------------------------------------------------------------
FILE="$WORK/gen-capture-p$PACKETS-s$SEED-l$SNAPLEN.pcap"
if [ ! -s "$FILE" ]; then
    say "generating $FILE"
    cargo run --release -q -p flowlog-testkit --example gen_capture -- "$FILE.tmp" --packets "$PACKETS" \
        --flows $((PACKETS / 20 > 100 ? PACKETS / 20 : 100)) --seed "$SEED" --snaplen "$SNAPLEN" --imix --minutes 12
    mv "$FILE.tmp" "$FILE"
fi

REAL="$WORK/realistic-x$REPEAT.pcap"
if [ ! -d "$CORPUS/realistic" ]; then
    warn "no corpus at $CORPUS/realistic: the comparison with cat is skipped"
elif [ ! -s "$REAL" ]; then
    say "concatenating $CORPUS/realistic/*.pcap x$REPEAT into $REAL"
    python3 - "$CORPUS/realistic" "$REPEAT" "$REAL" <<'PY'
# Concatenate the records of every classic pcap in DIR with the most common link type into one
# little-endian microsecond pcap, REPEAT times; timestamps are rebased to follow one another (real
# gaps kept up to a minute, 1 s between files), so the result ascends like one long capture.
import glob, os, struct, sys
from collections import Counter
src, repeat, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = []
for path in sorted(glob.glob(os.path.join(src, '*.pcap'))):
    data = open(path, 'rb').read()
    magic = data[:4]
    kinds = {b'\xd4\xc3\xb2\xa1': ('<', 1000), b'\xa1\xb2\xc3\xd4': ('>', 1000),
             b'\x4d\x3c\xb2\xa1': ('<', 1), b'\xa1\xb2\x3c\x4d': ('>', 1)}
    if magic not in kinds:
        print(f'skip {path}: not classic pcap', file=sys.stderr); continue
    e, ns_per_unit = kinds[magic]
    link = struct.unpack(e + 'I', data[20:24])[0] & 0x0fffffff
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16])
        if off + 16 + incl > len(data): break
        recs.append((sec * 10**9 + frac * ns_per_unit, orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    if recs: files.append((path, link, recs))
link = Counter(l for _, l, r in files for _ in r).most_common(1)[0][0]
files = [f for f in files if f[1] == link]
n, cursor = 0, 1_700_000_000 * 10**9
with open(out + '.tmp', 'wb') as w:
    w.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, link))
    for _ in range(repeat):
        for _, _, recs in files:
            prev = recs[0][0]
            for ts, orig, frame in recs:
                gap = ts - prev
                prev = ts
                # Keep real gaps; a backwards step or a jump of over a minute becomes 1 µs.
                cursor += gap if 0 <= gap <= 60 * 10**9 else 1000
                w.write(struct.pack('<IIII', cursor // 10**9, cursor % 10**9 // 1000, len(frame), orig))
                w.write(frame)
                n += 1
            cursor += 10**9
os.replace(out + '.tmp', out)
open(out + '.packets', 'w').write(str(n))
print(f'{out}: {n} packets, link type {link}, {len(files)} files x {repeat}', file=sys.stderr)
PY
fi

# ---- 3. flowlog -----------------------------------------------------------------------------
FLOWLOG="$ROOT/target/release/flowlog"
if want flowlog; then
    say "building flowlog (release)"
    cargo build --release -q -p flowlog-cli
fi

cat >"$WORK/pmacctd.conf" <<EOF
daemonize: false
pcap_savefile: $FILE
pcap_savefile_wait: false
plugins: print[flows]
aggregate[flows]: src_host, dst_host, src_port, dst_port, proto
print_output[flows]: csv
print_output_file[flows]: $WORK/pmacctd-flows.csv
print_refresh_time[flows]: 86400
print_cache_entries[flows]: 131101
plugin_pipe_size[flows]: 104857600
plugin_buffer_size[flows]: 1048576
EOF

cat >"$WORK/nfstream_count.py" <<'EOF'
import sys
from nfstream import NFStreamer
n = sum(1 for _ in NFStreamer(source=sys.argv[1], n_dissections=0, statistical_analysis=False))
print(f"flows {n}")
EOF

cmd_for() { # tool file -> shell command
    case $1 in
    flowlog) echo "$FLOWLOG read '$2' --output /dev/null" ;;
    softflowd) echo "softflowd -r '$2' -d -6 -c none -m 4000000 -p '$WORK/softflowd.pid'" ;;
    pmacctd) echo "pmacctd -f '$WORK/pmacctd.conf'" ;;
    nfstream) echo "python3 '$WORK/nfstream_count.py' '$2'" ;;
    cat) echo "cat '$2' > /dev/null" ;;
    esac
}

available() {
    case $1 in
    flowlog) [ -x "$FLOWLOG" ] ;;
    softflowd | pmacctd) have "$1" ;;
    nfstream) has_nfstream ;;
    cat) true ;;
    esac
}

# How many flows/records the tool reported (a sanity check that it really read the file).
flows_seen() { # tool logfile
    case $1 in
    softflowd) sed -n 's/^Flows expired: \([0-9]*\).*/\1/p' "$2" | head -n 1 ;;
    pmacctd)
        if [ -s "$WORK/pmacctd-flows.csv" ]; then
            echo $(($(wc -l <"$WORK/pmacctd-flows.csv") - 1))
        else
            echo "-"
        fi
        ;;
    nfstream) sed -n 's/^flows \([0-9]*\)$/\1/p' "$2" ;;
    *) echo "-" ;;
    esac
}

# measure TOOL FILE -> sets M_SECS M_SD M_RSS M_FLOWS M_STATUS
measure() {
    local tool=$1 file=$2 cmd log
    cmd=$(cmd_for "$tool" "$file")
    log="$WORK/$tool-$(basename "$file").log"
    M_SECS="" M_SD="" M_RSS="" M_FLOWS="-" M_STATUS=ok
    local rc=0
    if ! available "$tool"; then
        M_STATUS="not installed"
        return
    fi
    say "$tool: $cmd"
    # One run under GNU time for peak RSS and the exit status (also warms the page cache).
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v -o "$log.time" bash -c "$cmd" >"$log" 2>&1 || rc=$?
        M_RSS=$(awk -F: '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$log.time")
    else
        bash -c "$cmd" >"$log" 2>&1 || rc=$?
    fi
    if [ "$rc" -ne 0 ]; then
        M_STATUS="failed (exit $rc, see $log)"
        tail -n 3 "$log" >&2
        return
    fi
    M_FLOWS=$(flows_seen "$tool" "$log")
    if have hyperfine; then
        # -N (no intermediate shell) unless the command needs one for a redirection.
        local shell=(-N)
        if [[ $cmd == *'>'* ]]; then shell=(); fi
        if ! hyperfine "${shell[@]}" --warmup 0 --runs "$RUNS" --export-json "$log.json" "$cmd" >/dev/null 2>"$log.hf"; then
            M_STATUS="hyperfine failed (see $log.hf)"
            return
        fi
        read -r M_SECS M_SD < <(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.3f %.3f" % (r["mean"], r["stddev"] or 0))' "$log.json")
    else
        read -r M_SECS M_SD < <(python3 - "$RUNS" "$cmd" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2]
ts = []
for _ in range(runs):
    t = time.perf_counter(); subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); ts.append(time.perf_counter() - t)
print(f"{statistics.mean(ts):.3f} {statistics.stdev(ts) if len(ts) > 1 else 0:.3f}")
PY
)
    fi
}

# Arithmetic on measured values, which reach Python as arguments, never as source text.
mpps() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]) / 1e6:.3f}")' "$1" "$2"; }
times() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}x")' "$1" "$2"; }

declare -A SECS
row() { # tool packets
    if [ "$M_STATUS" = ok ]; then
        SECS[$1]=$M_SECS
        printf '%-10s %10s ± %-7s %9s %12s %12s\n' "$1" "$M_SECS" "$M_SD" "$(mpps "$2" "$M_SECS")" "${M_RSS:--}" "$M_FLOWS"
    else
        printf '%-10s %s\n' "$1" "$M_STATUS"
    fi
}

# ---- 4. run ---------------------------------------------------------------------------------
cat "$FILE" >/dev/null
echo
echo "Synthetic capture: $FILE ($PACKETS packets, snaplen $SNAPLEN, $(du -m "$FILE" | cut -f1) MiB), $RUNS timed runs each"
printf '%-10s %20s %9s %12s %12s\n' tool seconds Mpps "peak RSS MiB" "flows seen"
for tool in $TOOLS; do
    measure "$tool" "$FILE"
    row "$tool" "$PACKETS"
done
ratio() { # a b: pps(a)/pps(b) = secs(b)/secs(a)
    if [ -n "${SECS[$1]:-}" ] && [ -n "${SECS[$2]:-}" ]; then
        printf '%s/%s packets per second: %s\n' "$1" "$2" "$(times "${SECS[$2]}" "${SECS[$1]}")"
    else
        printf '%s/%s packets per second: n/a\n' "$1" "$2"
    fi
}
ratio flowlog softflowd
ratio flowlog nfstream

if [ -s "$REAL" ]; then
    RP=$(cat "$REAL.packets")
    cat "$REAL" >/dev/null
    echo
    echo "Realistic corpus x$REPEAT: $REAL ($RP packets, $(du -m "$REAL" | cut -f1) MiB)"
    printf '%-10s %20s %9s %12s %12s\n' tool seconds Mpps "peak RSS MiB" "flows seen"
    SECS=()
    for tool in cat flowlog; do
        measure "$tool" "$REAL"
        row "$tool" "$RP"
    done
    if [ -n "${SECS[cat]:-}" ] && [ -n "${SECS[flowlog]:-}" ]; then
        printf 'flowlog takes %s the time of cat (means of the rows)\n' "$(times "${SECS[flowlog]}" "${SECS[cat]}")"
        say "$PAIRS interleaved pairs of cat and flowlog"
        python3 - "$PAIRS" "$REAL" "$FLOWLOG" <<'PY'
import statistics, subprocess, sys, time
pairs, real, flowlog = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
cat, meter = ["cat", real], [flowlog, "read", real, "--output", "/dev/null"]
cs, fs = [], []
for _ in range(pairs):
    cs.append(timed(cat))
    fs.append(timed(meter))
rs = sorted(f / c for c, f in zip(cs, fs))
q = statistics.quantiles(rs, n=4) if len(rs) > 1 else [rs[0]] * 3
print(f"{pairs} interleaved pairs: cat median {statistics.median(cs) * 1e3:.1f} ms, flowlog median "
      f"{statistics.median(fs) * 1e3:.1f} ms; flowlog/cat per pair: median {statistics.median(rs):.2f}x "
      f"(quartiles {q[0]:.2f}-{q[2]:.2f}, min {rs[0]:.2f}, max {rs[-1]:.2f})")
PY
    fi
fi
