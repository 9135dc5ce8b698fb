import { StreamError } from '../../common/errors.ts';
import {
  recordChildren as children,
  className,
  hasPrototypeIn,
  PLAIN_DATA_PROTOTYPES,
} from '../record-paths.ts';

// Records cross threads by structured clone. It throws a DataCloneError naming only the value ("() => 1
// could not be cloned"), and it silently turns a class instance into a plain object, dropping its
// methods and private fields. These helpers make both a StreamError that says which record, where in
// it, and what to do.

/** Prototypes whose instances structured clone copies faithfully. */
const CLONEABLE_PROTOTYPES = new Set<object | null>([
  ...PLAIN_DATA_PROTOTYPES,
  SharedArrayBuffer.prototype,
  EvalError.prototype,
  ReferenceError.prototype,
  SyntaxError.prototype,
  URIError.prototype,
]);

const isCloneableObject = (value: object): boolean => hasPrototypeIn(value, CLONEABLE_PROTOTYPES);

/**
 * Throws ENG_RECORD_NOT_TRANSFERABLE when a record is a class instance, a function or a symbol. Only
 * the records themselves are checked (one prototype lookup each); values nested inside them are left
 * to structured clone.
 *
 * @example
 * checkCloneable([{ id: 1 }]); // fine
 * checkCloneable([new Reading()]); // throws: record 0 is an instance of class Reading
 */
export function checkCloneable(values: readonly unknown[]): void {
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (typeof value === 'object' ? value !== null && !isCloneableObject(value) : !isPrimitive(value))
      throw notTransferable(index, findUncloneable(value, '', 0) ?? describe(value, ''));
  }
}

function isPrimitive(value: unknown): boolean {
  return typeof value !== 'function' && typeof value !== 'symbol';
}

/**
 * The StreamError for a batch that structured clone refused (`cause`, a DataCloneError): finds the
 * first record that cannot be cloned and the path to the value inside it.
 *
 * @example
 * try { port.postMessage(message) } catch (cause) { throw uncloneableRecordError(batch.values, cause) }
 */
export function uncloneableRecordError(values: readonly unknown[], cause: unknown): StreamError {
  for (let index = 0; index < values.length; index++) {
    const found = findUncloneable(values[index], '', 0);
    if (found !== undefined) return notTransferable(index, found, cause);
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  return notTransferable(-1, `structured clone failed: ${reason}`, cause);
}

const MAX_DEPTH = 16;

/** A sentence naming the first value under `path` that structured clone refuses, or undefined. */
function findUncloneable(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value === 'function' || typeof value === 'symbol') return describe(value, path);
  if (typeof value !== 'object' || value === null || canClone(value)) return undefined;
  if (depth < MAX_DEPTH) {
    for (const [step, child] of children(value)) {
      const found = findUncloneable(child, `${path}${step}`, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return describe(value, path);
}

function canClone(value: object): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** `path` is '' for the record itself, else the steps into it (`.items[2].fn`). */
function describe(value: unknown, path: string): string {
  const where = path === '' ? 'the record' : `record${path}`;
  if (typeof value === 'function') return `${where} is a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return `${where} is a symbol (${String(value)})`;
  // structured clone would copy a class instance as a plain object: refused so nothing is lost silently.
  if (typeof value === 'object' && value !== null && !isCloneableObject(value) && canClone(value))
    return `${where} is an instance of class ${className(value)}, whose methods and private fields would be lost`;
  return `${where} is a ${className(value)}, which cannot be copied`;
}

function notTransferable(index: number, found: string, cause?: unknown): StreamError {
  const which = index >= 0 ? `record ${index} of a batch` : 'a batch';
  return new StreamError(
    'ENG_RECORD_NOT_TRANSFERABLE',
    `${which} cannot be sent to another worker thread: ${found}. Records that cross threads ` +
      '(parallelism > 1) must be plain data: objects, arrays, strings, numbers, booleans, null, Dates, ' +
      'Maps, Sets and typed arrays. Turn it into plain data with a map() before the exchange, or run ' +
      'this part of the job at parallelism 1.',
    { cause, details: { record: index, found } },
  );
}
