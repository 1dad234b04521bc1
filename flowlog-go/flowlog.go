// Package flowlog meters packets into VPC flow-log records through flowlog's C ABI (cgo).
//
// It is a thin wrapper: every call is one call into libflowlog and every error is the C status
// with the message the library wrote. Build the library first:
//
//	cargo build --release -p flowlog-ffi    # target/release/libflowlog.a, linked statically
//
// A Meter is not safe for concurrent use; use one per goroutine (it may move between threads).
package flowlog

/*
#cgo CFLAGS: -I${SRCDIR}/../flowlog-ffi/include
#cgo LDFLAGS: ${SRCDIR}/../target/release/libflowlog.a -lpthread -ldl -lm
#include <stddef.h>
#include <stdlib.h>
#include "flowlog.h"

static const size_t fl_packet_layout[] = {
	sizeof(flowlog_packet), offsetof(flowlog_packet, ts_ns), offsetof(flowlog_packet, len),
	offsetof(flowlog_packet, orig_len), offsetof(flowlog_packet, link_type),
	offsetof(flowlog_packet, observation_point), offsetof(flowlog_packet, ts_kind),
	offsetof(flowlog_packet, direction), offsetof(flowlog_packet, action),
};
static const size_t fl_record_layout[] = {
	sizeof(flowlog_record), offsetof(flowlog_record, dst_addr), offsetof(flowlog_record, packets),
	offsetof(flowlog_record, bytes), offsetof(flowlog_record, start_ns), offsetof(flowlog_record, end_ns),
	offsetof(flowlog_record, window_start), offsetof(flowlog_record, window_secs),
	offsetof(flowlog_record, observation_point), offsetof(flowlog_record, tunnel_id),
	offsetof(flowlog_record, src_port), offsetof(flowlog_record, dst_port), offsetof(flowlog_record, vlan),
	offsetof(flowlog_record, tcp_flags), offsetof(flowlog_record, protocol), offsetof(flowlog_record, ip_version),
	offsetof(flowlog_record, direction), offsetof(flowlog_record, action), offsetof(flowlog_record, end_reason),
	offsetof(flowlog_record, log_status), offsetof(flowlog_record, icmp_type), offsetof(flowlog_record, icmp_code),
	offsetof(flowlog_record, tcp_syn_ack), offsetof(flowlog_record, has_icmp),
};
static size_t fl_packet_layout_at(int i) { return fl_packet_layout[i]; }
static size_t fl_record_layout_at(int i) { return fl_record_layout[i]; }
static int fl_packet_layout_len(void) { return sizeof fl_packet_layout / sizeof fl_packet_layout[0]; }
static int fl_record_layout_len(void) { return sizeof fl_record_layout / sizeof fl_record_layout[0]; }
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Status is a flowlog_status: 0 is success, 1–6 the core's error kinds, 100+ the C ABI's own.
type Status uint32

// The statuses (flowlog.h's FLOWLOG_STATUS_*).
const (
	StatusOK                 Status = C.FLOWLOG_STATUS_OK
	StatusInvalidConfig      Status = C.FLOWLOG_STATUS_INVALID_CONFIG
	StatusBufferTooSmall     Status = C.FLOWLOG_STATUS_BUFFER_TOO_SMALL
	StatusCaptureTruncated   Status = C.FLOWLOG_STATUS_CAPTURE_TRUNCATED
	StatusCaptureMalformed   Status = C.FLOWLOG_STATUS_CAPTURE_MALFORMED
	StatusCaptureUnsupported Status = C.FLOWLOG_STATUS_CAPTURE_UNSUPPORTED
	StatusIO                 Status = C.FLOWLOG_STATUS_IO
	StatusNullArg            Status = C.FLOWLOG_STATUS_NULL_ARG
	StatusPanic              Status = C.FLOWLOG_STATUS_PANIC
	StatusInvalidArg         Status = C.FLOWLOG_STATUS_INVALID_ARG
	StatusRecordsPending     Status = C.FLOWLOG_STATUS_RECORDS_PENDING
)

// String is the status name ("invalid_config"), from the library.
func (s Status) String() string { return C.GoString(C.flowlog_status_str(C.uint32_t(s))) }

// Error is a failed call: its status and the library's message.
type Error struct {
	Code    Status
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "flowlog: " + e.Code.String()
	}
	return "flowlog: " + e.Code.String() + ": " + e.Message
}

// Is makes errors.Is(err, ErrInvalidConfig) true for every error with that status.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is, one per status.
var (
	ErrInvalidConfig      = &Error{Code: StatusInvalidConfig}
	ErrBufferTooSmall     = &Error{Code: StatusBufferTooSmall}
	ErrCaptureTruncated   = &Error{Code: StatusCaptureTruncated}
	ErrCaptureMalformed   = &Error{Code: StatusCaptureMalformed}
	ErrCaptureUnsupported = &Error{Code: StatusCaptureUnsupported}
	ErrIO                 = &Error{Code: StatusIO}
	ErrNullArg            = &Error{Code: StatusNullArg}
	ErrPanic              = &Error{Code: StatusPanic}
	ErrInvalidArg         = &Error{Code: StatusInvalidArg}
	ErrRecordsPending     = &Error{Code: StatusRecordsPending}
)

// ErrClosed is returned by every method of a closed Meter or Capture.
var ErrClosed = errors.New("flowlog: use of a closed handle")

const errMax = C.FLOWLOG_ERROR_MAX

// MaxRecordLen is the longest line any format writes.
const MaxRecordLen = C.FLOWLOG_MAX_RECORD_LEN

// Decap is flowlog_decap.
type Decap uint32

// Accounting is flowlog_accounting.
type Accounting uint32

// Decap and accounting options.
const (
	DecapAll       Decap      = C.FLOWLOG_DECAP_ALL
	DecapNone      Decap      = C.FLOWLOG_DECAP_NONE
	AccountingIP   Accounting = C.FLOWLOG_ACCOUNTING_IP
	AccountingL2   Accounting = C.FLOWLOG_ACCOUNTING_L2
	maxTunnelPorts            = C.FLOWLOG_MAX_PORTS
)

// TunnelPorts lists the UDP ports of each tunnel (at most 8 per list).
type TunnelPorts struct {
	VXLAN, Geneve, GTPU, Teredo, MPLSUDP, GREUDP []uint16
}

// Config is a meter's configuration; start from DefaultConfig.
type Config struct {
	WindowSecs   uint64
	MaxFlows     uint32
	MaxFragments uint32
	Decap        Decap
	Accounting   Accounting
	ICMPInPorts  bool
	KeyVLAN      bool
	KeyTunnel    bool
	// HashSeed fixes the session table's hash seed; nil draws a random one.
	HashSeed    *uint64
	TunnelPorts TunnelPorts
}

func portsFromC(l C.flowlog_port_list) []uint16 {
	out := make([]uint16, int(l.len))
	for i := range out {
		out[i] = uint16(l.ports[i])
	}
	return out
}

func portsToC(p []uint16) C.flowlog_port_list {
	var l C.flowlog_port_list
	// A list longer than the C array keeps its length, so that the library rejects it.
	l.len = C.uint32_t(len(p))
	for i := 0; i < len(p) && i < maxTunnelPorts; i++ {
		l.ports[i] = C.uint16_t(p[i])
	}
	return l
}

// DefaultConfig is the library's default configuration.
func DefaultConfig() Config {
	var c C.flowlog_config
	C.flowlog_config_default(&c)
	t := c.tunnel_ports
	cfg := Config{
		WindowSecs: uint64(c.window_secs), MaxFlows: uint32(c.max_flows), MaxFragments: uint32(c.max_fragments),
		Decap: Decap(c.decap), Accounting: Accounting(c.accounting),
		ICMPInPorts: bool(c.icmp_in_ports), KeyVLAN: bool(c.key_vlan), KeyTunnel: bool(c.key_tunnel),
		TunnelPorts: TunnelPorts{portsFromC(t.vxlan), portsFromC(t.geneve), portsFromC(t.gtp_u),
			portsFromC(t.teredo), portsFromC(t.mpls_udp), portsFromC(t.gre_udp)},
	}
	return cfg
}

func (cfg *Config) toC() C.flowlog_config {
	var c C.flowlog_config
	c.window_secs = C.uint64_t(cfg.WindowSecs)
	c.max_flows = C.uint32_t(cfg.MaxFlows)
	c.max_fragments = C.uint32_t(cfg.MaxFragments)
	c.decap = C.uint32_t(cfg.Decap)
	c.accounting = C.uint32_t(cfg.Accounting)
	c.icmp_in_ports = C.bool(cfg.ICMPInPorts)
	c.key_vlan = C.bool(cfg.KeyVLAN)
	c.key_tunnel = C.bool(cfg.KeyTunnel)
	if cfg.HashSeed != nil {
		c.use_hash_seed = true
		c.hash_seed = C.uint64_t(*cfg.HashSeed)
	}
	t := &cfg.TunnelPorts
	c.tunnel_ports = C.flowlog_tunnel_ports{vxlan: portsToC(t.VXLAN), geneve: portsToC(t.Geneve),
		gtp_u: portsToC(t.GTPU), teredo: portsToC(t.Teredo), mpls_udp: portsToC(t.MPLSUDP), gre_udp: portsToC(t.GREUDP)}
	return c
}

// TsKind says how Packet.TsNs is to be read.
type TsKind uint8

// Direction of a packet relative to its ENI.
type Direction uint8

// Action is the verdict on a packet.
type Action uint8

// EndReason says why a record was emitted.
type EndReason uint8

// LogStatus is a record's log-status.
type LogStatus uint8

// Skip says why Process did not meter a packet (not an error: it is counted).
type Skip uint32

// Enum values, as in flowlog.h.
const (
	TsNs         TsKind    = C.FLOWLOG_TS_KIND_NS
	TsMissing    TsKind    = C.FLOWLOG_TS_KIND_MISSING
	TsOutOfRange TsKind    = C.FLOWLOG_TS_KIND_OUT_OF_RANGE
	DirUnknown   Direction = C.FLOWLOG_DIRECTION_UNKNOWN
	DirIn        Direction = C.FLOWLOG_DIRECTION_IN
	DirOut       Direction = C.FLOWLOG_DIRECTION_OUT
	Accept       Action    = C.FLOWLOG_ACTION_ACCEPT
	Reject       Action    = C.FLOWLOG_ACTION_REJECT

	EndWindow      EndReason = C.FLOWLOG_END_REASON_WINDOW
	EndEvicted     EndReason = C.FLOWLOG_END_REASON_EVICTED
	EndFlush       EndReason = C.FLOWLOG_END_REASON_FLUSH
	EndPacketLimit EndReason = C.FLOWLOG_END_REASON_PACKET_LIMIT

	SkipNone            Skip = C.FLOWLOG_SKIP_NONE
	SkipUnsupportedLink Skip = C.FLOWLOG_SKIP_UNSUPPORTED_LINK
	SkipTruncatedL2     Skip = C.FLOWLOG_SKIP_TRUNCATED_L2
	SkipNonIP           Skip = C.FLOWLOG_SKIP_NON_IP
	SkipBadIPHeader     Skip = C.FLOWLOG_SKIP_BAD_IP_HEADER
)

// Packet describes one packet inside a batch buffer. Same memory layout as flowlog_packet, so a
// []Packet is handed to the library without conversion.
type Packet struct {
	Offset           uintptr // where its bytes start in the buffer
	TsNs             uint64  // capture time, ns since the epoch (when TsKind is TsNs)
	Len              uint32  // captured bytes
	OrigLen          uint32  // length on the wire
	LinkType         uint32  // LINKTYPE_* (1 Ethernet, 101 raw IP, ...)
	ObservationPoint uint32  // interface index or ENI
	TsKind           TsKind
	Direction        Direction
	Action           Action
	_                [5]byte
}

// Record is one flow-log record, with the layout of flowlog_record.
type Record struct {
	SrcAddr, DstAddr [16]byte // IPv4 in the first 4 bytes
	Packets, Bytes   uint64
	StartNs, EndNs   uint64
	WindowStart      uint64 // seconds since the epoch
	WindowSecs       uint64
	ObservationPoint uint32
	TunnelID         uint32
	SrcPort, DstPort uint16
	VLAN             uint16
	TCPFlags         uint16
	Protocol         uint8
	IPVersion        uint8
	Direction        Direction
	Action           Action
	EndReason        EndReason
	LogStatus        LogStatus
	ICMPType         uint8
	ICMPCode         uint8
	TCPSynAck        bool
	HasICMP          bool
	_                [6]byte
}

// Counters is what happened to every packet (flowlog_counters).
type Counters struct {
	PacketsIn, Metered                                    uint64
	UnsupportedLink, TruncatedL2, NonIP, BadIPHeader      uint64
	TruncatedL4, BadIPv6Chain, OrphanFragments, BadLength uint64
	LatePackets, BadTimestamp, Evictions, Rollovers       uint64
	Records, RecordPackets                                uint64
}

// counterNames are the library's counter names, in field order.
var counterNames = [...]string{"packets_in", "metered", "unsupported_link", "truncated_l2", "non_ip",
	"bad_ip_header", "truncated_l4", "bad_ipv6_chain", "orphan_fragments", "bad_length", "late_packets",
	"bad_timestamp", "evictions", "rollovers", "records", "record_packets"}

// Get returns a counter by its library name ("packets_in", "non_ip", ...).
func (c *Counters) Get(name string) (uint64, bool) {
	values := (*[len(counterNames)]uint64)(unsafe.Pointer(c))
	for i, n := range counterNames {
		if n == name {
			return values[i], true
		}
	}
	return 0, false
}

// checkLayout verifies that Packet, Record and Counters match the C structs byte for byte.
func checkLayout() error {
	var p Packet
	goP := []uintptr{unsafe.Sizeof(p), unsafe.Offsetof(p.TsNs), unsafe.Offsetof(p.Len), unsafe.Offsetof(p.OrigLen),
		unsafe.Offsetof(p.LinkType), unsafe.Offsetof(p.ObservationPoint), unsafe.Offsetof(p.TsKind),
		unsafe.Offsetof(p.Direction), unsafe.Offsetof(p.Action)}
	var r Record
	goR := []uintptr{unsafe.Sizeof(r), unsafe.Offsetof(r.DstAddr), unsafe.Offsetof(r.Packets),
		unsafe.Offsetof(r.Bytes), unsafe.Offsetof(r.StartNs), unsafe.Offsetof(r.EndNs),
		unsafe.Offsetof(r.WindowStart), unsafe.Offsetof(r.WindowSecs), unsafe.Offsetof(r.ObservationPoint),
		unsafe.Offsetof(r.TunnelID), unsafe.Offsetof(r.SrcPort), unsafe.Offsetof(r.DstPort),
		unsafe.Offsetof(r.VLAN), unsafe.Offsetof(r.TCPFlags), unsafe.Offsetof(r.Protocol),
		unsafe.Offsetof(r.IPVersion), unsafe.Offsetof(r.Direction), unsafe.Offsetof(r.Action),
		unsafe.Offsetof(r.EndReason), unsafe.Offsetof(r.LogStatus), unsafe.Offsetof(r.ICMPType),
		unsafe.Offsetof(r.ICMPCode), unsafe.Offsetof(r.TCPSynAck), unsafe.Offsetof(r.HasICMP)}
	if len(goP) != int(C.fl_packet_layout_len()) || len(goR) != int(C.fl_record_layout_len()) {
		return errors.New("flowlog: layout tables differ in length")
	}
	for i, off := range goP {
		if uintptr(C.fl_packet_layout_at(C.int(i))) != off {
			return fmt.Errorf("flowlog: Packet layout differs from flowlog_packet (item %d)", i)
		}
	}
	for i, off := range goR {
		if uintptr(C.fl_record_layout_at(C.int(i))) != off {
			return fmt.Errorf("flowlog: Record layout differs from flowlog_record (item %d)", i)
		}
	}
	if unsafe.Sizeof(Counters{}) != C.sizeof_flowlog_counters {
		return errors.New("flowlog: Counters layout differs from flowlog_counters")
	}
	return nil
}

func init() {
	if err := checkLayout(); err != nil {
		panic(err) // passing mismatched structs to C would corrupt memory
	}
}

// Version is the library version.
func Version() string { return C.GoString(C.flowlog_version()) }

func errorOf(st C.enum_flowlog_status, msg []C.char) error {
	if st == C.FLOWLOG_STATUS_OK {
		return nil
	}
	return &Error{Code: Status(st), Message: C.GoString(&msg[0])}
}

// Meter turns packets into flow-log records. Create it with NewMeter and free it with Close.
type Meter struct {
	ptr *C.flowlog_meter
}

// NewMeter reserves a meter's memory. A bad option gives an *Error with StatusInvalidConfig
// whose message names the field.
func NewMeter(cfg Config) (*Meter, error) {
	c := cfg.toC()
	var msg [errMax]C.char
	var m *C.flowlog_meter
	st := C.flowlog_meter_new(&c, &m, &msg[0], errMax)
	if err := errorOf(st, msg[:]); err != nil {
		return nil, err
	}
	return &Meter{ptr: m}, nil
}

// Close frees the meter. Calling it again does nothing; other methods then return ErrClosed.
func (m *Meter) Close() error {
	if m.ptr != nil {
		C.flowlog_meter_free(m.ptr)
		m.ptr = nil
	}
	return nil
}

func (m *Meter) fail(st C.enum_flowlog_status) error {
	if st == C.FLOWLOG_STATUS_OK {
		return nil
	}
	var msg [errMax]C.char
	C.flowlog_meter_last_error(m.ptr, &msg[0], errMax, nil)
	return &Error{Code: Status(st), Message: C.GoString(&msg[0])}
}

func bytesPtr(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0]))
}

func recordsPtr(r []Record) *C.flowlog_record {
	if len(r) == 0 {
		return nil
	}
	return (*C.flowlog_record)(unsafe.Pointer(&r[0]))
}

// ProcessBatch meters packets (each a Packet pointing into buf; nothing is copied) and writes the
// records they finish into out, oldest first. It returns how many packets were metered and how
// many records were written. When out fills, the records that do not fit wait in the meter and
// the call stops after the packet that finished them: call again with pkts[done:]. No record is
// ever lost; Drain or Flush hand out what still waits.
func (m *Meter) ProcessBatch(buf []byte, pkts []Packet, out []Record) (done, records int, err error) {
	if m.ptr == nil {
		return 0, 0, ErrClosed
	}
	var pp *C.flowlog_packet
	if len(pkts) > 0 {
		pp = (*C.flowlog_packet)(unsafe.Pointer(&pkts[0]))
	}
	var d, n C.size_t
	st := C.flowlog_meter_process_batch(m.ptr, bytesPtr(buf), C.size_t(len(buf)), pp, C.size_t(len(pkts)),
		recordsPtr(out), C.size_t(len(out)), &d, &n)
	return int(d), int(n), m.fail(st)
}

// Process meters one packet (p.Offset and p.Len locate it in data) and says whether it was
// skipped. Records it finishes wait in the meter (Pending, Drain); while any wait, Process
// returns ErrRecordsPending.
func (m *Meter) Process(data []byte, p Packet) (Skip, error) {
	if m.ptr == nil {
		return SkipNone, ErrClosed
	}
	var skip C.enum_flowlog_skip
	st := C.flowlog_meter_process(m.ptr, bytesPtr(data), C.size_t(len(data)),
		(*C.flowlog_packet)(unsafe.Pointer(&p)), &skip)
	return Skip(skip), m.fail(st)
}

// Drain writes records waiting in the meter into out and returns how many.
func (m *Meter) Drain(out []Record) (int, error) {
	if m.ptr == nil {
		return 0, ErrClosed
	}
	var n C.size_t
	st := C.flowlog_meter_drain(m.ptr, recordsPtr(out), C.size_t(len(out)), &n)
	return int(n), m.fail(st)
}

// Flush ends the input: it writes waiting records, then every flow still in the table, into
// out. Call it until it returns fewer than len(out) records.
func (m *Meter) Flush(out []Record) (int, error) {
	if m.ptr == nil {
		return 0, ErrClosed
	}
	var n C.size_t
	st := C.flowlog_meter_flush(m.ptr, recordsPtr(out), C.size_t(len(out)), &n)
	return int(n), m.fail(st)
}

// FlushAll flushes into a new slice.
func (m *Meter) FlushAll() ([]Record, error) {
	var all []Record
	out := make([]Record, 1024)
	for {
		n, err := m.Flush(out)
		all = append(all, out[:n]...)
		if err != nil || n < len(out) {
			return all, err
		}
	}
}

// Pending is the number of records waiting in the meter.
func (m *Meter) Pending() int {
	if m.ptr == nil {
		return 0
	}
	return int(C.flowlog_meter_pending(m.ptr))
}

// WindowStart returns the start of the capture window being filled, in ns since the epoch (a
// multiple of the window length), and false before the first packet or on a closed meter. A packet
// at or after its end (start + WindowSecs) closes it.
func (m *Meter) WindowStart() (uint64, bool) {
	if m.ptr == nil {
		return 0, false
	}
	var ns C.uint64_t
	ok := bool(C.flowlog_meter_window_start(m.ptr, &ns))
	return uint64(ns), ok
}

// Counters returns the meter's counters.
func (m *Meter) Counters() (Counters, error) {
	var c Counters
	if m.ptr == nil {
		return c, ErrClosed
	}
	st := C.flowlog_meter_counters(m.ptr, (*C.flowlog_counters)(unsafe.Pointer(&c)))
	return c, m.fail(st)
}

// Format is a record format.
type Format uint32

// The formats.
const (
	JSONL Format = C.FLOWLOG_FORMAT_JSONL
	SLS   Format = C.FLOWLOG_FORMAT_SLS
	AWS   Format = C.FLOWLOG_FORMAT_AWS
	CSV   Format = C.FLOWLOG_FORMAT_CSV
)

func formatErr(st C.enum_flowlog_status) error {
	if st == C.FLOWLOG_STATUS_OK {
		return nil
	}
	return &Error{Code: Status(st)}
}

// AppendHeader appends the format's header line (AWS field names, CSV columns; nothing for
// JSONL and SLS) to dst.
func AppendHeader(dst []byte, f Format) ([]byte, error) {
	return appendSized(dst, func(b []byte, n *C.size_t) C.enum_flowlog_status {
		return C.flowlog_format_header(C.uint32_t(f), bytesPtr(b), C.size_t(len(b)), n)
	}, formatErr)
}

// AppendRecords appends recs, one line each, to dst.
func AppendRecords(dst []byte, f Format, recs []Record) ([]byte, error) {
	return appendSized(dst, func(b []byte, n *C.size_t) C.enum_flowlog_status {
		return C.flowlog_format_records(C.uint32_t(f), recordsPtr(recs), C.size_t(len(recs)), bytesPtr(b),
			C.size_t(len(b)), n)
	}, formatErr)
}

// cFields is fields as a C string (free it with C.free). A NUL byte would cut the list short in C,
// so it is refused.
func cFields(fields string) (*C.char, error) {
	for i := 0; i < len(fields); i++ {
		if fields[i] == 0 {
			return nil, &Error{Code: StatusInvalidArg, Message: "fields contains a NUL byte"}
		}
	}
	return C.CString(fields), nil
}

// AppendHeaderAWSFields appends the header line of the AWS format with the custom field list
// fields (e.g. "${version} ${srcaddr} ${dstaddr} ${tcp-flags} ${flow-direction}"): the field
// names, space-separated. A bad list is an *Error with StatusInvalidConfig whose message names
// the offending token.
func AppendHeaderAWSFields(dst []byte, fields string) ([]byte, error) {
	cf, err := cFields(fields)
	if err != nil {
		return dst, err
	}
	defer C.free(unsafe.Pointer(cf))
	var msg [errMax]C.char
	return appendSized(dst, func(b []byte, n *C.size_t) C.enum_flowlog_status {
		return C.flowlog_format_header_aws_fields(cf, bytesPtr(b), C.size_t(len(b)), n, &msg[0], errMax)
	}, func(st C.enum_flowlog_status) error { return errorOf(st, msg[:]) })
}

// AppendRecordsAWSFields appends recs, one line each, in the AWS format with the custom field
// list fields (see AppendHeaderAWSFields): the fields in the list's order, version the highest
// version among them. A bad list is an *Error with StatusInvalidConfig whose message names the
// offending token.
func AppendRecordsAWSFields(dst []byte, fields string, recs []Record) ([]byte, error) {
	cf, err := cFields(fields)
	if err != nil {
		return dst, err
	}
	defer C.free(unsafe.Pointer(cf))
	var msg [errMax]C.char
	return appendSized(dst, func(b []byte, n *C.size_t) C.enum_flowlog_status {
		return C.flowlog_format_records_aws_fields(cf, recordsPtr(recs), C.size_t(len(recs)), bytesPtr(b),
			C.size_t(len(b)), n, &msg[0], errMax)
	}, func(st C.enum_flowlog_status) error { return errorOf(st, msg[:]) })
}

// appendSized runs a two-call formatting function: first into dst's spare capacity; on
// BUFFER_TOO_SMALL the library says how much is needed, and the call is repeated into a grown
// slice. fail turns a status into the error.
func appendSized(dst []byte, call func([]byte, *C.size_t) C.enum_flowlog_status,
	fail func(C.enum_flowlog_status) error) ([]byte, error) {
	spare := dst[len(dst):cap(dst)]
	var n C.size_t
	st := call(spare, &n)
	if st == C.FLOWLOG_STATUS_OK {
		return dst[:len(dst)+int(n)], nil
	}
	if st != C.FLOWLOG_STATUS_BUFFER_TOO_SMALL {
		return dst, fail(st)
	}
	grown := make([]byte, len(dst), len(dst)+int(n))
	copy(grown, dst)
	if st := call(grown[len(dst):cap(grown)], &n); st != C.FLOWLOG_STATUS_OK {
		return dst, fail(st)
	}
	return grown[:len(dst)+int(n)], nil
}

// Capture reads the packets of a pcap or pcapng file, not metered, with the library's reader.
type Capture struct {
	ptr *C.flowlog_capture
}

// Frame is one captured frame. Data points into the Capture and is valid until the next call to
// Next or Close.
type Frame struct {
	Data      []byte
	TsNs      uint64
	TsKind    TsKind
	LinkType  uint32
	OrigLen   uint32
	Interface uint32
}

// OpenCapture opens a capture file (format recognised by its magic number).
func OpenCapture(path string) (*Capture, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var msg [errMax]C.char
	var c *C.flowlog_capture
	st := C.flowlog_capture_open(cpath, &c, &msg[0], errMax)
	if err := errorOf(st, msg[:]); err != nil {
		return nil, err
	}
	return &Capture{ptr: c}, nil
}

// Next reads the next frame; ok is false at the end of the file.
func (c *Capture) Next() (f Frame, ok bool, err error) {
	if c.ptr == nil {
		return f, false, ErrClosed
	}
	var fr C.flowlog_frame
	var has C.bool
	st := C.flowlog_capture_next(c.ptr, &fr, &has)
	if st != C.FLOWLOG_STATUS_OK {
		var msg [errMax]C.char
		C.flowlog_capture_last_error(c.ptr, &msg[0], errMax, nil)
		return f, false, &Error{Code: Status(st), Message: C.GoString(&msg[0])}
	}
	if !has {
		return f, false, nil
	}
	f = Frame{TsNs: uint64(fr.ts_ns), TsKind: TsKind(fr.ts_kind), LinkType: uint32(fr.link_type),
		OrigLen: uint32(fr.orig_len), Interface: uint32(fr._interface)}
	if fr.len > 0 {
		f.Data = unsafe.Slice((*byte)(unsafe.Pointer(fr.data)), int(fr.len))
	}
	return f, true, nil
}

// Close closes the file. Calling it again does nothing.
func (c *Capture) Close() error {
	if c.ptr != nil {
		C.flowlog_capture_free(c.ptr)
		c.ptr = nil
	}
	return nil
}

// ReadCapturePackets reads the packets of a whole capture, not metered, into one buffer and the
// packets that describe it, ready for Meter.ProcessBatch (observation point = interface index,
// direction unknown, action accept). On a damaged file it returns the packets before the damage
// and the error.
func ReadCapturePackets(path string) (buf []byte, pkts []Packet, err error) {
	c, err := OpenCapture(path)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	for {
		f, ok, err := c.Next()
		if err != nil || !ok {
			return buf, pkts, err
		}
		pkts = append(pkts, Packet{Offset: uintptr(len(buf)), TsNs: f.TsNs, TsKind: f.TsKind,
			Len: uint32(len(f.Data)), OrigLen: f.OrigLen, LinkType: f.LinkType, ObservationPoint: f.Interface})
		buf = append(buf, f.Data...)
	}
}

// PcapRecords are the records of a capture file, metered through a meter of their own
// (flowlog_read_pcap). Create them with OpenPcapRecords, take them with Next, free them with
// Close. Not safe for concurrent use.
type PcapRecords struct {
	ptr *C.flowlog_pcap_records
}

// OpenPcapRecords opens a pcap or pcapng file (format recognised by its magic number) to meter
// it with a meter configured by cfg; each interface of the file is its own observation point.
// The file is read, never memory-mapped, so a file another process truncates while it is read
// gives ErrCaptureTruncated or a clean end, never SIGBUS.
func OpenPcapRecords(path string, cfg Config) (*PcapRecords, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	c := cfg.toC()
	var msg [errMax]C.char
	var r *C.flowlog_pcap_records
	st := C.flowlog_read_pcap(cpath, &c, &r, &msg[0], errMax)
	if err := errorOf(st, msg[:]); err != nil {
		return nil, err
	}
	return &PcapRecords{ptr: r}, nil
}

// Next writes the next records of the file into out, oldest first, metering the file as far as
// needed (and flushing the meter at its end), and returns how many; 0 only at the end of the
// file. On a damaged file it first hands out the records of every packet before the damage,
// then returns the error (ErrCaptureTruncated, ...), and the same error on every later call.
func (r *PcapRecords) Next(out []Record) (int, error) {
	if r.ptr == nil {
		return 0, ErrClosed
	}
	if len(out) == 0 {
		return 0, nil
	}
	var n C.size_t
	st := C.flowlog_pcap_records_next(r.ptr, recordsPtr(out), C.size_t(len(out)), &n)
	if st != C.FLOWLOG_STATUS_OK {
		var msg [errMax]C.char
		C.flowlog_pcap_records_last_error(r.ptr, &msg[0], errMax, nil)
		return 0, &Error{Code: Status(st), Message: C.GoString(&msg[0])}
	}
	return int(n), nil
}

// Counters returns the counters of the meter the file goes through, so far.
func (r *PcapRecords) Counters() (Counters, error) {
	var c Counters
	if r.ptr == nil {
		return c, ErrClosed
	}
	st := C.flowlog_pcap_records_counters(r.ptr, (*C.flowlog_counters)(unsafe.Pointer(&c)))
	if st != C.FLOWLOG_STATUS_OK {
		return c, &Error{Code: Status(st)}
	}
	return c, nil
}

// Close closes the file and frees the meter. Calling it again does nothing.
func (r *PcapRecords) Close() error {
	if r.ptr != nil {
		C.flowlog_pcap_records_free(r.ptr)
		r.ptr = nil
	}
	return nil
}

// ReadPcap meters a whole capture file with a meter configured by cfg and returns its records,
// flushed at the end of the file (read_pcap of every binding). On a damaged file it returns the
// records of every packet before the damage and the error (ErrCaptureTruncated, ...).
func ReadPcap(path string, cfg Config) ([]Record, error) {
	r, err := OpenPcapRecords(path, cfg)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var recs []Record
	chunk := make([]Record, 1024)
	for {
		n, err := r.Next(chunk)
		recs = append(recs, chunk[:n]...)
		if err != nil || n == 0 {
			return recs, err
		}
	}
}
