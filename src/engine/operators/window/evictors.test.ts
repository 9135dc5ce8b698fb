import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessWindowFunction } from '../../../plan/functions.ts';
import type { EvictorSpec } from '../../../plan/windows.ts';
import { OperatorHarness } from '../../testing/operator-harness.ts';

const same = () => 'k';
const list: ProcessWindowFunction<string | number, string, string> = {
  process: (_key, _ctx, elements, out) => out.collect([...elements].join(',')),
};
const tumbling10 = { kind: 'tumbling', time: 'event', size: 10, offset: 0 } as const;

async function run<T extends string | number>(
  evictor: EvictorSpec<T>,
  fn: object,
  elements: T[],
  timestamps: number[],
): Promise<unknown[]> {
  const h = await OperatorHarness.forWindow({ key: same, assigner: tumbling10, evictor, ...fn });
  h.processBatch(elements, timestamps);
  h.processWatermark(9);
  const out = h.output();
  await h.close();
  return out;
}

test('a count evictor keeps the last n elements before the function runs', async () => {
  assert.deepEqual(await run({ kind: 'count', max: 2 }, { process: list }, [1, 2, 3], [1, 2, 3]), ['2,3']);
});

test('with an evictor, reduce and aggregate run at fire time over the kept elements', async () => {
  const reduce = (a: number, b: number) => a + b;
  assert.deepEqual(await run({ kind: 'count', max: 2 }, { reduce }, [1, 2, 3], [1, 2, 3]), [5]);
  const aggregate = {
    createAccumulator: () => [] as number[],
    add: (v: number, acc: number[]) => [...acc, v],
    getResult: (acc: number[]) => acc.join('+'),
  };
  assert.deepEqual(await run({ kind: 'count', max: 2 }, { aggregate }, [1, 2, 3], [1, 2, 3]), ['2+3']);
  assert.deepEqual(await run({ kind: 'count', max: 1 }, { reduce, process: list }, [1, 2, 3], [1, 2, 3]), [
    '3',
  ]);
});

test('a time evictor keeps elements within keep ms of the newest one', async () => {
  assert.deepEqual(await run({ kind: 'time', keep: 5 }, { process: list }, ['a', 'b', 'c'], [1, 4, 8]), [
    'b,c',
  ]);
});

test('evicting after the function changes what the next firing sees', async () => {
  const h = await OperatorHarness.forWindow({
    key: same,
    assigner: tumbling10,
    allowedLateness: 10,
    evictor: { kind: 'count', max: 1, after: true },
    process: list,
  });
  h.processBatch([1, 2, 3], [1, 2, 3]);
  h.processWatermark(9);
  h.processElement(4, 4);
  assert.deepEqual(h.output(), ['1,2,3', '3,4']);
  await h.close();
});

test('a custom evictor decides what stays', async () => {
  const evenOnly: EvictorSpec<number> = {
    kind: 'custom',
    evictor: { evictBefore: (elements) => elements.filter((e) => e.value % 2 === 0) },
  };
  assert.deepEqual(await run(evenOnly, { process: list }, [1, 2, 3, 4], [1, 2, 3, 4]), ['2,4']);
  assert.deepEqual(
    await run(evenOnly, { process: list }, [1, 3], [1, 2]),
    [],
    'nothing left: nothing emitted',
  );
});
