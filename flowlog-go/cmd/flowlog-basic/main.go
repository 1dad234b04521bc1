// flowlog-basic reads a capture, meters it and prints JSON-lines records.
//
//	go run ./cmd/flowlog-basic CAPTURE [WINDOW_SECS]
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"

	"flowlog.local/flowlog"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) < 2 {
		return fmt.Errorf("usage: flowlog-basic CAPTURE [WINDOW_SECS]")
	}
	cfg := flowlog.DefaultConfig()
	if len(os.Args) > 2 {
		w, err := strconv.ParseUint(os.Args[2], 10, 64)
		if err != nil {
			return err
		}
		cfg.WindowSecs = w
	}
	buf, pkts, err := flowlog.ReadCapturePackets(os.Args[1])
	if err != nil {
		return err
	}
	meter, err := flowlog.NewMeter(cfg)
	if err != nil {
		return err
	}
	defer meter.Close()

	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	out := make([]flowlog.Record, 1024)
	var text []byte
	for len(pkts) > 0 {
		done, n, err := meter.ProcessBatch(buf, pkts, out)
		if err != nil {
			return err
		}
		if text, err = flowlog.AppendRecords(text[:0], flowlog.JSONL, out[:n]); err != nil {
			return err
		}
		w.Write(text)
		pkts = pkts[done:]
	}
	for {
		n, err := meter.Flush(out)
		if err != nil {
			return err
		}
		if text, err = flowlog.AppendRecords(text[:0], flowlog.JSONL, out[:n]); err != nil {
			return err
		}
		w.Write(text)
		if n < len(out) {
			return nil
		}
	}
}
