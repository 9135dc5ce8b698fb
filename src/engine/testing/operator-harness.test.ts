import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { MAX_TIMESTAMP } from '../../common/time.ts';
import type { KeyedProcessFunction, ProcessFunction } from '../../plan/functions.ts';
import { outputTag } from '../../plan/output-tag.ts';
import type { KeyedStateStore, ListStateDescriptor, MapStateDescriptor } from '../../plan/state.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import { OperatorHarness } from './operator-harness.ts';

/** Emits "tick@now" each time its processing-time callback comes, and asks again 100 ms later. */
class Ticker implements Operator<string, string> {
  ctx!: OperatorContext<string>;
  ended = false;
  open(ctx: OperatorContext<string>): void {
    this.ctx = ctx;
    ctx.requestProcessingTime(ctx.clock.now() + 100);
  }
  processBatch(batch: Batch<string>): void {
    this.ctx.output.emit(batch);
  }
  onProcessingTime(now: number): void {
    this.ctx.output.emit({ values: [`tick@${now}`], timestamps: [Number.NaN] });
    this.ctx.requestProcessingTime(now + 100);
  }
  endInput(): void {
    this.ended = true;
  }
}

test('setProcessingTime calls the operator back once per due request, with the new time', async () => {
  const ticker = new Ticker();
  const h = await OperatorHarness.of(ticker, { startTime: 1_000 });
  h.setProcessingTime(1_099);
  assert.deepEqual(h.output(), []);
  h.setProcessingTime(1_150);
  h.advanceProcessingTime(50); // 1200: the next request is for 1250
  h.advanceProcessingTime(50);
  h.setProcessingTime(2_000); // one callback for the request at 1350; the next (2100) is not due
  assert.deepEqual(h.output(), ['tick@1150', 'tick@1250', 'tick@2000']);
  assert.throws(() => h.setProcessingTime(1_000), RangeError, 'the clock does not go back');
  await h.close();
});

test('endInput sends the final watermark first; watermarks of operators without timers pass through', async () => {
  const ticker = new Ticker();
  const h = await OperatorHarness.of(ticker);
  h.processWatermark(5);
  await h.endInput();
  assert.deepEqual(h.watermarks(), [5, MAX_TIMESTAMP]);
  assert.equal(ticker.ended, true);
  h.clearOutput();
  assert.deepEqual(h.watermarks(), []);
  await h.close();
});

test('an asynchronous operator needs processBatchAsync', async () => {
  const seen: string[] = [];
  const slow: Operator<string, never> = {
    processBatch: async (batch) => {
      seen.push(...batch.values);
    },
  };
  const h = await OperatorHarness.of(slow);
  assert.throws(
    () => h.processElement('x'),
    (e) => isStreamError(e, 'ENG_HARNESS_MISUSE'),
  );
  await h.processBatchAsync(['y', 'z']);
  assert.deepEqual(seen, ['x', 'y', 'z']);
  await h.close();
});

test('forProcess runs a ProcessFunction with timestamps and side outputs', async () => {
  const errors = outputTag<string>('errors');
  const parse: ProcessFunction<string, number> = {
    processElement(line, ctx, out) {
      const n = Number(line);
      if (Number.isNaN(n)) ctx.output(errors, line);
      else out.collect(n);
    },
  };
  const h = await OperatorHarness.forProcess(parse);
  h.processBatch(['1', 'x', '3'], [10, 20, 30]);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 1, timestamp: 10 },
    { value: 3, timestamp: 30 },
  ]);
  assert.deepEqual(h.sideOutputWithTimestamps('errors'), [{ value: 'x', timestamp: 20 }]);
  await h.close();
});

test('state() reads lists and maps of any key as copies', async () => {
  const PAGES: ListStateDescriptor<string> = { kind: 'list', name: 'pages' };
  const HITS: MapStateDescriptor<string, number> = { kind: 'map', name: 'hits' };
  let store!: KeyedStateStore;
  const fn: KeyedProcessFunction<string, [string, string], never> = {
    processElement([, page]) {
      const hits = store.getMapState(HITS);
      store.getListState(PAGES).add(page);
      hits.put(page, (hits.get(page) ?? 0) + 1);
    },
    open(ctx) {
      store = ctx.state;
    },
  };
  const h = await OperatorHarness.forKeyedProcess(fn, ([user]: [string, string]) => user);
  h.processBatch([
    ['ann', '/a'],
    ['bob', '/b'],
    ['ann', '/a'],
  ]);
  assert.deepEqual(h.state('ann', PAGES), ['/a', '/a']);
  assert.deepEqual(h.state('ann', HITS), new Map([['/a', 2]]));
  assert.deepEqual(h.state('nobody', PAGES), []);
  const copy = h.state('bob', PAGES);
  copy.push('changed');
  assert.deepEqual(h.state('bob', PAGES), ['/b']);
  assert.equal(h.keyCount(), 2);
  await h.close();
});
