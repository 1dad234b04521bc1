// readPcap: capture files written here, whole and damaged (SPEC §6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flowlog, ethIpv4, pcapFile, throwsCode } from './helpers.mjs';

const { readPcap, PcapRecords } = flowlog;
const T0 = 1_700_000_000_000_000_000n;
const dir = mkdtempSync(path.join(tmpdir(), 'flowlog-node-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function write(name, bytes) {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

// Three 54-byte frames: two packets of flow 1234→80 and one of 999→80.
const packets = [
  [T0, ethIpv4()],
  [T0 + 1_000_000_000n, ethIpv4({ sport: 999 })],
  [T0 + 2_000_000_000n, ethIpv4()],
];

test('readPcap meters a whole file and flushes at its end', () => {
  const records = readPcap(write('ok.pcap', pcapFile(packets)), { windowSecs: 60 });
  assert.deepEqual(records.map((r) => [r.srcPort, r.packets, r.bytes, r.startNs, r.endNs, r.endReason]), [
    [1234, 2n, 80n, T0, T0 + 2_000_000_000n, 'flush'],
    [999, 1n, 40n, T0 + 1_000_000_000n, T0 + 1_000_000_000n, 'flush'],
  ]);
  assert.equal(records[0].windowSecs, 60);
  assert.equal(records[0].observationPoint, 0, 'a pcap file has one interface, index 0');
});

test('readPcap of an empty capture returns no records', () => {
  assert.deepEqual(readPcap(write('empty.pcap', pcapFile([]))), []);
});

test('a truncated file throws with the records of every packet before the damage', () => {
  const whole = pcapFile(packets);
  const file = write('cut.pcap', whole.subarray(0, whole.length - 10));
  const err = throwsCode(assert, () => readPcap(file), Error, 'ERR_FLOWLOG_CAPTURE_TRUNCATED', file);
  const damaged = 24 + 2 * (16 + 54); // the third record header starts here
  assert.ok(err.message.includes(`at byte ${damaged}`), err.message);
  assert.equal(err.offset, damaged);
  assert.deepEqual(err.records.map((r) => [r.srcPort, r.packets]), [[1234, 1n], [999, 1n]]);
  assert.equal(err.counters.packetsIn, 2n);
  assert.equal(err.counters.recordPackets, 2n);
});

test('a record longer than any packet is malformed', () => {
  const bytes = Buffer.from(pcapFile(packets.slice(0, 1)));
  bytes.writeUInt32LE(0x7fff_ffff, 24 + 8); // caplen of the first record
  const file = write('malformed.pcap', bytes);
  const err = throwsCode(assert, () => readPcap(file), Error, 'ERR_FLOWLOG_CAPTURE_MALFORMED', 'at byte 24');
  assert.deepEqual(err.records, []);
});

test('garbage bytes and an unknown pcap version are unsupported', () => {
  const garbage = write('garbage.pcap', Buffer.from('GIF89a, not a capture file at all'));
  throwsCode(assert, () => readPcap(garbage), Error, 'ERR_FLOWLOG_CAPTURE_UNSUPPORTED', garbage);
  const v3 = write('v3.pcap', pcapFile(packets, { major: 3 }));
  throwsCode(assert, () => readPcap(v3), Error, 'ERR_FLOWLOG_CAPTURE_UNSUPPORTED', 'version');
});

test('a missing file or a directory is an I/O error', () => {
  const missing = path.join(dir, 'no-such-file.pcap');
  const err = throwsCode(assert, () => readPcap(missing), Error, 'ERR_FLOWLOG_IO', missing);
  assert.deepEqual(err.records, []);
  throwsCode(assert, () => readPcap(dir), Error, 'ERR_FLOWLOG_IO', dir);
});

test('readPcap checks its arguments', () => {
  const file = write('args.pcap', pcapFile(packets));
  throwsCode(assert, () => readPcap(42), TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'path');
  throwsCode(assert, () => readPcap(file, { windowSecs: 0 }), Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'window_secs');
  throwsCode(assert, () => readPcap(file, { window: 60 }), TypeError, 'ERR_FLOWLOG_INVALID_ARG', "'window'");
});

// `n` packets of one flow, one a second: with 1 s windows each closes the window before it, so
// the file has one record per packet.
function onePerSecond(n) {
  const frame = ethIpv4();
  return pcapFile(Array.from({ length: n }, (_, i) => [T0 + BigInt(i) * 1_000_000_000n, frame]));
}

test('PcapRecords hands out the records of readPcap as they come', () => {
  const file = write('stream.pcap', onePerSecond(10_000));
  const whole = readPcap(file, { windowSecs: 1 });
  assert.equal(whole.length, 10_000);
  const recs = new PcapRecords(file, { windowSecs: 1 });
  const streamed = [];
  for (let part = recs.next(); part.length > 0; part = recs.next()) {
    assert.ok(part.length < 10_000, 'records come before the end of the file');
    streamed.push(...part);
  }
  assert.deepEqual(streamed, whole);
  assert.deepEqual(recs.next(), [], 'the end again');
  assert.equal(recs.counters.packetsIn, 10_000n);
  recs.close();
  recs.close();
  throwsCode(assert, () => recs.next(), Error, 'ERR_FLOWLOG_CLOSED');
});

test('PcapRecords of a damaged file gives the records before the damage, then throws', () => {
  const whole = pcapFile(packets);
  const file = write('stream-cut.pcap', whole.subarray(0, whole.length - 10));
  const recs = new PcapRecords(file);
  assert.deepEqual(recs.next().map((r) => [r.srcPort, r.packets]), [[1234, 1n], [999, 1n]]);
  const damaged = 24 + 2 * (16 + 54);
  const err = throwsCode(assert, () => recs.next(), Error, 'ERR_FLOWLOG_CAPTURE_TRUNCATED', `at byte ${damaged}`);
  assert.equal(err.offset, damaged);
  throwsCode(assert, () => recs.next(), Error, 'ERR_FLOWLOG_CAPTURE_TRUNCATED', file);
  throwsCode(assert, () => new PcapRecords(path.join(dir, 'none.pcap')), Error, 'ERR_FLOWLOG_IO');
});

test('a capture truncated in place while it is read throws or ends, never SIGBUS', () => {
  // Log rotation by copytruncate: the file shrinks under the reader. It is read, not mapped, so
  // the reader stops with an error or at what it had read; a mapped reader would kill the process.
  const n = 20_000;
  const file = write('rotated.pcap', onePerSecond(n));
  const recs = new PcapRecords(file, { windowSecs: 1 });
  let total = recs.next().length;
  assert.ok(total > 0 && total < n);
  truncateSync(file, 10);
  try {
    for (let part = recs.next(); part.length > 0; part = recs.next()) total += part.length;
  } catch (e) {
    assert.equal(e.code, 'ERR_FLOWLOG_CAPTURE_TRUNCATED', e.message);
  }
  assert.ok(total < n, `${total} records from a file truncated to 10 bytes`);
});
