import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import { ManualClock } from '../common/time.ts';
import type { DeadLetter, SinkDescriptor, SourceDescriptor } from '../plan/connectors.ts';
import { DEFAULT_JOB_CONFIG, type JobPlan } from '../plan/nodes.ts';
import { WatermarkStrategy } from './builders/watermark-strategy.ts';
import { createEnvironment } from './environment.ts';

const sink: SinkDescriptor<unknown> = { connector: 'test-sink', config: {} };
const kafka: SourceDescriptor<string> = { connector: 'kafka', config: { topics: ['t'] }, bounded: false };

/** Runs toPlan and returns the problems of the ENG_INVALID_JOB error it must throw. */
function problemsOf(build: () => JobPlan): string[] {
  try {
    build();
  } catch (error) {
    assert.ok(isStreamError(error, 'ENG_INVALID_JOB'), `expected ENG_INVALID_JOB, got ${String(error)}`);
    return error.details.problems as string[];
  }
  assert.fail('toPlan did not reject the job');
}

test('options and setters make the job config; defaults come from the plan', () => {
  const clock = new ManualClock(0);
  const env = createEnvironment({ jobName: 'clicks', parallelism: 2, clock });
  env.fromElements(1).sinkTo(sink);
  assert.deepEqual(env.toPlan().config, { ...DEFAULT_JOB_CONFIG, jobName: 'clicks', parallelism: 2, clock });

  env
    .setJobName('renamed')
    .setParallelism(3)
    .setMaxParallelism(256)
    .setWatermarkInterval(50)
    .setBatchSize(10)
    .setChannelCapacity(2);
  assert.deepEqual(env.toPlan().config, {
    jobName: 'renamed',
    parallelism: 3,
    maxParallelism: 256,
    watermarkInterval: 50,
    batchSize: 10,
    channelCapacity: 2,
    clock,
  });
  assert.equal(createEnvironment().config.jobName, 'eddy job');
  // undefined leaves the default, so `{ parallelism: flags.p }` works when the flag is absent.
  assert.equal(createEnvironment({ parallelism: undefined }).config.parallelism, 1);
});

test('invalid options are rejected with what to fix', () => {
  const invalid = (message: RegExp) => ({ code: 'ENG_INVALID_ARGUMENT', message });
  assert.throws(
    () => createEnvironment({ parallelism: 0 }),
    invalid(/parallelism must be a whole number above 0, got 0/),
  );
  assert.throws(
    () => createEnvironment({ maxParallelism: 40_000 }),
    invalid(/maxParallelism must be at most 32768/),
  );
  assert.throws(() => createEnvironment({ jobName: ' ' }), invalid(/jobName must be a non-empty string/));
  assert.throws(
    () => createEnvironment().setBatchSize(2.5),
    invalid(/batchSize must be a whole number above 0/),
  );
  assert.throws(() => createEnvironment().setClock({} as never), invalid(/clock must have a now\(\) method/));
});

test('sources: fromSource with its strategy and options, fromElements and fromCollection', () => {
  const env = createEnvironment({ parallelism: 4 });
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<string>(100);
  const dlq: SinkDescriptor<DeadLetter> = { connector: 'kafka', config: { topic: 'dlq' } };
  env
    .fromSource(kafka, strategy, 'input', { badRecords: { kind: 'dead-letter', sink: dlq }, parallelism: 2 })
    .sinkTo(sink);
  env.fromElements('a', 'b').sinkTo(sink);
  const set = new Set([1, 2]);
  env.fromCollection(set).sinkTo(sink);
  async function* generate() {
    yield 1;
  }
  const generator = generate();
  env.fromCollection(generator).sinkTo(sink);

  const [kafkaNode, elements, collection, asyncCollection] = env
    .toPlan()
    .nodes.filter((n) => n.kind === 'source');
  assert.deepEqual(kafkaNode, {
    kind: 'source',
    id: 0,
    name: 'Source: input',
    parallelism: 2,
    inputs: [],
    source: kafka,
    watermarks: { kind: 'bounded-out-of-orderness', maxOutOfOrderness: 100 },
    badRecords: { kind: 'dead-letter', sink: dlq },
  });
  assert.deepEqual(elements, {
    kind: 'source',
    id: 2,
    name: 'Source: Elements',
    parallelism: 1,
    inputs: [],
    source: { connector: 'elements', config: { elements: ['a', 'b'] }, bounded: true },
    watermarks: { kind: 'none' },
    badRecords: { kind: 'fail' },
  });
  assert.deepEqual(collection?.kind === 'source' && collection.source, {
    connector: 'iterable',
    config: { iterable: set },
    bounded: true,
  });
  assert.equal(asyncCollection?.kind === 'source' && asyncCollection.source.config.iterable, generator);
  // A collection source (parallelism 1) feeds a sink of parallelism 4: rebalance, not forward.
  assert.deepEqual(env.toPlan().nodes[3]?.inputs[0]?.partitioning, { kind: 'rebalance' });
});

