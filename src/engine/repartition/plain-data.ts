import { serialize } from 'node:v8';
import { StreamError } from '../../common/errors.ts';
import {
  recordChildren as children,
  className,
  hasPrototypeIn,
  PLAIN_DATA_PROTOTYPES,
} from '../record-paths.ts';

// Elements cross processes as v8.serialize bytes (the format structured clone uses). It throws only a
// bare "() => 1 could not be cloned", and it silently writes a class instance as a plain object, so the
// reading process would get an object without its methods. Both become a StreamError naming the record
// and the place inside it.

/** What v8.serialize writes and reads back as the same kind of value (Buffers come back as Buffers). */
const PLAIN_PROTOTYPES = new Set<object | null>([...PLAIN_DATA_PROTOTYPES, Buffer.prototype]);

/**
 * The bytes of one element. Only the element itself is checked for being a class instance (one
 * prototype lookup); nested values are left to v8.serialize, which refuses functions and symbols.
 *
 * @example
 * serializeElement({ id: 1 }, 0, 'job-repartition-0'); // <Buffer ff 0f 6f ...>
 * serializeElement(new Reading(), 0, 'job-repartition-0'); // throws ENG_RECORD_NOT_SERIALIZABLE
 */
export function serializeElement(value: unknown, index: number, topic: string | undefined): Buffer {
  assertPlainElement(value, index, topic);
  try {
    return serialize(value);
  } catch (cause) {
    throw notSerializable(index, topic, findUnserializable(value, '', 0) ?? messageOf(cause), cause);
  }
}

/**
 * Refuses an element that is a class instance (v8.serialize would write it as a plain object, and the
 * reading process would get it without its methods).
 *
 * @example assertPlainElement(new Reading(), 0, 'job-repartition-0'); // throws ENG_RECORD_NOT_SERIALIZABLE
 */
export function assertPlainElement(value: unknown, index: number, topic: string | undefined): void {
  if (typeof value === 'object' && value !== null && !hasPrototypeIn(value, PLAIN_PROTOTYPES))
    throw notSerializable(index, topic, `the record is an instance of class ${className(value)}`);
}

const MAX_DEPTH = 16;

/** A phrase naming the first function or symbol under `path`, or undefined. */
function findUnserializable(value: unknown, path: string, depth: number): string | undefined {
  const where = path === '' ? 'the record' : `record${path}`;
  if (typeof value === 'function') return `${where} is a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return `${where} is a symbol (${String(value)})`;
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return undefined;
  for (const [step, child] of children(value)) {
    const found = findUnserializable(child, `${path}${step}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function messageOf(cause: unknown): string {
  return `v8.serialize failed: ${cause instanceof Error ? cause.message : String(cause)}`;
}

function notSerializable(
  index: number,
  topic: string | undefined,
  found: string,
  cause?: unknown,
): StreamError {
  const where = topic === undefined ? 'a repartition topic' : `repartition topic "${topic}"`;
  return new StreamError(
    'ENG_RECORD_NOT_SERIALIZABLE',
    `record ${index} of a batch cannot be written to ${where}: ${found}. Records that cross processes ` +
      'must be plain data: objects, arrays, strings, numbers, bigints, booleans, null, Dates, Maps, Sets ' +
      'and typed arrays. Turn it into plain data with a map() before the keyBy.',
    { cause, details: { record: index, topic, found } },
  );
}
