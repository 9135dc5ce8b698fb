import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import type { StreamError } from '../common/errors.ts';
import type { BadRecordPolicy, DeadLetter } from '../plan/connectors.ts';
import { executeJob } from './execute.ts';
import type { RawBadRecord } from './source.ts';
import { type MemoryChunk, MemoryConnectors } from './testing-support/memory-connectors.ts';
import { PlanBuilder } from './testing-support/plan-builder.ts';

const UNDECODABLE: RawBadRecord = {
  error: 'not valid JSON',
  value: new Uint8Array(Buffer.from('{oops')),
  key: new Uint8Array(Buffer.from('k1')),
  origin: { partition: 0, offset: 7 },
  timestamp: 1234,
};

/** Two good records, one undecodable record and one without a timestamp. */
const CHUNKS: MemoryChunk[] = [
  { values: [{ n: 1 }, { n: 2 }], timestamps: [10, 20], bad: [UNDECODABLE] },
  { values: [{ n: 3 }], timestamps: [Number.NaN] },
];

function planWith(policy: BadRecordPolicy, connectors: MemoryConnectors) {
  const source = connectors.source('orders', { chunks: CHUNKS });
  const out = connectors.sink('out');
  const b = new PlanBuilder();
  const node = b.source('orders', source.descriptor, {
    watermarks: { kind: 'bounded-out-of-orderness', maxOutOfOrderness: 0 },
    badRecords: policy,
  });
  b.sink('out', node, out.descriptor);
  return { plan: b.plan(), source, out };
}

test("bad records under 'fail' fail the job naming the source and the cause", async () => {
  const connectors = new MemoryConnectors();
  const { plan, source, out } = planWith({ kind: 'fail' }, connectors);

  await assert.rejects(executeJob(plan, { connectors }).done, (error: StreamError) => {
    assert.equal(error.code, 'ENG_BAD_RECORD');
    assert.match(error.message, /"orders" got a record it cannot use: not valid JSON/);
    assert.match(error.message, /"offset":7/);
    return true;
  });
  assert.equal(source.closed, 1);
  assert.equal(out.closed, 1);
});

test("bad records under 'skip' are dropped and counted", async () => {
  const connectors = new MemoryConnectors();
  const { plan, out } = planWith({ kind: 'skip' }, connectors);

  const { metrics } = await executeJob(plan, { connectors }).done;

  assert.deepEqual(out.values, [{ n: 1 }, { n: 2 }]);
  assert.equal(metrics.badRecords, 2);
  assert.equal(metrics.skipped, 2);
  assert.equal(metrics.deadLettered, 0);
  assert.equal(metrics.operators.find((m) => m.name === 'orders')?.recordsIn, 4);
});

test("bad records under 'dead-letter' go to the dead-letter sink with their bytes as base64", async () => {
  const connectors = new MemoryConnectors();
  const letters = connectors.sink('dead letters');
  const { plan, out } = planWith({ kind: 'dead-letter', sink: letters.descriptor }, connectors);

  const { metrics } = await executeJob(plan, { connectors }).done;

  assert.deepEqual(out.values, [{ n: 1 }, { n: 2 }]);
  const written = letters.values as DeadLetter[];
  assert.equal(written.length, 2);
  assert.deepEqual(written[0], {
    error: 'not valid JSON',
    source: 'orders',
    value: Buffer.from('{oops').toString('base64'),
    key: Buffer.from('k1').toString('base64'),
    origin: { partition: 0, offset: 7 },
    timestamp: 1234,
  });
  assert.equal(Buffer.from(written[1].value ?? '', 'base64').toString(), '{"n":3}');
  assert.match(written[1].error, /no usable event timestamp/);
  assert.equal(metrics.badRecords, 2);
  assert.equal(metrics.deadLettered, 2);
  assert.equal(letters.opened, 1);
  assert.equal(letters.flushed, 1);
  assert.equal(letters.closed, 1);
  assert.equal(letters.contexts[0].operatorName, 'orders (dead letters)');
});
