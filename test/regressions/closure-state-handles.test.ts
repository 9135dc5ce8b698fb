// Parallel subtasks share the user's function object; a keyed state handle kept in a closure at open()
// used to be the last-opened subtask's, so other subtasks read and wrote the wrong backend
// (ENG_STATE_WITHOUT_KEY or silently wrong counts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  collectSink,
  createEnvironment,
  elementsSource,
  type KeyedProcessFunction,
  startJob,
  type ValueState,
  valueState,
  WatermarkStrategy,
} from '../../src/index.ts';

test('a state handle kept in a closure counts per key at parallelism 3', async () => {
  let count: ValueState<number>;
  const counter: KeyedProcessFunction<string, string, string> = {
    open(ctx) {
      count = ctx.state.getState(valueState<number>('count'));
    },
    processElement(value, _ctx, out) {
      const next = (count.value() ?? 0) + 1;
      count.update(next);
      out.collect(`${value}:${next}`);
    },
  };
  const input = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'a'];
  const out: string[] = [];
  const env = createEnvironment({ jobName: 'closure-handles', parallelism: 3 });
  env
    .fromSource(elementsSource(input), WatermarkStrategy.noWatermarks<string>(), 'letters')
    .keyBy((v) => v)
    .process(counter)
    .sinkTo(collectSink(out));
  await startJob(env.toPlan()).done;
  const expected = ['a:1', 'a:2', 'a:3', ...'bcdefgh'.split('').flatMap((l) => [`${l}:1`, `${l}:2`])];
  assert.deepEqual([...out].sort(), expected.sort());
});
