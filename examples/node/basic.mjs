// flowlog from Node.js: meter packets, get flow-log records, write them as AWS VPC flow logs.
// Run from the repository: node examples/node/basic.mjs (after `npm run build` in flowlog-node/).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Meter, formatRecords } = require('../../flowlog-node'); // in your project: require('flowlog')

// An Ethernet frame: IPv4 10.0.0.1:1234 -> 10.0.0.2:80, TCP SYN, 40 bytes of IP packet.
const syn = Buffer.from(
  '000102030405060708090a0b0800' // Ethernet: destination, source, type IPv4
  + '450000280001000040060000' + '0a000001' + '0a000002' // IPv4 header, length 40, protocol 6
  + '04d2005000000001000000005002ffff00000000', // TCP 1234 -> 80, flags SYN
  'hex',
);

const meter = new Meter({ windowSecs: 60 });
const t0 = 1_700_000_000_000_000_000n; // nanoseconds since the epoch, as a bigint
const records = [];
for (let i = 0n; i < 3n; i++) {
  // process() returns the records this packet finished (a window rollover, an eviction).
  records.push(...meter.process(syn, t0 + i * 1_000_000_000n));
}
records.push(...meter.flush()); // end of input: every flow still open
process.stdout.write(formatRecords(records, 'aws'));
console.log(`packets in: ${meter.counters.packetsIn}, records: ${meter.counters.records}`);

// The batch path: many packets in one buffer, described by offsets, lengths and timestamps.
const batch = Buffer.concat([syn, syn]);
meter.processBatch(batch, Uint32Array.of(0, syn.length), Uint32Array.of(syn.length, syn.length),
  BigUint64Array.of(t0, t0));
console.log(`after the batch: ${meter.flush()[0].packets} packets in the flow`);

try {
  new Meter({ windowSecs: 0 });
} catch (err) {
  console.log(`${err.code}: ${err.message}`);
}
