import type { Batch } from '../batch.ts';
import { checkCloneable } from './transferable.ts';

// How a data batch crosses a MessagePort. Structured clone writes every key of every record and the
// receiver rebuilds each object key by key, which costs 300-400 ns per small record on the receiving
// thread. Batches of same-shaped plain objects (the common case) go as columns instead: numbers in
// transferred Float64Arrays, repeated strings as a small dictionary plus byte ids, anything else as a
// cloned array; the receiver rebuilds the records with one generated object literal per shape.
// Figures and the decision: docs/internals/thread-exchange.md.

/** One column of values: numbers, dictionary-coded strings, or anything else (cloned). */
export type Column =
  | { readonly type: 'f64'; readonly data: Float64Array }
  | { readonly type: 'dict'; readonly ids: Uint8Array; readonly words: readonly string[] }
  | { readonly type: 'any'; readonly data: unknown[] };

/** The values of a batch as sent: cloned as they are, one column of primitives, or rows as columns. */
export type EncodedValues =
  | { readonly form: 'cloned'; readonly values: unknown[] }
  | { readonly form: 'scalars'; readonly column: Column }
  | { readonly form: 'rows'; readonly keys: readonly string[]; readonly columns: readonly Column[] };

/** A data batch ready for postMessage. Timestamps go as a Float64Array with columns, else as they are. */
export interface EncodedBatch {
  readonly timestamps: Float64Array | number[];
  readonly values: EncodedValues;
}

// Columns cost about 5 us per batch (typed arrays, transfers), which only pays off from about 100
// records on (bench/thread-transport.ts at 16 records: half the throughput of cloning).
const MIN_COLUMN_ROWS = 128;
// A dictionary of more words than this is not worth it (ids, unique keys...): the column is cloned.
const MAX_WORDS = 64;
// Records with more fields than this are unusual; cloning them is simpler than a huge literal.
const MAX_KEYS = 64;
// After a batch that was not all one shape, the next ones are cloned without trying.
const SKIP_AFTER_MISS = 16;

/** Accumulates one column, moving to a more general representation when a value does not fit. */
class ColumnWriter {
  private type: 'f64' | 'dict' | 'any';
  private f64: Float64Array | undefined;
  private ids: Uint8Array | undefined;
  private words: Map<string, number> | undefined;
  private any: unknown[] | undefined;

  private readonly size: number;

  constructor(size: number, first: unknown) {
    this.size = size;
    this.type = typeof first === 'number' ? 'f64' : typeof first === 'string' ? 'dict' : 'any';
    if (this.type === 'f64') this.f64 = new Float64Array(size);
    else if (this.type === 'dict') {
      this.ids = new Uint8Array(size);
      this.words = new Map();
    } else this.any = new Array(size);
  }

  write(index: number, value: unknown): void {
    if (this.type === 'f64') {
      if (typeof value === 'number') this.f64![index] = value;
      else this.generalize(index).any![index] = value;
    } else if (this.type === 'dict') {
      if (typeof value !== 'string') {
        this.generalize(index).any![index] = value;
        return;
      }
      const words = this.words!;
      let id = words.get(value);
      if (id === undefined) {
        id = words.size;
        if (id === MAX_WORDS) {
          this.generalize(index).any![index] = value;
          return;
        }
        words.set(value, id);
      }
      this.ids![index] = id;
    } else this.any![index] = value;
  }

  get isGeneral(): boolean {
    return this.type === 'any';
  }

  finish(transfer: ArrayBuffer[]): Column {
    if (this.type === 'f64') {
      transfer.push(this.f64!.buffer as ArrayBuffer);
      return { type: 'f64', data: this.f64! };
    }
    if (this.type === 'dict') {
      transfer.push(this.ids!.buffer as ArrayBuffer);
      return { type: 'dict', ids: this.ids!, words: [...this.words!.keys()] };
    }
    return { type: 'any', data: this.any! };
  }

  /** Copies the values written before `index` into a plain array and keeps writing there. */
  private generalize(index: number): this {
    const any: unknown[] = new Array(this.size);
    if (this.type === 'f64') for (let i = 0; i < index; i++) any[i] = this.f64![i];
    else {
      const words = [...this.words!.keys()];
      for (let i = 0; i < index; i++) any[i] = words[this.ids![i]];
    }
    this.type = 'any';
    this.any = any;
    this.f64 = undefined;
    this.ids = undefined;
    this.words = undefined;
    return this;
  }
}

/**
 * Turns batches into messages for one port. It remembers whether recent batches were all one shape, so
 * a stream of mixed records does not pay for trying columns on every batch.
 *
 * @example
 * const { message, transfer } = new BatchEncoder().encode(batchOf([{ id: 1 }], [5]));
 * port.postMessage(message, transfer);
 */
export class BatchEncoder {
  private skipRows = 0;

