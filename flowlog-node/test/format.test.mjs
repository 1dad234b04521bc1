// formatRecords: the core's writers, header included, and the error of each bad argument.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowlog, ethIpv4, throwsCode } from './helpers.mjs';

const { Meter, formatRecords, errorCodes } = flowlog;
const T0 = 1_700_000_000_500_000_000n;

function oneRecord() {
  const meter = new Meter({ windowSecs: 60 });
  meter.process(ethIpv4({ payload: 10 }), T0);
  return meter.flush();
}

test('aws writes the version 2 header then one line per record', () => {
  assert.equal(formatRecords(oneRecord(), 'aws'),
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n'
    + '2 - - 10.0.0.1 10.0.0.2 1234 80 6 1 50 1700000000 1700000000 ACCEPT OK\n');
});

test('aws takes a custom field list', () => {
  assert.equal(formatRecords(oneRecord(), 'aws', '${srcaddr} ${dstport} ${packets}'),
    'srcaddr dstport packets\n10.0.0.1 80 1\n');
});

test('every format writes its header for an empty list, jsonl and sls write nothing', () => {
  assert.equal(formatRecords([], 'jsonl'), '');
  assert.equal(formatRecords([], 'sls'), '');
  assert.ok(formatRecords([], 'aws').startsWith('version '));
  assert.ok(formatRecords([], 'csv').startsWith('version,srcaddr,dstaddr,'));
});

test('jsonl is one JSON object per record with the exact counts and times', () => {
  const [line, end] = formatRecords(oneRecord(), 'jsonl').split('\n');
  assert.equal(end, '');
  const o = JSON.parse(line);
  assert.equal(o.srcaddr, '10.0.0.1');
  assert.equal(o.bytes, 50);
  assert.equal(o['window-start'], 1_699_999_980);
  assert.match(line, /"start-ns":1700000000500000000[,}]/);
});

test('a record built by hand formats like one from the meter, IPv6 included', () => {
  const [r] = oneRecord();
  const copy = JSON.parse(JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
    (_, v) => (typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
  for (const f of ['jsonl', 'sls', 'aws', 'csv']) assert.equal(formatRecords([copy], f), formatRecords([r], f));
  const v6 = { ...r, srcAddr: '2001:db8::1', dstAddr: '2001:db8::2', ipVersion: 6, extra: 'ignored' };
  assert.match(formatRecords([v6], 'aws'), /\n2 - - 2001:db8::1 2001:db8::2 1234 80 6 /);
});

test('a bad format, field list or record throws with a code', () => {
  const records = oneRecord();
  const [r] = records;
  const cases = [
    [() => formatRecords(records, 'xml'), Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'format'],
    [() => formatRecords(records, 'csv', '${srcaddr}'), Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'fields'],
    [() => formatRecords(records, 'aws', '${nosuchfield}'), Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'fields'],
    [() => formatRecords(records, 'aws', ''), Error, 'ERR_FLOWLOG_INVALID_CONFIG', 'fields'],
    [() => formatRecords(records, 'aws', 7), TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'fields'],
    [() => formatRecords(records, 1), TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'format'],
    [() => formatRecords(r, 'aws'), TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'records'],
    [() => formatRecords([null], 'aws'), TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'records[0]'],
    [() => formatRecords([r, { ...r, packets: 1 }], 'aws'), TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'records[1].packets'],
    [() => formatRecords([{ ...r, packets: -1n }], 'aws'), RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'packets'],
    [() => formatRecords([{ ...r, srcPort: 65536 }], 'aws'), RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'srcPort'],
    [() => formatRecords([{ ...r, srcAddr: '10.0.0.300' }], 'aws'), RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'srcAddr'],
    [() => formatRecords([{ ...r, dstAddr: '::1' }], 'aws'), RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'IP versions'],
    [() => formatRecords([{ ...r, endReason: 'bored' }], 'aws'), RangeError, 'ERR_FLOWLOG_INVALID_ARG', 'endReason'],
    [() => { const { action, ...rest } = r; return formatRecords([rest], 'aws'); }, TypeError, 'ERR_FLOWLOG_INVALID_ARG', 'action is required'],
  ];
  for (const [fn, cls, code, part] of cases) throwsCode(assert, fn, cls, code, part);
});

test('errorCodes lists one code per core error kind, in the core order', () => {
  assert.deepEqual(errorCodes(), [
    'ERR_FLOWLOG_INVALID_CONFIG', 'ERR_FLOWLOG_BUFFER_TOO_SMALL', 'ERR_FLOWLOG_CAPTURE_TRUNCATED',
    'ERR_FLOWLOG_CAPTURE_MALFORMED', 'ERR_FLOWLOG_CAPTURE_UNSUPPORTED', 'ERR_FLOWLOG_IO',
  ]);
});
