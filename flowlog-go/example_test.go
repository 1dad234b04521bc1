package flowlog_test

import (
	"fmt"
	"os"

	"flowlog.local/flowlog"
)

// Meter one raw IPv4 packet and print its record as JSON lines.
func Example() {
	cfg := flowlog.DefaultConfig()
	cfg.WindowSecs = 60
	meter, err := flowlog.NewMeter(cfg)
	if err != nil {
		panic(err)
	}
	defer meter.Close()

	// A 20-byte IPv4 header (protocol 253) from 10.0.0.1 to 10.0.0.2, on a raw-IP link (101).
	buf := []byte{0x45, 0, 0, 20, 0, 0, 0, 0, 64, 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	pkts := []flowlog.Packet{{Len: 20, OrigLen: 20, LinkType: 101, TsNs: 1_700_000_000_000_000_000}}
	out := make([]flowlog.Record, 64)
	if _, _, err := meter.ProcessBatch(buf, pkts, out); err != nil {
		panic(err)
	}
	n, err := meter.Flush(out)
	if err != nil {
		panic(err)
	}
	text, err := flowlog.AppendRecords(nil, flowlog.AWS, out[:n])
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(text)
	fmt.Println(n, "record,", out[0].Packets, "packet,", out[0].Bytes, "bytes")
	// Output:
	// 2 - - 10.0.0.1 10.0.0.2 0 0 253 1 20 1700000000 1700000000 ACCEPT OK
	// 1 record, 1 packet, 20 bytes
}
