import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../src/common/random.ts';
import { addSample, EMPTY_STATS, type RunningStats, standardDeviation } from './running-stats.ts';

/** Mean and sample standard deviation the textbook way: two passes over all the values. */
function twoPass(values: readonly number[]): { mean: number; stddev: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, stddev: values.length < 2 ? 0 : Math.sqrt(squares / (values.length - 1)) };
}

function close(actual: number, expected: number, relative: number, what: string): void {
  const scale = Math.max(1e-12, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= relative * scale, `${what}: ${actual} vs ${expected}`);
}

/** The one-pass textbook formula Welford's method avoids: E[x²] - E[x]², which cancels catastrophically. */
function naiveStddev(values: readonly number[]): number {
  const n = values.length;
  const sum = values.reduce((s, v) => s + v, 0);
  const squares = values.reduce((s, v) => s + v * v, 0);
  return Math.sqrt(Math.max(0, (squares - (sum * sum) / n) / (n - 1)));
}

test('Welford mean and standard deviation equal a two-pass computation after every sample', () => {
  // [seed, offset, spread, relative tolerance]: the error of any one-pass method grows with
  // offset / spread, so the far-off case gets a looser (but still tight) bound.
  for (const [seed, offset, spread, tolerance] of [
    [1, 0, 1, 1e-12],
    [2, 20, 5, 1e-12],
    [3, -500, 1_000, 1e-12],
    [4, 1e8, 1, 1e-6],
  ]) {
    const rand = seededRandom(seed);
    const values: number[] = [];
    let stats: RunningStats = EMPTY_STATS;
    for (let i = 0; i < 500; i++) {
      const value = offset + (rand() - 0.5) * spread;
      values.push(value);
      stats = addSample(stats, value);
      const expected = twoPass(values);
      assert.equal(stats.count, values.length);
      close(stats.mean, expected.mean, tolerance, `seed ${seed} mean after ${i + 1}`);
      close(standardDeviation(stats), expected.stddev, tolerance, `seed ${seed} stddev after ${i + 1}`);
    }
  }
});

test('far from zero, Welford stays accurate where the naive sum of squares does not', () => {
  const rand = seededRandom(5);
  const values = Array.from({ length: 1_000 }, () => 1e8 + (rand() - 0.5));
  const exact = twoPass(values).stddev;
  const welford = standardDeviation(values.reduce(addSample, EMPTY_STATS));
  assert.ok(Math.abs(welford - exact) / exact < 1e-6, `Welford ${welford} vs ${exact}`);
  assert.ok(Math.abs(naiveStddev(values) - exact) / exact > 1e-3, 'the naive formula should be far off here');
});

test('the standard deviation is 0 until there are two samples, and 0 for equal samples', () => {
  assert.equal(standardDeviation(EMPTY_STATS), 0);
  const one = addSample(EMPTY_STATS, 42);
  assert.deepEqual(one, { count: 1, mean: 42, m2: 0 });
  assert.equal(standardDeviation(one), 0);
  assert.equal(standardDeviation(addSample(one, 42)), 0);
  assert.equal(standardDeviation(addSample(one, 44)), Math.SQRT2);
});

test('addSample returns new stats and leaves its input (and the shared EMPTY_STATS) alone', () => {
  const before = { ...EMPTY_STATS };
  const first = addSample(EMPTY_STATS, 5);
  const second = addSample(first, 7);
  assert.deepEqual(EMPTY_STATS, before);
  assert.deepEqual(first, { count: 1, mean: 5, m2: 0 });
  assert.deepEqual(second, { count: 2, mean: 6, m2: 2 });
});
