/**
 * Version ranges in the protocol specification's notation: `'3+'`, `'0-4'`, `'2'`, `'none'`.
 *
 * Parsing happens while schemas are compiled, never per message, but results are memoised anyway
 * because the same few strings ('0+', 'none') appear hundreds of times across the schemas.
 */
import { StreamError } from '../../common/errors.ts';
import type { VersionRange } from './types.ts';

/** Inclusive bounds of a range; `max` is `Infinity` for open ranges such as `'3+'`. */
export interface VersionBounds {
  readonly min: number;
  readonly max: number;
}

const parsed = new Map<string, VersionBounds | null>();
const RANGE = /^(\d+)(?:(\+)|-(\d+))?$/;

/**
 * Parses a range; `null` stands for `'none'` (no version at all).
 *
 * @example parseVersionRange('0-4') // { min: 0, max: 4 }
 */
export function parseVersionRange(range: VersionRange): VersionBounds | null {
  const cached = parsed.get(range);
  if (cached !== undefined) return cached;
  const result = parseUncached(range);
  parsed.set(range, result);
  return result;
}

function parseUncached(range: string): VersionBounds | null {
  const text = range.trim();
  if (text === 'none') return null;
  const m = RANGE.exec(text);
  if (m === null) {
    throw new StreamError(
      'BRK_PROTOCOL_SCHEMA_INVALID',
      `version range "${range}" is not one of the forms "3+", "0-4", "2" or "none"`,
    );
  }
  const min = Number(m[1]);
  const max = m[2] === '+' ? Number.POSITIVE_INFINITY : m[3] !== undefined ? Number(m[3]) : min;
  if (max < min) {
    throw new StreamError('BRK_PROTOCOL_SCHEMA_INVALID', `version range "${range}" ends before it starts`);
  }
  return { min, max };
}

/**
 * Whether `version` lies in `range`. An undefined range (an optional schema key left out) is empty.
 *
 * @example inRange('3+', 4) // true
 */
export function inRange(range: VersionRange | undefined, version: number): boolean {
  if (range === undefined) return false;
  const b = parseVersionRange(range);
  return b !== null && version >= b.min && version <= b.max;
}

/**
 * Every version of a closed range, in order. Throws for open ranges, which have no last version.
 *
 * @example listVersions('0-2') // [0, 1, 2]
 */
export function listVersions(range: VersionRange): number[] {
  const b = parseVersionRange(range);
  if (b === null) return [];
  if (b.max === Number.POSITIVE_INFINITY) {
    throw new StreamError('BRK_PROTOCOL_SCHEMA_INVALID', `version range "${range}" is open-ended`);
  }
  const out: number[] = [];
  for (let v = b.min; v <= b.max; v++) out.push(v);
  return out;
}
