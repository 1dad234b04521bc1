package flowlog

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// ---- the shared test vectors ----

type vector struct {
	Name   string `json:"name"`
	Config struct {
		WindowSecs   uint64 `json:"window_secs"`
		MaxFlows     uint32 `json:"max_flows"`
		MaxFragments uint32 `json:"max_fragments"`
		Decap        string `json:"decap"`
		Accounting   string `json:"accounting"`
		ICMPInPorts  bool   `json:"icmp_in_ports"`
		KeyVLAN      bool   `json:"key_vlan"`
		KeyTunnel    bool   `json:"key_tunnel"`
	} `json:"config"`
	Frames []struct {
		TsNs             *string `json:"ts_ns"`
		LinkType         uint32  `json:"link_type"`
		OrigLen          uint32  `json:"orig_len"`
		ObservationPoint uint32  `json:"observation_point"`
		Data             string  `json:"data"`
	} `json:"frames"`
	Expected struct {
		Counters map[string]uint64 `json:"counters"`
		JSONL    string            `json:"jsonl"`
		SLS      string            `json:"sls"`
		AWS      string            `json:"aws"`
		CSV      string            `json:"csv"`
	} `json:"expected"`
}

func loadVectors(t *testing.T) []vector {
	files, err := filepath.Glob(filepath.Join("..", "flowlog-core", "tests", "vectors", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no shared test vectors found (%v)", err)
	}
	sort.Strings(files)
	var vs []vector
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v vector
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		vs = append(vs, v)
	}
	return vs
}

func (v *vector) config(t *testing.T) Config {
	c := DefaultConfig()
	c.WindowSecs, c.MaxFlows, c.MaxFragments = v.Config.WindowSecs, v.Config.MaxFlows, v.Config.MaxFragments
	switch v.Config.Decap {
	case "all":
		c.Decap = DecapAll
	case "none":
		c.Decap = DecapNone
	default:
		t.Fatalf("decap %q", v.Config.Decap)
	}
	switch v.Config.Accounting {
	case "ip":
		c.Accounting = AccountingIP
	case "l2":
		c.Accounting = AccountingL2
	default:
		t.Fatalf("accounting %q", v.Config.Accounting)
	}
	c.ICMPInPorts, c.KeyVLAN, c.KeyTunnel = v.Config.ICMPInPorts, v.Config.KeyVLAN, v.Config.KeyTunnel
	return c
}

func (v *vector) batch(t *testing.T) ([]byte, []Packet) {
	var buf []byte
	var pkts []Packet
	for _, f := range v.Frames {
		data, err := hex.DecodeString(f.Data)
		if err != nil {
			t.Fatal(err)
		}
		p := Packet{Offset: uintptr(len(buf)), Len: uint32(len(data)), OrigLen: f.OrigLen, LinkType: f.LinkType,
			ObservationPoint: f.ObservationPoint, TsKind: TsMissing}
		if f.TsNs != nil {
			ts, err := strconv.ParseUint(*f.TsNs, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			p.TsNs, p.TsKind = ts, TsNs
		}
		pkts = append(pkts, p)
		buf = append(buf, data...)
	}
	return buf, pkts
}

// meterAll meters every packet through ProcessBatch with room for outCap records per call, then
// flushes, and returns the records in emission order.
func meterAll(t *testing.T, m *Meter, buf []byte, pkts []Packet, outCap int) []Record {
	t.Helper()
	var all []Record
	out := make([]Record, outCap)
	for len(pkts) > 0 {
		done, n, err := m.ProcessBatch(buf, pkts, out)
		if err != nil {
			t.Fatal(err)
		}
		if done == 0 && n == 0 {
			t.Fatal("ProcessBatch made no progress")
		}
		all = append(all, out[:n]...)
		pkts = pkts[done:]
	}
	for {
		n, err := m.Flush(out)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out[:n]...)
		if n < len(out) {
			break
		}
	}
	if m.Pending() != 0 {
		t.Fatalf("%d records still pending", m.Pending())
	}
	return all
}

