// The Meter class: records, options validation, inputs, bad input and the closed state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowlog, ethIpv4, throwsCode } from './helpers.mjs';

const { Meter } = flowlog;
const T0 = 1_700_000_000_500_000_000n; // 2023-11-14T22:13:20.5Z; its 60 s window starts at 1699999980 s

test('a TCP packet becomes one record with its 5-tuple, IP-length bytes and window', () => {
  const meter = new Meter({ windowSecs: 60 });
  assert.deepEqual(meter.process(ethIpv4({ payload: 10 }), T0), []);
  assert.equal(meter.activeFlows, 1);
  const [r, ...rest] = meter.flush();
  assert.equal(rest.length, 0);
  assert.deepEqual(r, {
    srcAddr: '10.0.0.1', dstAddr: '10.0.0.2', srcPort: 1234, dstPort: 80, protocol: 6, ipVersion: 4,
    observationPoint: 0, vlan: 0, tunnelId: 0, direction: 'unknown', action: 'accept',
    packets: 1n, bytes: 50n, startNs: T0, endNs: T0, tcpFlags: 0x02, tcpSynAck: false,
    hasIcmp: false, icmpType: 0, icmpCode: 0, windowStart: 1_699_999_980, windowSecs: 60,
    endReason: 'flush', logStatus: 'OK',
  });
  assert.equal(meter.activeFlows, 0);
  const c = meter.counters;
  assert.equal(c.packetsIn, 1n);
  assert.equal(c.metered, 1n);
  assert.equal(c.records, 1n);
  assert.equal(c.recordPackets, 1n);
});

test('the window start is null until the first packet, then its epoch-aligned start', () => {
  const meter = new Meter({ windowSecs: 600 });
  assert.equal(meter.windowStartNs, null);
  // 1 700 000 123 s lies in the 600 s window from 1 699 999 800 s (2 833 333 × 600).
  assert.deepEqual(meter.process(ethIpv4({}), 1_700_000_123_000_000_000n), []);
  assert.equal(meter.windowStartNs, 1_699_999_800_000_000_000n);
  const [r] = meter.process(ethIpv4({}), 1_700_000_400_000_000_000n);
  assert.equal(r.windowStart, 1_699_999_800);
  assert.equal(meter.windowStartNs, 1_700_000_400_000_000_000n);
});

test('every field and name reaches JavaScript intact, one record at a time or many', () => {
  const meter = new Meter({ windowSecs: 60, maxFlows: 2, keyVlan: true });
  // Ethernet, IPv6 2001:db8::1 → 2001:db8::2 (payload 16), ICMPv6 echo request (type 128) + 8 bytes.
  const v6 = Buffer.from('000102030405060708090a0b86dd' + '6000000000103a40'
    + '20010db8000000000000000000000001' + '20010db8000000000000000000000002'
    + '8000000000010001' + '0000000000000000', 'hex');
  const common = { observationPoint: 0, tunnelId: 0, windowStart: 1_699_999_980, windowSecs: 60, logStatus: 'OK' };
  assert.deepEqual(meter.process(v6, T0, { direction: 'out', action: 'reject' }), []);
  assert.deepEqual(meter.process(ethIpv4({ proto: 17, sport: 5, dport: 6, vlan: 42 }), T0 + 1n), []);
  // A third flow in a table of two: the least recently updated one (the ICMPv6 flow) is evicted.
  assert.deepEqual(meter.process(ethIpv4({ sport: 7, tcpFlags: 0x12 }), T0 + 2n), [{
    srcAddr: '2001:db8::1', dstAddr: '2001:db8::2', srcPort: 0, dstPort: 0, protocol: 58, ipVersion: 6,
    ...common, vlan: 0, direction: 'out', action: 'reject', packets: 1n, bytes: 56n, startNs: T0, endNs: T0,
    tcpFlags: 0, tcpSynAck: false, hasIcmp: true, icmpType: 128, icmpCode: 0, endReason: 'evicted',
  }]);
  // The next window: both flows left are finished, in table order (the third flow took the
  // evicted one's place, ahead of the UDP flow).
  const next = T0 + 60_000_000_000n;
  assert.deepEqual(meter.process(ethIpv4({ sport: 8 }), next), [{
    srcAddr: '10.0.0.1', dstAddr: '10.0.0.2', srcPort: 7, dstPort: 80, protocol: 6, ipVersion: 4, ...common,
    vlan: 0, direction: 'unknown', action: 'accept', packets: 1n, bytes: 40n, startNs: T0 + 2n, endNs: T0 + 2n,
    tcpFlags: 0x12, tcpSynAck: true, hasIcmp: false, icmpType: 0, icmpCode: 0, endReason: 'window',
  }, {
    srcAddr: '10.0.0.1', dstAddr: '10.0.0.2', srcPort: 5, dstPort: 6, protocol: 17, ipVersion: 4, ...common,
    vlan: 42, direction: 'unknown', action: 'accept', packets: 1n, bytes: 28n, startNs: T0 + 1n, endNs: T0 + 1n,
    tcpFlags: 0, tcpSynAck: false, hasIcmp: false, icmpType: 0, icmpCode: 0, endReason: 'window',
  }]);

  // Many records in one call: 300 flows flushed at once.
  const big = new Meter({ windowSecs: 60 });
  for (let port = 0; port < 300; port++) big.process(ethIpv4({ sport: port, dport: 443 }), T0 + BigInt(port));
  const all = big.flush();
  assert.equal(all.length, 300);
  all.forEach((r, port) => assert.deepEqual(r, {
    srcAddr: '10.0.0.1', dstAddr: '10.0.0.2', srcPort: port, dstPort: 443, protocol: 6, ipVersion: 4, ...common,
    vlan: 0, direction: 'unknown', action: 'accept', packets: 1n, bytes: 40n, startNs: T0 + BigInt(port),
    endNs: T0 + BigInt(port), tcpFlags: 0x02, tcpSynAck: false, hasIcmp: false, icmpType: 0, icmpCode: 0,
    endReason: 'flush',
  }));
});

