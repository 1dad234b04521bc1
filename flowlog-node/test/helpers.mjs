// Test helpers: the binding as users load it, and hand-built frames and capture files.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The package entry point, exactly as `require('flowlog')` loads it. */
export const flowlog = require('../index.js');

const ip4 = (s) => s.split('.').map(Number);

/**
 * An Ethernet II frame carrying IPv4 + TCP (or UDP with `proto: 17`), checksums zero.
 * IP total length = 20 + L4 header + payload, so byte accounting 'ip' counts exactly that.
 */
export function ethIpv4({ src = '10.0.0.1', dst = '10.0.0.2', sport = 1234, dport = 80, proto = 6,
  tcpFlags = 0x02, payload = 0, vlan = null } = {}) {
  const l4Len = proto === 6 ? 20 : 8;
  const ipLen = 20 + l4Len + payload;
  const eth = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  if (vlan !== null) eth.push(0x81, 0x00, (vlan >> 8) & 0x0f, vlan & 0xff);
  eth.push(0x08, 0x00);
  const ip = [0x45, 0, ipLen >> 8, ipLen & 0xff, 0, 1, 0, 0, 64, proto, 0, 0, ...ip4(src), ...ip4(dst)];
  const ports = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff];
  const l4 = proto === 6
    ? [...ports, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, tcpFlags, 0xff, 0xff, 0, 0, 0, 0]
    : [...ports, (8 + payload) >> 8, (8 + payload) & 0xff, 0, 0];
  return Buffer.from([...eth, ...ip, ...l4, ...new Array(payload).fill(0xab)]);
}

/** A little-endian microsecond pcap file (link type `link`) of `[tsNs, frame]` pairs. */
export function pcapFile(packets, { link = 1, major = 2 } = {}) {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(major, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(link, 20);
  const parts = [header];
  for (const [tsNs, frame] of packets) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(Number(tsNs / 1_000_000_000n), 0);
    h.writeUInt32LE(Number((tsNs % 1_000_000_000n) / 1000n), 4);
    h.writeUInt32LE(frame.length, 8);
    h.writeUInt32LE(frame.length, 12);
    parts.push(h, frame);
  }
  return Buffer.concat(parts);
}

/** `fn()` must throw an instance of `cls` whose `code` is `code`; returns the error. */
export function throwsCode(assert, fn, cls, code, messagePart) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `expected a ${cls.name} with code ${code}, nothing was thrown`);
  assert.ok(caught instanceof cls, `expected a ${cls.name}, got ${caught?.constructor?.name}: ${caught?.message}`);
  assert.equal(caught.code, code, `code of: ${caught.message}`);
  if (messagePart !== undefined) {
    assert.ok(caught.message.includes(messagePart), `'${caught.message}' should mention '${messagePart}'`);
  }
  return caught;
}

/** snake_case → camelCase (the vectors' names → the binding's). */
export const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