  /** Throws ENG_RECORD_NOT_TRANSFERABLE for a record that is a class instance (see transferable.ts). */
  encode(batch: Batch<unknown>): { message: EncodedBatch; transfer: ArrayBuffer[] } {
    const transfer: ArrayBuffer[] = [];
    const values =
      batch.values.length >= MIN_COLUMN_ROWS ? this.encodeColumns(batch.values, transfer) : undefined;
    if (values === undefined) {
      checkCloneable(batch.values);
      return {
        message: { timestamps: batch.timestamps, values: { form: 'cloned', values: batch.values } },
        transfer,
      };
    }
    const timestamps = Float64Array.from(batch.timestamps);
    transfer.push(timestamps.buffer);
    return { message: { timestamps, values }, transfer };
  }

  private encodeColumns(values: unknown[], transfer: ArrayBuffer[]): EncodedValues | undefined {
    const first = values[0];
    if (typeof first === 'number' || typeof first === 'string') {
      const writer = new ColumnWriter(values.length, first);
      for (let i = 0; i < values.length && !writer.isGeneral; i++) writer.write(i, values[i]);
      return writer.isGeneral ? undefined : { form: 'scalars', column: writer.finish(transfer) };
    }
    if (this.skipRows > 0) {
      this.skipRows--;
      return undefined;
    }
    if (!isPlainObject(first)) return undefined;
    const rows = encodeRows(values, first, transfer);
    if (rows === undefined) this.skipRows = SKIP_AFTER_MISS;
    return rows;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Columns for records that are all plain objects with the same keys in the same order, else undefined. */
function encodeRows(
  values: unknown[],
  first: Record<string, unknown>,
  transfer: ArrayBuffer[],
): EncodedValues | undefined {
  const keys: string[] = [];
  // for-in on a plain object lists the same keys, in the same order, as structured clone writes them.
  for (const key in first) keys.push(key);
  // An own "__proto__" key (JSON.parse makes them) would set the prototype when the record is rebuilt.
  if (keys.length === 0 || keys.length > MAX_KEYS || keys.includes('__proto__')) return undefined;
  const writers = keys.map((key) => new ColumnWriter(values.length, first[key]));
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!isPlainObject(value)) return undefined;
    let column = 0;
    // Reading through for-in keeps the keyed loads fast; the key check makes the shape exact.
    for (const key in value) {
      if (key !== keys[column]) return undefined;
      writers[column].write(i, value[key]);
      column++;
    }
    if (column !== keys.length) return undefined;
  }
  return { form: 'rows', keys, columns: writers.map((writer) => writer.finish(transfer)) };
}

/**
 * Rebuilds a batch from what `BatchEncoder.encode` produced (after it crossed the port).
 *
 * @example
 * const batch = decodeBatch(event.data); // { values: [{ id: 1 }], timestamps: [5] }
 */
export function decodeBatch(encoded: EncodedBatch): Batch<unknown> {
  const timestamps = Array.isArray(encoded.timestamps) ? encoded.timestamps : Array.from(encoded.timestamps);
  const values = encoded.values;
  if (values.form === 'cloned') return { values: values.values, timestamps };
  if (values.form === 'scalars') return { values: columnValues(values.column), timestamps };
  // Number columns are read straight from their Float64Array: no intermediate array per column.
  const columns = values.columns.map((column) =>
    column.type === 'f64' ? column.data : columnValues(column),
  );
  const build = rowBuilder(values.keys);
  const count = columns[0].length;
  const rows: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) rows[i] = build(columns, i);
  return { values: rows, timestamps };
}

function columnValues(column: Column): unknown[] {
  if (column.type === 'f64') return Array.from(column.data);
  if (column.type === 'dict') {
    const words = column.words;
    return Array.from(column.ids, (id) => words[id]);
  }
  return column.data;
}

type RowBuilder = (columns: readonly ArrayLike<unknown>[], index: number) => Record<string, unknown>;

const builders = new Map<string, RowBuilder>();
const MAX_BUILDERS = 1024;

/**
 * A function returning `{ k0: columns[0][i], k1: columns[1][i], ... }`. One literal per shape gives
 * every record the same hidden class at once; it rebuilds records 2-3x faster than assigning the keys
 * in a loop. Keys are embedded with JSON.stringify, which always yields a valid string literal.
 */
function rowBuilder(keys: readonly string[]): RowBuilder {
  const signature = JSON.stringify(keys);
  let build = builders.get(signature);
  if (build === undefined) {
    if (builders.size >= MAX_BUILDERS) builders.clear();
    build = compileRowBuilder(keys);
    builders.set(signature, build);
  }
  return build;
}

function compileRowBuilder(keys: readonly string[]): RowBuilder {
  const fields = keys.map((key, column) => `${JSON.stringify(key)}: c[${column}][i]`).join(', ');
  try {
    return new Function('c', 'i', `return { ${fields} };`) as RowBuilder;
  } catch {
    // Code generation is disallowed (--disallow-code-generation-from-strings): assign key by key.
    return (columns, index) => {
      const row: Record<string, unknown> = {};
      for (let column = 0; column < keys.length; column++) row[keys[column]] = columns[column][index];
      return row;
    };
  }
}
