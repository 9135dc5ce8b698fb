import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { type Batch, batchOf } from '../batch.ts';
import { BatchEncoder, decodeBatch } from './batch-codec.ts';

/** Encodes, moves the result through structured clone with its transfer list (as postMessage does), decodes. */
function roundTrip(
  batch: Batch<unknown>,
  encoder = new BatchEncoder(),
): { form: string; batch: Batch<unknown> } {
  const { message, transfer } = encoder.encode(batch);
  return { form: message.values.form, batch: decodeBatch(structuredClone(message, { transfer })) };
}

const PAGES = ['/home', '/cart', '/search', '/about'];
const readings = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: i, key: i % 7, value: i * 0.5, ts: i }));
const clicks = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    user_id: `u${i}`,
    page: PAGES[i % 4],
    action: i % 3 === 0 ? 'click' : 'view',
    timestamp: 1.7e12 + i,
  }));

test('same-shaped records go as columns and come back equal, key order and timestamps included', () => {
  for (const values of [readings(1024), clicks(1024)]) {
    const timestamps = values.map((_, i) => (i === 3 ? Number.NaN : i * 10));
    const { form, batch } = roundTrip({ values, timestamps });
    assert.equal(form, 'rows');
    assert.deepEqual(batch, { values, timestamps });
    assert.deepEqual(Object.keys(batch.values[5] as object), Object.keys(values[5]));
  }
});

/** `n` records made by `make`, enough for columns (small batches are cloned, see the last tests). */
const many = <T>(make: (i: number) => T, n = 200): T[] => Array.from({ length: n }, (_, i) => make(i));

test('columns keep values that are not plain numbers or strings exactly', () => {
  const shared = { deep: [1, 2] };
  const odd = [
    { a: -0, b: 'x', c: shared, d: undefined },
    { a: Number.NaN, b: 7, c: shared, d: new Date(5) },
    { a: 'now a string', b: null, c: new Map([[1, 'one']]), d: [1n] },
    { a: Number.POSITIVE_INFINITY, b: 'x', c: new Uint8Array([9]), d: { nested: true } },
  ];
  const values = [...odd, ...many((i) => ({ a: i, b: 'y', c: i, d: i }))];
  const { form, batch } = roundTrip(batchOf(values));
  assert.equal(form, 'rows');
  assert.deepEqual(batch.values, values);
  const [first, second] = batch.values as (typeof odd)[number][];
  assert.ok(Object.is(first.a, -0), 'negative zero survives');
  assert.ok('d' in first, 'a key holding undefined is still there');
  assert.equal(first.c, second.c, 'an object shared by two records in a batch stays shared');
});

test('records of different shapes or key orders are cloned, never reordered', () => {
  for (const stranger of [
    { b: 2, a: 1 },
    { a: 1, b: 2, c: 3 },
    { a: 1 },
    Object.assign(Object.create(null), { a: 1, b: 2 }),
  ]) {
    const values = many((i) => (i === 150 ? stranger : { a: i, b: 2 }));
    const { form, batch } = roundTrip(batchOf(values));
    assert.equal(form, 'cloned');
    assert.deepEqual(
      batch.values.map((v) => Object.keys(v as object)),
      values.map((v) => Object.keys(v)),
    );
  }
});

test('after a batch of mixed shapes, columns come back a few batches later', () => {
  const encoder = new BatchEncoder();
  assert.equal(roundTrip(batchOf(many((i) => (i === 199 ? { b: 1 } : { a: i }))), encoder).form, 'cloned');
  const forms = Array.from({ length: 20 }, () => roundTrip(batchOf(readings(200)), encoder).form);
  assert.equal(forms[0], 'cloned');
  assert.equal(forms.at(-1), 'rows');
});

test('batches of numbers or strings go as one column; mixed primitives are cloned', () => {
  const cases: [unknown[], string][] = [
    [many((i) => [1, -0, 2.5, Number.NaN][i % 4]), 'scalars'],
    [many((i) => ['a', 'b', 'a', ''][i % 4]), 'scalars'],
    [many((i) => `word${i}`, 300), 'cloned'],
    [many((i) => [1, 'two', null, undefined, true, 3n][i % 6]), 'cloned'],
  ];
  for (const [values, expected] of cases) {
    const { form, batch } = roundTrip(batchOf(values));
    assert.equal(form, expected);
    assert.deepEqual(batch.values, values);
  }
});

test('an own "__proto__" key stays a key and does not change the prototype', () => {
  const values = many((i) => JSON.parse(`{"__proto__": {"polluted": ${i}}, "a": ${i}}`));
  const { batch } = roundTrip(batchOf(values));
  assert.deepEqual(batch.values, values);
  const first = batch.values[0] as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(first), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(first, '__proto__')?.value, { polluted: 0 });
});

test('arrays, null-prototype objects, Maps and an empty batch cross as they are', () => {
  const bare = Object.assign(Object.create(null) as object, { k: 1 });
  const cases: unknown[][] = [[['word', 3]], [bare], [new Map([['k', 1]])], [new Date(0)], []];
  for (const values of cases) {
    assert.deepEqual(
      roundTrip(batchOf(values)).batch.values,
      values.map((v) => structuredClone(v)),
    );
  }
});

test('small batches are cloned as they are, timestamps included', () => {
  const values = readings(16);
  const timestamps = values.map((_, i) => (i === 3 ? Number.NaN : i));
  const { form, batch } = roundTrip({ values, timestamps });
  assert.equal(form, 'cloned');
  assert.deepEqual(batch, { values, timestamps });
});

test('encoding leaves the original batch usable (only its own copies are transferred)', () => {
  const values = readings(200);
  const timestamps = values.map((v) => v.ts);
  assert.equal(roundTrip({ values, timestamps }).form, 'rows');
  assert.equal(timestamps.length, 200);
  assert.deepEqual(values[15], { id: 15, key: 1, value: 7.5, ts: 15 });
});

test('a class instance is refused with ENG_RECORD_NOT_TRANSFERABLE naming the class', () => {
  class Reading {
    #secret = 42;
    readonly id = 1;
    secret(): number {
      return this.#secret;
    }
  }
  assert.throws(
    () => new BatchEncoder().encode(batchOf([{ id: 0 }, new Reading()])),
    (error: unknown) =>
      isStreamError(error, 'ENG_RECORD_NOT_TRANSFERABLE') &&
      /record 1 of a batch/.test(error.message) &&
      /instance of class Reading/.test(error.message) &&
      /plain data/.test(error.message),
  );
});

test('records are rebuilt the same where code generation is disallowed', () => {
  // The row builder is compiled with new Function; this flag makes that throw, so the fallback runs.
  const script = `
    import { BatchEncoder, decodeBatch } from ${JSON.stringify(new URL('./batch-codec.ts', import.meta.url).href)};
    const values = Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'n' + (i % 3) }));
    const { message, transfer } = new BatchEncoder().encode({ values, timestamps: values.map(() => 1) });
    const batch = decodeBatch(structuredClone(message, { transfer }));
    process.stdout.write(JSON.stringify({ form: message.values.form, same: JSON.stringify(batch.values) === JSON.stringify(values) }));
  `;
  const child = spawnSync(
    process.execPath,
    ['--disallow-code-generation-from-strings', '--input-type=module', '--eval', script],
    { encoding: 'utf8' },
  );
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), { form: 'rows', same: true });
});
