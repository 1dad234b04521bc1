// Packets per second through Meter.processBatch, next to the core on the same traffic.
//
// Traffic: N 64-byte Ethernet/IPv4/TCP frames over 65 536 flows (each flow seen N/65 536 times,
// in a scattered order), 1 µs apart, all in one Buffer; batches of 65 536 packets. Each run meters
// the whole traffic on a fresh meter; flush (which turns the 65 536 flows into JS objects) is
// timed separately. The core's figure comes from examples/core_rate.rs on the same frames.
//
// Usage: node bench/bench.mjs [packets] [runs]  (scripts/bench-node.sh runs both sides)
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Meter } = require('../index.js');

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 5);
const FLOWS = 65_536;
const BATCH = 65_536;
const FRAME = 64;
const T0 = 1_700_000_000_000_000_000n;

const buffer = Buffer.alloc(N * FRAME);
const offsets = new Uint32Array(N);
const lengths = new Uint32Array(N).fill(FRAME);
const timestamps = new BigUint64Array(N);
const template = Buffer.from(
  '000102030405060708090a0b0800' // Ethernet
  + '450000320001000040060000' + '0a000000' + 'c0000201' // IPv4, length 50, TCP, 10.0.x.y -> 192.0.2.1
  + '000001bb00000001000000005010ffff00000000' // TCP ?:443, ACK
  + '00000000000000000000', // 10 bytes of payload
  'hex',
);
if (template.length !== FRAME) throw new Error(`template is ${template.length} bytes`);
for (let i = 0; i < N; i++) {
  const flow = (i * 40_503) % FLOWS; // an odd multiplier: every flow, scattered
  const at = i * FRAME;
  template.copy(buffer, at);
  buffer[at + 28] = flow >> 8; // source 10.0.hi.lo
  buffer[at + 29] = flow & 0xff;
  buffer.writeUInt16BE(1024 + (flow & 0x3ff), at + 34); // source port
  offsets[i] = at;
  timestamps[i] = T0 + BigInt(i) * 1000n;
}

/** Nanoseconds the main thread has run on a CPU (Linux), less disturbed by a loaded machine. */
function threadCpuNs() {
  return BigInt(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rates = [];
const cpuRates = [];
const flushMs = [];
for (let run = 0; run < RUNS; run++) {
  const meter = new Meter({ windowSecs: 600, maxFlows: FLOWS });
  const cpu0 = threadCpuNs();
  const start = process.hrtime.bigint();
  for (let b = 0; b < N; b += BATCH) {
    const e = Math.min(b + BATCH, N);
    meter.processBatch(buffer, offsets.subarray(b, e), lengths.subarray(b, e), timestamps.subarray(b, e));
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuSecs = Number(threadCpuNs() - cpu0) / 1e9;
  const f0 = process.hrtime.bigint();
  const records = meter.flush();
  flushMs.push(Number(process.hrtime.bigint() - f0) / 1e6);
  if (meter.counters.metered !== BigInt(N) || records.length !== Math.min(N, FLOWS)) {
    throw new Error(`unexpected result: ${meter.counters.metered} metered, ${records.length} records`);
  }
  rates.push(N / secs / 1e6);
  cpuRates.push(N / cpuSecs / 1e6);
}
const node = median(cpuRates);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}`);
console.log(`traffic: ${N} x ${FRAME}-byte Ethernet/IPv4/TCP frames, ${FLOWS} flows, batches of ${BATCH}, ${RUNS} runs (median)`);
const range = (xs) => `min ${Math.min(...xs).toFixed(3)}, max ${Math.max(...xs).toFixed(3)}`;
console.log(`node processBatch: ${node.toFixed(3)} Mpps of CPU time (${range(cpuRates)}); wall clock ${median(rates).toFixed(3)} Mpps (${range(rates)})`);
console.log(`node flush of ${Math.min(N, FLOWS)} records into JS objects: ${median(flushMs).toFixed(1)} ms wall`);

const coreBin = process.env.FLOWLOG_CORE_RATE;
if (coreBin) {
  const file = path.join(tmpdir(), `flowlog-node-bench-${process.pid}.bin`);
  const rec = Buffer.alloc(N * (12 + FRAME));
  for (let i = 0; i < N; i++) {
    const at = i * (12 + FRAME);
    rec.writeBigUInt64LE(timestamps[i], at);
    rec.writeUInt32LE(FRAME, at + 8);
    buffer.copy(rec, at + 12, i * FRAME, (i + 1) * FRAME);
  }
  writeFileSync(file, rec);
  try {
    const out = execFileSync(coreBin, [file, String(RUNS)], { encoding: 'utf8' });
    const line = (name) => out.split('\n').find((l) => l.startsWith(name)).split(/\s+/).slice(1).map(Number);
    const [core, coreMin, coreMax] = line('core_mpps_cpu');
    const [coreWall, coreWallMin, coreWallMax] = line('core_mpps_wall');
    console.log(`core Meter::process: ${core.toFixed(3)} Mpps of CPU time (min ${coreMin.toFixed(3)}, max ${coreMax.toFixed(3)}); wall clock ${coreWall.toFixed(3)} Mpps (min ${coreWallMin.toFixed(3)}, max ${coreWallMax.toFixed(3)})`);
    console.log(`ratio node/core (median CPU-time rates): ${(100 * node / core).toFixed(1)} % (target >= 70 %)`);
    console.log(`ratio node/core (best wall-clock rates): ${(100 * Math.max(...rates) / coreWallMax).toFixed(1)} %`);
  } finally {
    execFileSync('rm', ['-f', file]);
  }
}