func render(t *testing.T, f Format, recs []Record) string {
	t.Helper()
	b, err := AppendHeader(nil, f)
	if err != nil {
		t.Fatal(err)
	}
	b, err = AppendRecords(b, f, recs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEverySharedVectorGivesTheExpectedBytesAndCounters(t *testing.T) {
	for _, v := range loadVectors(t) {
		buf, pkts := v.batch(t)
		for _, outCap := range []int{1, 3, 1000} {
			m, err := NewMeter(v.config(t))
			if err != nil {
				t.Fatal(err)
			}
			recs := meterAll(t, m, buf, pkts, outCap)
			for _, c := range []struct {
				f    Format
				want string
			}{{JSONL, v.Expected.JSONL}, {SLS, v.Expected.SLS}, {AWS, v.Expected.AWS}, {CSV, v.Expected.CSV}} {
				if got := render(t, c.f, recs); got != c.want {
					t.Errorf("%s (out %d), format %d:\n--- want\n%s--- got\n%s", v.Name, outCap, c.f, c.want, got)
				}
			}
			counters, err := m.Counters()
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range v.Expected.Counters {
				got, ok := counters.Get(name)
				if !ok || got != want {
					t.Errorf("%s: counter %s = %d (known %v), want %d", v.Name, name, got, ok, want)
				}
			}
			m.Close()
		}
	}
}

// ---- a generated capture ----

// udpFrame is Ethernet + IPv4 + UDP with 8 payload bytes: 10.0.0.1:sport -> 10.0.0.2:53.
func udpFrame(sport uint16) []byte {
	f := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 36, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0, 0, 0, 53, 0, 16, 0, 0, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'}
	binary.BigEndian.PutUint16(f[34:], sport)
	return f
}

// writePcap writes a little-endian microsecond pcap (Ethernet).
func writePcap(t *testing.T, path string, frames [][]byte, tsUsec []uint64) {
	t.Helper()
	var b []byte
	le := binary.LittleEndian
	b = le.AppendUint32(b, 0xa1b2c3d4)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, 1)
	for i, f := range frames {
		b = le.AppendUint32(b, uint32(tsUsec[i]/1e6))
		b = le.AppendUint32(b, uint32(tsUsec[i]%1e6))
		b = le.AppendUint32(b, uint32(len(f)))
		b = le.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAGeneratedCaptureGivesOneRecordPerFlowPerWindow(t *testing.T) {
	// 10 flows (source ports 1000..1009), 30 packets each, one every 4 s from a window start:
	// 0..116 s, so with 60 s windows each flow has 15 packets in each of 2 windows.
	const t0 = 1_700_000_040 // a multiple of 60
	var frames [][]byte
	var ts []uint64
	for i := 0; i < 300; i++ {
		frames = append(frames, udpFrame(uint16(1000+i%10)))
		ts = append(ts, uint64(t0)*1e6+uint64(i/10)*4e6+uint64(i%10))
	}
	path := filepath.Join(t.TempDir(), "generated.pcap")
	writePcap(t, path, frames, ts)

	buf, pkts, err := ReadCapturePackets(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 300 || len(buf) != 300*50 {
		t.Fatalf("read %d packets, %d bytes", len(pkts), len(buf))
	}
	cfg := DefaultConfig()
	cfg.WindowSecs = 60
	m, err := NewMeter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	recs := meterAll(t, m, buf, pkts, 4)
	if len(recs) != 20 {
		t.Fatalf("%d records, want 20", len(recs))
	}
	seen := map[[2]uint64]bool{}
	for _, r := range recs {
		if r.Packets != 15 || r.Bytes != 15*36 || r.Protocol != 17 || r.DstPort != 53 || r.IPVersion != 4 {
			t.Errorf("record %+v", r)
		}
		if r.SrcAddr != [16]byte{10, 0, 0, 1} || r.DstAddr != [16]byte{10, 0, 0, 2} {
			t.Errorf("addresses %v -> %v", r.SrcAddr, r.DstAddr)
		}
		want := EndWindow
		if r.WindowStart == t0+60 {
			want = EndFlush
		} else if r.WindowStart != t0 {
			t.Errorf("window start %d", r.WindowStart)
		}
		if r.EndReason != want {
			t.Errorf("end reason %d in window %d", r.EndReason, r.WindowStart)
		}
		seen[[2]uint64{uint64(r.SrcPort), r.WindowStart}] = true
	}
	if len(seen) != 20 {
		t.Errorf("%d distinct (flow, window) pairs, want 20", len(seen))
	}
	c, err := m.Counters()
	if err != nil {
		t.Fatal(err)
	}
	if c.PacketsIn != 300 || c.Metered != 300 || c.Records != 20 || c.Rollovers != 1 {
		t.Errorf("counters %+v", c)
	}
}

// ---- errors ----

func TestTheWindowStartIsKnownFromTheFirstPacketOn(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WindowSecs = 600
	m, err := NewMeter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.WindowStart(); ok {
		t.Fatal("a window before the first packet")
	}
	f := udpFrame(1)
	// 1 700 000 123 s lies in the 600 s window from 1 699 999 800 s (2 833 333 x 600).
	p := Packet{Len: uint32(len(f)), OrigLen: uint32(len(f)), LinkType: 1, TsNs: 1_700_000_123_000_000_000}
	if _, err := m.Process(f, p); err != nil {
		t.Fatal(err)
	}
	if start, ok := m.WindowStart(); !ok || start != 1_699_999_800_000_000_000 {
		t.Fatalf("window start %d, %v", start, ok)
	}
	m.Close()
	if _, ok := m.WindowStart(); ok {
		t.Fatal("a window on a closed meter")
	}
}

func TestABadOptionIsAnInvalidConfigErrorNamingTheField(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*Config)
	}{
		{"window_secs", func(c *Config) { c.WindowSecs = 0 }},
		{"max_flows", func(c *Config) { c.MaxFlows = 1 << 30 }},
		{"max_fragments", func(c *Config) { c.MaxFragments = 0 }},
		{"decap", func(c *Config) { c.Decap = 5 }},
		{"accounting", func(c *Config) { c.Accounting = 5 }},
		{"tunnel_ports", func(c *Config) { c.TunnelPorts.VXLAN = make([]uint16, 9) }},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		tc.edit(&c)
		m, err := NewMeter(c)
		if m != nil || !errors.Is(err, ErrInvalidConfig) || errors.Is(err, ErrInvalidArg) {
			t.Fatalf("%s: got %v, %v", tc.field, m, err)
		}
		var fe *Error
		if !errors.As(err, &fe) || fe.Code != StatusInvalidConfig ||
			!strings.HasPrefix(fe.Message, "config field '"+tc.field+"'") {
			t.Errorf("%s: %v", tc.field, err)
		}
	}
}

func TestAClosedMeterReturnsErrClosedAndCloseIsIdempotent(t *testing.T) {
	m, err := NewMeter(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	out := make([]Record, 4)
	if _, _, err := m.ProcessBatch(nil, nil, out); err != ErrClosed {
		t.Errorf("ProcessBatch: %v", err)
	}
	if _, err := m.Process(udpFrame(1), Packet{Len: 50}); err != ErrClosed {
		t.Errorf("Process: %v", err)
	}
	if _, err := m.Flush(out); err != ErrClosed {
		t.Errorf("Flush: %v", err)
	}
	if _, err := m.Drain(out); err != ErrClosed {
		t.Errorf("Drain: %v", err)
	}
	if _, err := m.Counters(); err != ErrClosed {
		t.Errorf("Counters: %v", err)
	}
}

func TestBadPacketsAreInvalidArgErrorsAndGarbageIsCounted(t *testing.T) {
	m, err := NewMeter(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	f := udpFrame(7)
	good := Packet{Len: uint32(len(f)), OrigLen: uint32(len(f)), LinkType: 1, TsNs: 1_700_000_000_000_000_000}
	for _, bad := range []Packet{
		{Len: uint32(len(f)) + 1, LinkType: 1},
		{Offset: ^uintptr(0), Len: 1, LinkType: 1},
		{Len: 1, TsKind: 9},
		{Len: 1, Direction: 3},
		{Len: 1, Action: 2},
	} {
		done, n, err := m.ProcessBatch(f, []Packet{good, bad, good}, make([]Record, 4))
		var fe *Error
		if !errors.Is(err, ErrInvalidArg) || !errors.As(err, &fe) || !strings.Contains(fe.Message, "element 1") ||
			done != 1 || n != 0 {
			t.Errorf("%+v: done %d, n %d, err %v", bad, done, n, err)
		}
		if _, err := m.Process(f, bad); !errors.Is(err, ErrInvalidArg) {
			t.Errorf("Process %+v: %v", bad, err)
		}
	}
	// Garbage, an unknown link type, a huge timestamp: counted, not errors.
	junk := []byte{0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for i, p := range []Packet{
		{Len: uint32(len(junk)), LinkType: 1, TsNs: ^uint64(0)},
		{Len: uint32(len(junk)), LinkType: 101, TsKind: TsOutOfRange},
		{Len: 3, LinkType: 9999, TsKind: TsMissing},
		{Len: 0, LinkType: 1},
	} {
		skip, err := m.Process(junk, p)
		if err != nil || skip == SkipNone {
			t.Errorf("junk %d: skip %d, err %v", i, skip, err)
		}
		// The huge timestamp rolls the window over: the good packets' record waits.
		if _, err := m.Drain(make([]Record, 4)); err != nil || m.Pending() != 0 {
			t.Errorf("drain: %v", err)
		}
	}
	c, _ := m.Counters()
	if c.PacketsIn != c.Metered+c.UnsupportedLink+c.TruncatedL2+c.NonIP+c.BadIPHeader || c.BadTimestamp != 1 {
		t.Errorf("counters %+v", c)
	}
}

func TestRecordsWaitingInTheMeterBlockProcessUntilDrained(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WindowSecs, cfg.MaxFlows = 60, 4
	m, err := NewMeter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var buf []byte
	for port := uint16(0); port < 5; port++ {
		p := Packet{Offset: 0, Len: 50, OrigLen: 50, LinkType: 1, TsNs: 1_700_000_040_000_000_000}
		buf = udpFrame(port)
		if _, err := m.Process(buf, p); err != nil {
			t.Fatalf("port %d: %v", port, err)
		}
	}
	// The fifth flow evicted one from a table of four.
	if m.Pending() != 1 {
		t.Fatalf("pending %d", m.Pending())
	}
	_, err = m.Process(buf, Packet{Len: 50, LinkType: 1})
	if !errors.Is(err, ErrRecordsPending) {
		t.Fatalf("got %v", err)
	}
	out := make([]Record, 2)
	n, err := m.Drain(out)
	if err != nil || n != 1 || out[0].EndReason != EndEvicted || out[0].SrcPort != 0 {
		t.Fatalf("drain: %d %v %+v", n, err, out[0])
	}
}

func TestCaptureErrorsComeBackAsGoErrors(t *testing.T) {
	if _, err := OpenCapture(filepath.Join(t.TempDir(), "missing.pcap")); !errors.Is(err, ErrIO) {
		t.Errorf("missing file: %v", err)
	}
	text := filepath.Join(t.TempDir(), "text.pcap")
	os.WriteFile(text, []byte("this is not a capture file"), 0o644)
	if _, _, err := ReadCapturePackets(text); !errors.Is(err, ErrCaptureUnsupported) {
		t.Errorf("text file: %v", err)
	}
	if _, err := ReadPcap(text, DefaultConfig()); !errors.Is(err, ErrCaptureUnsupported) {
		t.Errorf("text file: %v", err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pcap")
	writePcap(t, cut, [][]byte{udpFrame(1), udpFrame(2)}, []uint64{1, 2})
	b, _ := os.ReadFile(cut)
	os.WriteFile(cut, b[:len(b)-5], 0o644)
	buf, pkts, err := ReadCapturePackets(cut)
	var fe *Error
	if !errors.Is(err, ErrCaptureTruncated) || !errors.As(err, &fe) || !strings.Contains(fe.Message, "at byte 90") ||
		len(pkts) != 1 || len(buf) != 50 {
		t.Errorf("cut file: %d packets, %v", len(pkts), err)
	}
	// Metered: the record of the packet before the damage (flushed), then the error.
	recs, err := ReadPcap(cut, DefaultConfig())
	if !errors.Is(err, ErrCaptureTruncated) || !errors.As(err, &fe) || !strings.Contains(fe.Message, "at byte 90") ||
		len(recs) != 1 || recs[0].Packets != 1 || recs[0].SrcPort != 1 {
		t.Errorf("cut file, metered: %d records, %v", len(recs), err)
	}
}

// ReadPcap meters the file through one meter: the records ProcessBatch gives for its packets.
func TestReadPcapGivesTheRecordsOfMeteringTheCapturesPackets(t *testing.T) {
	const t0 = 1_700_000_040
	var frames [][]byte
	var ts []uint64
	for i := 0; i < 300; i++ {
		frames = append(frames, udpFrame(uint16(1000+i%10)))
		ts = append(ts, uint64(t0)*1e6+uint64(i/10)*4e6+uint64(i%10))
	}
	path := filepath.Join(t.TempDir(), "generated.pcap")
	writePcap(t, path, frames, ts)
	cfg := DefaultConfig()
	cfg.WindowSecs = 60
	recs, err := ReadPcap(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	buf, pkts, err := ReadCapturePackets(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMeter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	want := meterAll(t, m, buf, pkts, 4)
	if len(recs) != 20 || !reflect.DeepEqual(recs, want) {
		t.Fatalf("ReadPcap gave %d records, metering the packets %d", len(recs), len(want))
	}
	r, err := OpenPcapRecords(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := r.Next(make([]Record, 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("next after close: %v", err)
	}
}

// A capture truncated in place while it is read (log rotation by copytruncate) ends with an
// error or at what was read: the file is read, not mapped, so the process never gets SIGBUS.
func TestACaptureTruncatedInPlaceWhileItIsReadEndsWithAnErrorNeverSIGBUS(t *testing.T) {
	const n = 20000
	var frames [][]byte
	var ts []uint64
	for i := 0; i < n; i++ {
		frames = append(frames, udpFrame(1))
		ts = append(ts, uint64(1_700_000_000+i)*1e6) // one packet a second
	}
	path := filepath.Join(t.TempDir(), "rotated.pcap")
	writePcap(t, path, frames, ts)
	cfg := DefaultConfig()
	cfg.WindowSecs = 1 // every packet closes the window before it: one record per packet
	r, err := OpenPcapRecords(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := make([]Record, 10)
	if got, err := r.Next(out); got != 10 || err != nil {
		t.Fatalf("first records: %d %v", got, err)
	}
	if err := os.Truncate(path, 10); err != nil {
		t.Fatal(err)
	}
	total := 10
	for {
		got, err := r.Next(out)
		total += got
		if err != nil {
			if !errors.Is(err, ErrCaptureTruncated) {
				t.Fatalf("after truncation: %v", err)
			}
			break
		}
		if got == 0 {
			break
		}
	}
	if total >= n {
		t.Fatalf("%d records from a file truncated to 10 bytes", total)
	}
}

func TestFormattingUsesSpareCapacityAndGrowsWhenNeeded(t *testing.T) {
	r := Record{IPVersion: 4, Packets: 1, Protocol: 6}
	small, err := AppendRecords([]byte("x"), JSONL, []Record{r, r})
	if err != nil || !strings.HasPrefix(string(small), "x{") || strings.Count(string(small), "\n") != 2 {
		t.Fatalf("%q %v", small, err)
	}
	roomy := make([]byte, 0, 2*MaxRecordLen)
	got, err := AppendRecords(roomy, JSONL, []Record{r, r})
	if err != nil || string(got) != string(small[1:]) || &got[0] != &roomy[:1][0] {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := AppendRecords(nil, Format(9), []Record{r}); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("bad format: %v", err)
	}
	if _, err := AppendRecords(nil, AWS, []Record{{IPVersion: 5}}); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("bad record: %v", err)
	}
}

func TestLayoutAndVersion(t *testing.T) {
	if err := checkLayout(); err != nil {
		t.Fatal(err)
	}
	if v := Version(); !strings.HasPrefix(v, "0.") {
		t.Errorf("version %q", v)
	}
	if StatusInvalidConfig.String() != "invalid_config" || Status(1000).String() != "unknown" {
		t.Error("status names")
	}
}

// awsRecords are two hand-built records: 10.0.0.1:40000 -> 192.168.1.20:443 TCP, egress, flags
// FIN|SYN|PSH|ACK|ECE (0x5b) with a SYN-ACK packet, which AWS reports as FIN 1 + SYN 2 + PSH 8 +
// ACK 16 = 27 (ECE never); then 2001:db8::1 -> 2001:db8::53 UDP, ingress, rejected: tcp-flags "-"
// (flowlog-core src/format/aws.rs).
func awsRecords() []Record {
	tcp := Record{Protocol: 6, IPVersion: 4, SrcPort: 40000, DstPort: 443, Packets: 7, Bytes: 1234,
		StartNs: 1700000000999999999, EndNs: 1700000059000000001, WindowStart: 1700000000, WindowSecs: 60,
		TCPFlags: 0x5b, TCPSynAck: true, Direction: DirOut, Action: Accept}
	copy(tcp.SrcAddr[:], []byte{10, 0, 0, 1})
	copy(tcp.DstAddr[:], []byte{192, 168, 1, 20})
	udp := tcp
	udp.Protocol, udp.IPVersion, udp.TCPFlags, udp.TCPSynAck = 17, 6, 0, false
	udp.Direction, udp.Action = DirIn, Reject
	udp.SrcAddr = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}
	udp.DstAddr = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 0x53}
	return []Record{tcp, udp}
}

func TestACustomAWSFieldListWritesTheChosenFieldsWithTheHighestVersion(t *testing.T) {
	recs := awsRecords()
	const fields = "${version} ${srcaddr} ${dstaddr} ${tcp-flags} ${flow-direction}"
	b, err := AppendHeaderAWSFields([]byte("> "), fields)
	if err != nil {
		t.Fatal(err)
	}
	b, err = AppendRecordsAWSFields(b, fields, recs)
	if err != nil {
		t.Fatal(err)
	}
	// flow-direction is a version 5 field: version 5.
	want := "> version srcaddr dstaddr tcp-flags flow-direction\n" +
		"5 10.0.0.1 192.168.1.20 27 egress\n" +
		"5 2001:db8::1 2001:db8::53 - ingress\n"
	if string(b) != want {
		t.Errorf("got %q\nwant %q", b, want)
	}
	// Version 2 fields only: version 2; start/end are floor seconds; spare capacity is used.
	roomy := make([]byte, 0, 2*MaxRecordLen)
	got, err := AppendRecordsAWSFields(roomy, "${start} ${end} ${action} ${protocol} ${version}", recs)
	want = "1700000000 1700000059 ACCEPT 6 2\n1700000000 1700000059 REJECT 17 2\n"
	if err != nil || string(got) != want || &got[0] != &roomy[:1][0] {
		t.Errorf("got %q %v, want %q in place", got, err, want)
	}
	// The default list written out is the AWS format.
	def := "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} " +
		"${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
	custom, err1 := AppendRecordsAWSFields(nil, def, recs)
	plain, err2 := AppendRecords(nil, AWS, recs)
	if err1 != nil || err2 != nil || string(custom) != string(plain) {
		t.Errorf("default list %q %v, AWS %q %v", custom, err1, plain, err2)
	}
	// No records: nothing appended.
	if got, err := AppendRecordsAWSFields([]byte("x"), fields, nil); err != nil || string(got) != "x" {
		t.Errorf("no records: %q %v", got, err)
	}
}

func TestABadAWSFieldListIsAnInvalidConfigErrorNamingTheToken(t *testing.T) {
	recs := awsRecords()
	for _, c := range []struct{ fields, token string }{
		{"${version} ${srcaddr} ${bogus-field}", "${bogus-field}"},
		{"${srcaddr} ${tgw-id}", "${tgw-id}"},
		{"${srcaddr} ${srcaddr}", "${srcaddr}"},
		{"${srcaddr} dstaddr", "dstaddr"},
	} {
		dst := []byte("keep")
		got, err := AppendRecordsAWSFields(dst, c.fields, recs)
		var e *Error
		if !errors.Is(err, ErrInvalidConfig) || !errors.As(err, &e) {
			t.Fatalf("%q: %v", c.fields, err)
		}
		if !strings.HasPrefix(e.Message, "config field 'fields': ") || !strings.HasSuffix(e.Message, ": "+c.token) {
			t.Errorf("%q: message %q does not name %q", c.fields, e.Message, c.token)
		}
		if string(got) != "keep" {
			t.Errorf("%q: dst changed to %q", c.fields, got)
		}
		_, herr := AppendHeaderAWSFields(nil, c.fields)
		if herr == nil || herr.Error() != err.Error() {
			t.Errorf("%q: header error %v, records error %v", c.fields, herr, err)
		}
	}
	if _, err := AppendHeaderAWSFields(nil, ""); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("empty list: %v", err)
	}
	if _, err := AppendRecordsAWSFields(nil, "${srcaddr}\x00${bogus}", recs); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("NUL in the list: %v", err)
	}
	if _, err := AppendRecordsAWSFields(nil, "${srcaddr} \xff", recs); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("not UTF-8: %v", err)
	}
	if _, err := AppendRecordsAWSFields(nil, "${srcaddr}", []Record{{IPVersion: 5}}); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("bad record: %v", err)
	}
}

// ---- the counters: the library's one list ----

// The C header's flowlog_counters (generated from the library's list of counters and checked
// against it by the library's tests) names the counters counterNames lists, in its order, and
// Counters has one field per counter, in that order.
func TestCountersAreTheLibrarysCountersByNameAndOrder(t *testing.T) {
	header, err := os.ReadFile(filepath.Join("..", "flowlog-ffi", "include", "flowlog.h"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(header)
	start := strings.Index(text, "typedef struct flowlog_counters {")
	end := strings.Index(text, "} flowlog_counters;")
	if start < 0 || end < start {
		t.Fatal("flowlog.h has no flowlog_counters struct")
	}
	var inHeader []string
	for _, line := range strings.Split(text[start:end], "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "uint64_t ") {
			inHeader = append(inHeader, strings.TrimSuffix(strings.TrimPrefix(line, "uint64_t "), ";"))
		}
	}
	if strings.Join(inHeader, ",") != strings.Join(counterNames[:], ",") {
		t.Fatalf("counterNames %v, flowlog.h's flowlog_counters %v", counterNames, inHeader)
	}
	fields := reflect.TypeOf(Counters{})
	if fields.NumField() != len(counterNames) {
		t.Fatalf("Counters has %d fields for %d counters", fields.NumField(), len(counterNames))
	}
	for i, name := range counterNames {
		if got := strings.ToLower(fields.Field(i).Name); got != strings.ReplaceAll(name, "_", "") {
			t.Errorf("Counters field %d is %s, the counter is %s", i, fields.Field(i).Name, name)
		}
	}
}
