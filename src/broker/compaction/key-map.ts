// The cleaner's key map (Kafka's OffsetMap): for every key in the dirty part of the log, the offset of its
// latest record. Kafka hashes keys into a fixed buffer and accepts the tiny collision risk; eddy keeps
// short keys exactly and hashes only long ones (SHA-256, whose collisions are not a practical concern).

import { createHash } from 'node:crypto';

/** Keys up to this many bytes are stored as they are; longer ones by digest. */
const EXACT_KEY_BYTES = 64;

/**
 * A string that identifies a key's bytes: latin1 maps each byte to one char, so equal strings mean equal
 * bytes; digests start with a char above 0xff, which latin1 never produces, so the two forms never meet.
 */
export function keyId(key: Uint8Array): string {
  if (key.length <= EXACT_KEY_BYTES)
    return Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
  return `\u0100${createHash('sha256').update(key).digest('base64')}`;
}

/**
 * Latest offset per key.
 *
 * @example
 * const keys = new KeyMap();
 * keys.put(Buffer.from('a'), 7);
 * keys.get(Buffer.from('a')); // 7
 */
export class KeyMap {
  private readonly offsets = new Map<string, number>();

  /** Records `offset` for `key` unless a later offset is already known (order of puts does not matter). */
  put(key: Uint8Array, offset: number): void {
    const id = keyId(key);
    const known = this.offsets.get(id);
    if (known === undefined || offset > known) this.offsets.set(id, offset);
  }

  /** The latest offset of `key`, or -1 when the dirty part of the log does not hold it. */
  get(key: Uint8Array): number {
    return this.offsets.get(keyId(key)) ?? -1;
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.offsets.size;
  }
}
