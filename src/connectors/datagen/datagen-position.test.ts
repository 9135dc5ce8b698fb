import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../common/random.ts';
import type { SplitPosition } from '../../engine/source.ts';
import { type DatagenPosition, generatedBefore, restoredStart } from './datagen-position.ts';

const COUNT = 2_000;

/**
 * Simulates datagen subtasks over a chain of runs at the given parallelisms: each run restores from the
 * previous run's positions, every subtask generates a random number of indexes (the last run: all),
 * and positions are taken as the reader takes them. Returns how often each index was generated.
 */
function simulate(parallelisms: readonly number[], seed: number): number[] {
  const random = seededRandom(seed);
  const seen = new Array<number>(COUNT).fill(0);
  let positions: SplitPosition[] = [];
  parallelisms.forEach((parallelism, run) => {
    const last = run === parallelisms.length - 1;
    const next: SplitPosition[] = [];
    for (let subtask = 0; subtask < parallelism; subtask++) {
      let { next: k, skip } = restoredStart(positions, subtask, parallelism);
      let budget = last ? Number.POSITIVE_INFINITY : Math.floor(random() * 400);
      while (budget > 0 && k < COUNT) {
        if (!generatedBefore(skip, k)) {
          seen[k] += 1;
          budget -= 1;
        }
        k += parallelism;
      }
      const position: DatagenPosition = { subtask, parallelism, next: k, ...(skip.length ? { skip } : {}) };
      next.push({ split: `datagen-${subtask}`, position });
    }
    positions = next;
  });
  return seen;
}

test('over rescales up, down and back, every index is generated exactly once', () => {
  const chains = [
    [1, 3],
    [2, 3],
    [3, 2],
    [4, 1],
    [2, 5, 3],
    [3, 2, 3, 1],
    [5, 5, 2, 7, 2],
  ];
  for (const [n, chain] of chains.entries())
    for (let seed = 1; seed <= 20; seed++) {
      const seen = simulate(chain, seed * 100 + n);
      const wrong = seen.flatMap((times, index) => (times === 1 ? [] : [`${index}×${times}`]));
      assert.deepEqual(wrong.slice(0, 5), [], `chain ${chain.join('→')}, seed ${seed}`);
    }
});

test('at the same parallelism a subtask goes on at its next index; old checkpoints hold a count', () => {
  const positions: SplitPosition[] = [
    { split: 'datagen-0', position: { subtask: 0, parallelism: 2, emitted: 5 } },
    { split: 'datagen-1', position: { subtask: 1, parallelism: 2, next: 13 } },
  ];
  assert.deepEqual(restoredStart(positions, 0, 2), { next: 10, skip: [] });
  assert.deepEqual(restoredStart(positions, 1, 2), { next: 13, skip: [] });
  assert.deepEqual(restoredStart([], 1, 2), { next: 1, skip: [] });
});

test('rescaled, a subtask starts at the lowest old bound and skips what faster subtasks generated', () => {
  // Old subtask 0 of 2 is at 10 (0..8 even done), subtask 1 at 21 (1..19 odd done).
  const positions: SplitPosition[] = [
    { split: 'datagen-0', position: { subtask: 0, parallelism: 2, next: 10 } },
    { split: 'datagen-1', position: { subtask: 1, parallelism: 2, next: 21 } },
  ];
  const start = restoredStart(positions, 0, 1);
  assert.equal(start.next, 10);
  assert.equal(generatedBefore(start.skip, 11), true);
  assert.equal(generatedBefore(start.skip, 12), false);
  assert.equal(generatedBefore(start.skip, 21), false);
});
