// The README example (examples/node/basic.mjs) runs and prints what the docs say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const example = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'node', 'basic.mjs');

test('examples/node/basic.mjs prints three packets of one flow as AWS text', () => {
  const out = execFileSync(process.execPath, [example], { encoding: 'utf8' });
  assert.equal(out, [
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    '2 - - 10.0.0.1 10.0.0.2 1234 80 6 3 120 1700000000 1700000002 ACCEPT OK',
    'packets in: 3, records: 1',
    'after the batch: 2 packets in the flow',
    "ERR_FLOWLOG_INVALID_CONFIG: config field 'window_secs': must be between 1 and 3162240000 seconds",
    '',
  ].join('\n'));
});
