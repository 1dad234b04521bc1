// The shared test vectors (flowlog-core/tests/vectors/*.json): every format byte for byte and
// every counter, through the per-packet path and through the batch path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { flowlog, camel } from './helpers.mjs';

const { Meter, formatRecords } = flowlog;
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'flowlog-core', 'tests', 'vectors');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const FORMATS = ['jsonl', 'sls', 'aws', 'csv'];

test('the shared vectors are present', () => {
  assert.ok(files.length >= 3, `expected vector files in ${dir}, found ${files.join(', ')}`);
});

function meterOptions(config) {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [camel(k), v]));
}

function frameBytes(f) {
  return Buffer.from(f.data, 'hex');
}

function check(v, meter, records) {
  for (const format of FORMATS) {
    assert.equal(formatRecords(records, format), v.expected[format], `${v.name}: ${format}`);
  }
  const counters = meter.counters;
  for (const [name, value] of Object.entries(v.expected.counters)) {
    assert.equal(counters[camel(name)], BigInt(value), `${v.name}: counter ${name}`);
  }
}

for (const file of files) {
  const v = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));

  test(`vector ${v.name}: per-packet process matches every format and counter`, () => {
    const meter = new Meter(meterOptions(v.config));
    const records = [];
    for (const f of v.frames) {
      const ts = f.ts_ns === null ? null : BigInt(f.ts_ns);
      records.push(...meter.process(frameBytes(f), ts, {
        linkType: f.link_type, origLen: f.orig_len, observationPoint: f.observation_point,
      }));
    }
    records.push(...meter.flush());
    check(v, meter, records);
  });

  test(`vector ${v.name}: processBatch over one buffer matches every format and counter`, () => {
    // Runs of frames that share link type and observation point and have a timestamp go through
    // one processBatch call over a single buffer; the others through process().
    const meter = new Meter(meterOptions(v.config));
    const records = [];
    const buffer = Buffer.concat(v.frames.map(frameBytes));
    const starts = [];
    let at = 0;
    for (const f of v.frames) {
      starts.push(at);
      at += f.data.length / 2;
    }
    let i = 0;
    let batches = 0;
    while (i < v.frames.length) {
      const f = v.frames[i];
      if (f.ts_ns === null) {
        records.push(...meter.process(frameBytes(f), null, {
          linkType: f.link_type, origLen: f.orig_len, observationPoint: f.observation_point,
        }));
        i += 1;
        continue;
      }
      let j = i;
      while (j < v.frames.length && v.frames[j].ts_ns !== null && v.frames[j].link_type === f.link_type
        && v.frames[j].observation_point === f.observation_point) j += 1;
      const run = v.frames.slice(i, j);
      records.push(...meter.processBatch(
        buffer,
        Uint32Array.from(run.map((_, k) => starts[i + k])),
        Uint32Array.from(run.map((r) => r.data.length / 2)),
        BigUint64Array.from(run.map((r) => BigInt(r.ts_ns))),
        { linkType: f.link_type, observationPoint: f.observation_point, origLens: Uint32Array.from(run.map((r) => r.orig_len)) },
      ));
      batches += 1;
      i = j;
    }
    assert.ok(batches >= 1);
    records.push(...meter.flush());
    check(v, meter, records);
  });
}
