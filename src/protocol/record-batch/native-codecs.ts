import { createRequire } from 'node:module';
import { StreamError } from '../../common/errors.ts';

/**
 * Lazy loading of the two native codec packages (snappy, lz4-napi: napi-rs binaries shipped inside
 * npm). Loading on first use keeps a missing or broken binary from breaking anything that never meets
 * that codec; a batch that needs it fails with BRK_UNSUPPORTED_COMPRESSION instead.
 */

/** The part of `snappy` eddy uses: raw (block-format) snappy, one shot. */
export interface SnappyApi {
  compressSync(input: Uint8Array): Buffer;
  uncompressSync(input: Uint8Array): Buffer | string;
}

/** The part of `lz4-napi` eddy uses: the LZ4 frame format (KIP-57), one shot. */
export interface Lz4Api {
  compressFrameSync(input: Buffer): Buffer;
  decompressFrameSync(input: Buffer): Buffer;
}

const require = createRequire(import.meta.url);
let snappy: SnappyApi | undefined;
let lz4: Lz4Api | undefined;

function load<T>(pkg: string, codec: string): T {
  try {
    return require(pkg) as T;
  } catch (cause) {
    throw new StreamError(
      'BRK_UNSUPPORTED_COMPRESSION',
      `${codec} needs the npm package "${pkg}", which did not load; reinstall eddy's dependencies`,
      { cause, details: { package: pkg }, retriable: false },
    );
  }
}

/** The snappy package, loaded on first use. */
export function snappyApi(): SnappyApi {
  snappy ??= load<SnappyApi>('snappy', 'snappy compression');
  return snappy;
}

/** The lz4-napi package, loaded on first use. */
export function lz4Api(): Lz4Api {
  lz4 ??= load<Lz4Api>('lz4-napi', 'lz4 compression');
  return lz4;
}