test('frame options set the observation point, direction, action and wire length', () => {
  const meter = new Meter({ accounting: 'l2' });
  meter.process(ethIpv4(), T0, { observationPoint: 7, direction: 'in', action: 'reject', origLen: 1514 });
  const [r] = meter.flush();
  assert.equal(r.observationPoint, 7);
  assert.equal(r.direction, 'in');
  assert.equal(r.action, 'reject');
  assert.equal(r.bytes, 1514n, "accounting 'l2' counts the wire length");
});

test('a packet in a later window finishes the records of the previous one', () => {
  const meter = new Meter({ windowSecs: 60 });
  meter.process(ethIpv4(), T0);
  const done = meter.process(ethIpv4({ sport: 999 }), T0 + 60_000_000_000n);
  assert.equal(done.length, 1);
  assert.equal(done[0].srcPort, 1234);
  assert.equal(done[0].endReason, 'window');
  assert.equal(meter.counters.rollovers, 1n);
});

test('a null timestamp takes the meter clock', () => {
  const meter = new Meter();
  meter.process(ethIpv4(), T0);
  meter.process(ethIpv4(), null);
  const [r] = meter.flush();
  assert.equal(r.packets, 2n);
  assert.equal(r.endNs, T0);
});

test('Buffer, Uint8Array and an offset subarray give the same records', () => {
  const frame = ethIpv4({ payload: 3 });
  const padded = new Uint8Array(frame.length + 7);
  padded.set(frame, 5);
  const inputs = [frame, new Uint8Array(frame), padded.subarray(5, 5 + frame.length)];
  const results = inputs.map((data) => {
    const meter = new Meter();
    meter.process(data, T0);
    return meter.flush();
  });
  assert.equal(results[0][0].bytes, 43n);
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
});

test('garbage and truncated bytes are counted, never thrown', () => {
  const meter = new Meter();
  const frame = ethIpv4();
  meter.process(Buffer.from('this is not a packet at all, just text'), T0);
  meter.process(Buffer.alloc(0), T0);
  meter.process(frame.subarray(0, 10), T0); // cut inside the Ethernet header
  meter.process(frame.subarray(0, 20), T0); // cut inside the IP header
  meter.process(frame, T0, { linkType: 4_000_000 }); // a link type nobody decodes
  meter.process(frame, T0);
  const c = meter.counters;
  assert.equal(c.packetsIn, 6n);
  assert.equal(c.metered, 1n);
  assert.equal(c.unsupportedLink, 1n);
  assert.equal(c.packetsIn, c.metered + c.unsupportedLink + c.truncatedL2 + c.nonIp + c.badIpHeader);
  assert.equal(meter.flush().length, 1);
});

