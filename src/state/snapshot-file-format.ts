import type { SnapshotChainLink } from './snapshot-format.ts';

/**
 * Layout of a snapshot file (docs/internals/state-snapshots.md):
 *
 *   header   MAGIC (8 bytes) + format version (1 byte)
 *   chunks   each a node:v8 Serializer stream of `count` records of one section and one key group
 *   footer   v8-serialized Footer (the index)
 *   trailer  footer length u32 | footer crc32c u32 | file crc32c u32 (header..footer) | MAGIC
 *
 * All integers little-endian. A reader checks the trailer and the footer's checksum when it opens the
 * file and each chunk's checksum when it reads it, so it can read only the key groups it owns.
 */
export const MAGIC = Buffer.from('EDDYSNAP', 'latin1');
export const FORMAT_VERSION = 1;
export const HEADER_LENGTH = MAGIC.length + 1;
export const TRAILER_LENGTH = 12 + MAGIC.length;

/** Sections of a file: keyed entries (and key resets), timers. */
export const SECTION_ENTRIES = 0;
export const SECTION_TIMERS = 1;

/** Records of the entries section: [TAG_ENTRY, state, key, namespace, kind, value, touchedAt, stamps]. */
export const TAG_ENTRY = 0;
/** [TAG_RESET, key]: an incremental snapshot replaces every earlier backend entry of `key`. */
export const TAG_RESET = 1;

/** Where one chunk lies: [section, keyGroup, offset, length, records, crc32c]. */
export type ChunkRef = [number, number, number, number, number, number];

export interface OperatorStateRef {
  readonly name: string;
  readonly mode: 'split' | 'union';
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
}

export interface Footer {
  readonly version: number;
  readonly chain?: SnapshotChainLink;
  readonly chunks: readonly ChunkRef[];
  readonly operatorStates: readonly OperatorStateRef[];
  /** Key groups with any entry or timer, ascending. */
  readonly keyGroups: readonly number[];
}

/**
 * A rough size in bytes of a value as v8 serializes it, looking at most a few levels deep and sampling
 * long collections. It only decides when a chunk is big enough to go to disk, so being off by a
 * small factor is fine; being blind to a large list would not be.
 */
export function approxSize(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'bigint':
      return 9;
    case 'object':
      break;
    default:
      return 1;
  }
  if (value === null) return 1;
  if (depth >= 3) return 32;
  if (ArrayBuffer.isView(value)) return value.byteLength + 4;
  if (Array.isArray(value)) return 4 + sampled(value, value.length, depth);
  if (value instanceof Map) return 4 + 2 * sampled([...take(value.values(), 8)], value.size, depth);
  if (value instanceof Set) return 4 + sampled([...take(value.values(), 8)], value.size, depth);
  let size = 4;
  let fields = 0;
  for (const key in value) {
    size += key.length + 2 + approxSize((value as Record<string, unknown>)[key], depth + 1);
    if (++fields === 16) break;
  }
  return size;
}

function sampled(items: readonly unknown[], total: number, depth: number): number {
  if (total === 0) return 0;
  const n = Math.min(items.length, 8);
  let size = 0;
  for (let i = 0; i < n; i++) size += approxSize(items[i], depth + 1);
  return n === 0 ? total * 8 : Math.ceil((size / n) * total);
}

function* take<T>(values: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) {
    const next = values.next();
    if (next.done) return;
    yield next.value;
  }
}
