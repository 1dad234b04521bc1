// processBatch: one buffer of many packets, same behaviour as one process() call per packet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowlog, ethIpv4, throwsCode } from './helpers.mjs';

const { Meter } = flowlog;
const T0 = 1_700_000_000_000_000_000n;

/** `n` frames over `flows` flows, 10 ms apart (so they cross 60 s windows), some garbage. */
function traffic(n, flows) {
  const frames = [];
  const ts = [];
  for (let i = 0; i < n; i++) {
    const f = i % 97 === 13
      ? Buffer.from('garbage that is not a frame')
      : ethIpv4({ sport: 1024 + (i * 7919) % flows, dport: 443, proto: i % 3 === 0 ? 17 : 6, payload: i % 50, tcpFlags: i % 5 === 0 ? 0x12 : 0x10 });
    frames.push(f);
    ts.push(T0 + BigInt(i) * 10_000_000n);
  }
  return { frames, ts };
}

function asBatch(frames) {
  const buffer = Buffer.concat(frames);
  const offsets = new Uint32Array(frames.length);
  const lengths = new Uint32Array(frames.length);
  let at = 0;
  frames.forEach((f, i) => { offsets[i] = at; lengths[i] = f.length; at += f.length; });
  return { buffer, offsets, lengths };
}

test('processBatch gives the same records and counters as process() per packet', () => {
  const { frames, ts } = traffic(20_000, 300);
  const options = { windowSecs: 60, maxFlows: 64 }; // evictions and rollovers both happen
  const one = new Meter(options);
  const expected = [];
  frames.forEach((f, i) => expected.push(...one.process(f, ts[i], { observationPoint: 2, direction: 'out' })));
  expected.push(...one.flush());

  const many = new Meter(options);
  const { buffer, offsets, lengths } = asBatch(frames);
  const got = [];
  for (let start = 0; start < frames.length; start += 4096) {
    const end = Math.min(start + 4096, frames.length);
    got.push(...many.processBatch(buffer, offsets.subarray(start, end), lengths.subarray(start, end),
      BigUint64Array.from(ts.slice(start, end)), { observationPoint: 2, direction: 'out' }));
  }
  got.push(...many.flush());
  assert.ok(one.counters.evictions > 0n && one.counters.rollovers > 0n && one.counters.truncatedL2 + one.counters.nonIp > 0n);
  assert.equal(got.length, expected.length);
  assert.deepEqual(got, expected);
  assert.deepEqual(many.counters, one.counters);
});

test('packets may overlap, repeat and come in any order inside the buffer', () => {
  const a = ethIpv4({ sport: 1 });
  const b = ethIpv4({ sport: 2 });
  const buffer = Buffer.concat([a, b]);
  const meter = new Meter();
  meter.processBatch(buffer, Uint32Array.of(a.length, 0, a.length), Uint32Array.of(b.length, a.length, b.length),
    BigUint64Array.of(T0, T0, T0));
  const records = meter.flush().sort((x, y) => x.srcPort - y.srcPort);
  assert.deepEqual(records.map((r) => [r.srcPort, r.packets]), [[1, 1n], [2, 2n]]);
});

test('an empty batch does nothing', () => {
  const meter = new Meter();
  assert.deepEqual(meter.processBatch(Buffer.alloc(0), new Uint32Array(0), new Uint32Array(0), new BigUint64Array(0)), []);
  assert.equal(meter.counters.packetsIn, 0n);
});

test('a bad batch is rejected before any packet is metered', () => {
  const meter = new Meter();
  const { buffer, offsets, lengths } = asBatch([ethIpv4(), ethIpv4({ sport: 9 })]);
  const ts = BigUint64Array.of(T0, T0);
  const bad = [
    // lengths beyond the buffer, offsets beyond the buffer, offset + length overflowing u32
    [() => meter.processBatch(buffer, offsets, Uint32Array.of(lengths[0], lengths[1] + 1), ts), RangeError, 'packet 1'],
    [() => meter.processBatch(buffer, Uint32Array.of(0, buffer.length + 1), Uint32Array.of(1, 0), ts), RangeError, 'packet 1'],
    [() => meter.processBatch(buffer, Uint32Array.of(0, 2 ** 32 - 1), Uint32Array.of(1, 2), ts), RangeError, 'packet 1'],
    [() => meter.processBatch(buffer, offsets, lengths, BigUint64Array.of(T0)), RangeError, 'same length'],
    [() => meter.processBatch(buffer, offsets, Uint32Array.of(1), ts), RangeError, 'same length'],
    [() => meter.processBatch(buffer, offsets, lengths, ts, { origLens: Uint32Array.of(1) }), RangeError, 'same length'],
    [() => meter.processBatch(buffer, [0, 54], lengths, ts), TypeError, 'offsets'],
    [() => meter.processBatch(buffer, Int32Array.from(offsets), lengths, ts), TypeError, 'offsets'],
    [() => meter.processBatch(buffer, offsets, lengths, [T0, T0]), TypeError, 'timestamps'],
    [() => meter.processBatch(buffer, offsets, lengths, BigInt64Array.of(T0, T0)), TypeError, 'timestamps'],
    [() => meter.processBatch('buffer', offsets, lengths, ts), TypeError, 'buffer'],
    [() => meter.processBatch(buffer, offsets, lengths, ts, { origLen: 1 }), TypeError, "'origLen'"],
    [() => meter.processBatch(buffer, offsets, lengths, ts, { origLens: [1, 2] }), TypeError, 'origLens'],
  ];
  for (const [fn, cls, part] of bad) throwsCode(assert, fn, cls, 'ERR_FLOWLOG_INVALID_ARG', part);
  assert.equal(meter.counters.packetsIn, 0n);
  assert.equal(meter.activeFlows, 0);
  meter.processBatch(buffer, offsets, lengths, ts);
  assert.equal(meter.counters.metered, 2n);
});