test('options are validated and the error names the option', () => {
  const bad = [
    [{ windowSecs: 0 }, Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'window_secs'],
    [{ windowSecs: 4e9 }, Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'window_secs'],
    [{ maxFlows: 0 }, Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'max_flows'],
    [{ maxFlows: 2 ** 28 + 1 }, Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'max_flows'],
    [{ maxFragments: 0 }, Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'max_fragments'],
    [{ decap: 'some' }, Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'decap'],
    [{ accounting: 'l3' }, Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'accounting'],
    [{ maxFlows: -1 }, RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'maxFlows'],
    [{ maxFlows: 1.5 }, RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'maxFlows'],
    [{ maxFlows: 2 ** 32 }, RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'maxFlows'],
    [{ windowSecs: NaN }, RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'windowSecs'],
    [{ windowSecs: '60' }, TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'windowSecs'],
    [{ keyVlan: 1 }, TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'keyVlan'],
    [{ decap: false }, TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'decap'],
    [{ hashSeed: 1 }, TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'hashSeed'],
    [{ hashSeed: -1n }, RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'hashSeed'],
    [{ maxflows: 10 }, TypeError, 'ERR_FLOWLOG_INVALID_ARG', "'maxflows'"],
    [42, TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'options'],
    [[1, 2], TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'options'],
  ];
  for (const [options, cls, code, part] of bad) {
    throwsCode(assert, () => new Meter(options), cls, code, part);
  }
});

test('valid options are accepted, undefined ones take the defaults', () => {
  const all = new Meter({ windowSecs: 300, maxFlows: 4, maxFragments: 8, decap: 'none', accounting: 'l2',
    icmpInPorts: true, keyVlan: true, keyTunnel: true, hashSeed: 2n ** 64n - 1n });
  assert.equal(all.closed, false);
  const meter = new Meter({ windowSecs: undefined });
  meter.process(ethIpv4(), T0);
  assert.equal(meter.flush()[0].windowSecs, 600);
  new Meter(null);
  new Meter();
});

test('a bad argument to process is a TypeError or RangeError with a code, and counts nothing', () => {
  const meter = new Meter();
  const frame = ethIpv4();
  const bad = [
    [() => meter.process('not bytes', T0), TypeError, 'data'],
    [() => meter.process([1, 2, 3], T0), TypeError, 'data'],
    [() => meter.process(new Uint16Array(8), T0), TypeError, 'data'],
    [() => meter.process(undefined, T0), TypeError, 'data'],
    [() => meter.process(frame, 5), TypeError, 'tsNs'],
    [() => meter.process(frame), TypeError, 'tsNs'],
    [() => meter.process(frame, -1n), RangeError, 'tsNs'],
    [() => meter.process(frame, 2n ** 64n), RangeError, 'tsNs'],
    [() => meter.process(frame, T0, { linkType: -1 }), RangeError, 'linkType'],
    [() => meter.process(frame, T0, { origLen: 2 ** 32 }), RangeError, 'origLen'],
    [() => meter.process(frame, T0, { direction: 'sideways' }), RangeError, 'direction'],
    [() => meter.process(frame, T0, { action: 'ACCEPT' }), RangeError, 'action'],
    [() => meter.process(frame, T0, { observationPoint: '1' }), TypeError, 'observationPoint'],
    [() => meter.process(frame, T0, { link: 1 }), TypeError, "'link'"],
  ];
  for (const [fn, cls, part] of bad) throwsCode(assert, fn, cls, 'ERR_FLOWLOG_INVALID_ARG', part);
  assert.equal(meter.counters.packetsIn, 0n);
  // The largest timestamp is fine.
  meter.process(frame, 2n ** 64n - 1n);
  assert.equal(meter.counters.metered, 1n);
});

test('a closed meter throws ERR_FLOWLOG_CLOSED from every method, and closing twice is fine', () => {
  const meter = new Meter();
  meter.process(ethIpv4(), T0);
  meter.close();
  assert.equal(meter.closed, true);
  const calls = [
    () => meter.process(ethIpv4(), T0),
    () => meter.processBatch(Buffer.alloc(0), new Uint32Array(0), new Uint32Array(0), new BigUint64Array(0)),
    () => meter.flush(),
    () => meter.counters,
    () => meter.activeFlows,
    () => meter.heapBytes,
  ];
  for (const fn of calls) throwsCode(assert, fn, Error, 'ERR_FLOWLOG_CLOSED', 'closed');
  meter.close();
  assert.equal(meter.closed, true);
});

test('the meter reserves its memory at construction', () => {
  const small = new Meter({ maxFlows: 16 });
  const big = new Meter({ maxFlows: 65536 });
  assert.ok(big.heapBytes > small.heapBytes);
  const before = big.heapBytes;
  for (let i = 0; i < 1000; i++) big.process(ethIpv4({ sport: i }), T0);
  assert.equal(big.activeFlows, 1000);
  assert.equal(big.heapBytes, before);
});