test('sources reject what they cannot read', () => {
  const env = createEnvironment();
  const invalid = (message: RegExp) => ({ code: 'ENG_INVALID_ARGUMENT', message });
  assert.throws(
    () => env.fromCollection(42 as never),
    invalid(/fromCollection\(\) needs an Iterable or AsyncIterable/),
  );
  assert.throws(
    () => env.fromSource(kafka, WatermarkStrategy.noWatermarks(), ''),
    invalid(/source name must be a non-empty/),
  );
  assert.throws(
    () => env.fromSource({ config: {} } as never, WatermarkStrategy.noWatermarks(), 'x'),
    invalid(/expected a source descriptor/),
  );
  assert.throws(
    () =>
      env.fromSource(kafka, WatermarkStrategy.noWatermarks(), 'x', {
        badRecords: { kind: 'ignore' } as never,
      }),
    invalid(/badRecords must be/),
  );
  assert.throws(
    () => env.fromElements(1).setParallelism(2),
    invalid(/'Source: Elements' \(node \d+\) always runs with parallelism 1/),
  );
  assert.throws(
    () => env.fromSource(kafka, WatermarkStrategy.noWatermarks(), 'x', { parallelism: 0 }),
    invalid(/source parallelism/),
  );
});

test('toPlan needs a sink', () => {
  const env = createEnvironment({ jobName: 'lonely' });
  env.fromElements(1).map((n) => n + 1);
  assert.throws(() => env.toPlan(), {
    code: 'ENG_INVALID_JOB',
    message:
      'job "lonely" cannot run:\n  - the job has no sink: end at least one stream with sinkTo(...) or print()',
  });
});

test('toPlan checks parallelism against maxParallelism and forward() against parallelism', () => {
  const env = createEnvironment({ parallelism: 4, maxParallelism: 8 });
  const source = env.fromSource(kafka, WatermarkStrategy.noWatermarks(), 'in');
  source
    .map((s) => s)
    .setParallelism(16)
    .sinkTo(sink);
  source.forward().filter(Boolean).setParallelism(2).sinkTo(sink);
  source.forward().filter(Boolean).sinkTo(sink);
  assert.deepEqual(
    problemsOf(() => env.toPlan()),
    [
      "'Map' (node 1) has parallelism 16, above the job's maxParallelism 8; lower it or raise maxParallelism",
      "'Filter' (node 3) reads 'Source: in' (node 0) with forward(), but their parallelism differs (4 and 2); drop forward() or give both the same parallelism",
    ],
  );
  env.setParallelism(10);
  assert.equal(
    problemsOf(() => env.toPlan())[0],
    "the job's parallelism 10 is above its maxParallelism 8; lower the parallelism or raise maxParallelism",
  );
});

test('the plan is frozen, and toPlan can be called again after more is built', () => {
  const env = createEnvironment();
  const numbers = env.fromElements(1, 2);
  numbers.print();
  const first = env.toPlan();
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.nodes) && Object.isFrozen(first.nodes[0]));
  assert.ok(Object.isFrozen(first.nodes[1]?.inputs[0]));
  numbers.map(String).print('again');
  const second = env.toPlan();
  assert.equal(first.nodes.length, 2);
  assert.equal(second.nodes.length, 4);
  assert.deepEqual(second.nodes[3], {
    kind: 'sink',
    id: 3,
    name: 'Sink: print',
    inputs: [{ from: 2, partitioning: { kind: 'forward' }, port: 0 }],
    sink: { connector: 'print', config: { prefix: 'again' } },
  });
});

test('the state backend is heap by default, lmdb when asked, and anything else is refused', () => {
  assert.equal(createEnvironment().config.stateBackend, undefined);
  assert.deepEqual(createEnvironment({ stateBackend: { kind: 'lmdb' } }).config.stateBackend, {
    kind: 'lmdb',
  });
  const env = createEnvironment().setStateBackend({ kind: 'lmdb', dir: '/fast/eddy' });
  assert.deepEqual(env.config.stateBackend, { kind: 'lmdb', dir: '/fast/eddy' });
  assert.equal(env.setStateBackend('heap').config.stateBackend, 'heap');
  assert.throws(
    () => env.setStateBackend('rocksdb' as 'heap'),
    (e) => isStreamError(e, 'ENG_INVALID_ARGUMENT') && /stateBackend must be 'heap' or/.test(String(e)),
  );
});
