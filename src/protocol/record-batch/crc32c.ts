import { createRequire } from 'node:module';

/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2. The native @node-rs/crc32 (SIMD, prebuilt
 * napi) is used when it loads; otherwise a slicing-by-8 table implementation in plain TypeScript.
 */

type Crc32cFn = (input: Uint8Array, initialState?: number) => number;

/** Reflected Castagnoli polynomial. */
const POLY = 0x82f63b78;

/** Eight 256-entry tables: table k maps a byte to its CRC contribution k bytes further back. */
const TABLES = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
}

/**
 * Pure TypeScript CRC-32C. `initial` continues a previous result, so
 * `crc32cJs(b, crc32cJs(a)) === crc32cJs(concat(a, b))`.
 *
 * @example crc32cJs(new TextEncoder().encode('123456789')) === 0xe3069283
 */
export function crc32cJs(buf: Uint8Array, initial = 0): number {
  const t = TABLES;
  let crc = ~initial >>> 0;
  let i = 0;
  const end8 = buf.length - (buf.length % 8);
  while (i < end8) {
    const lo = crc ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    crc =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + buf[i + 4]] ^
      t[512 + buf[i + 5]] ^
      t[256 + buf[i + 6]] ^
      t[buf[i + 7]];
    i += 8;
  }
  while (i < buf.length) crc = t[(crc ^ buf[i++]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

function loadNative(): Crc32cFn | undefined {
  if (process.env.EDDY_CRC32C === 'js') return undefined;
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: Crc32cFn };
    const fn = mod.crc32c;
    // Guard against a binary that loads but computes something else.
    if (typeof fn !== 'function' || fn(new Uint8Array([0x31, 0x32, 0x33])) !== 0x107b2fb2) return undefined;
    return fn;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** Which implementation `crc32c` uses on this machine: 'native' or 'js' (set EDDY_CRC32C=js to force). */
export const crc32cImplementation: 'native' | 'js' = native === undefined ? 'js' : 'native';

/**
 * CRC-32C of `buf` as an unsigned 32-bit number; `initial` continues an earlier CRC.
 *
 * @example crc32c(batch.subarray(21)) // the CRC stored at byte 17 of a RecordBatch
 */
export const crc32c: (buf: Uint8Array, initial?: number) => number =
  native === undefined ? crc32cJs : (buf, initial = 0) => native(buf, initial) >>> 0;
