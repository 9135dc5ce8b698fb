import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32c, crc32cImplementation, crc32cJs } from './crc32c.ts';

// Check values from RFC 3720 appendix B.4 (iSCSI, CRC-32C) and the common "123456789" check value.
const VECTORS: Array<[string, Uint8Array, number]> = [
  ['123456789', new TextEncoder().encode('123456789'), 0xe3069283],
  ['32 zero bytes', new Uint8Array(32), 0x8a9136aa],
  ['32 0xff bytes', new Uint8Array(32).fill(0xff), 0x62a8ab43],
  ['0..31 ascending', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
  ['31..0 descending', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
  ['empty', new Uint8Array(0), 0],
];

test('both implementations match published CRC-32C check values', () => {
  for (const [name, input, expected] of VECTORS) {
    assert.equal(crc32cJs(input), expected, `js: ${name}`);
    assert.equal(crc32c(input), expected, `${crc32cImplementation}: ${name}`);
  }
});

test('native and js agree on random lengths and unaligned views', () => {
  const pool = randomBytes(70_000);
  for (let i = 0; i < 300; i++) {
    const start = (i * 7919) % 1000;
    const length = i < 100 ? i : (i * 104_729) % 60_000;
    const view = new Uint8Array(pool.buffer, pool.byteOffset + start, length);
    assert.equal(crc32c(view), crc32cJs(view), `length ${length} at ${start}`);
  }
});

test('an initial value continues an earlier CRC', () => {
  const data = randomBytes(10_001);
  const whole = crc32cJs(data);
  for (const cut of [0, 1, 7, 8, 9, 5000, 10_001]) {
    assert.equal(crc32cJs(data.subarray(cut), crc32cJs(data.subarray(0, cut))), whole, `js cut ${cut}`);
    assert.equal(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), whole, `cut ${cut}`);
  }
});

test('a single flipped bit changes the CRC', () => {
  const data = randomBytes(4096);
  const before = crc32c(data);
  data[1234] ^= 0x10;
  assert.notEqual(crc32c(data), before);
});

test('EDDY_CRC32C=js selects the fallback, which still computes the right values', () => {
  const script = `import('${new URL('./crc32c.ts', import.meta.url).href}').then((m) => {
    process.stdout.write(m.crc32cImplementation + ' ' + m.crc32c(new TextEncoder().encode('123456789')).toString(16));
  });`;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, EDDY_CRC32C: 'js' } });
  assert.equal(out.toString(), 'js e3069283');
});
