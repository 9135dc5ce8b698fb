import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { HEARTBEAT_SCHEMA, PRODUCE_SCHEMA } from '../../protocol/messages/index.ts';
import { NO_RESPONSE } from '../handlers/handler.ts';
import { FaultInjector } from './fault-injector.ts';

const produce = (topic: string) => ({ topicData: [{ name: topic, partitionData: [{ index: 2 }] }] });
const connection = () => ({
  id: 1,
  remote: 'test',
  closeAfterResponse: false,
  responsesWritten: async () => true,
});

test('the same seed makes the same choices; the probability is roughly kept', () => {
  const run = (seed: number) => {
    const faults = new FaultInjector({
      seed,
      rules: [{ apiKey: 0, action: { type: 'drop-response' }, probability: 0.1 }],
    });
    return Array.from({ length: 2000 }, () => faults.pick(0, produce('t')) !== null);
  };
  assert.deepEqual(run(42), run(42));
  assert.notDeepEqual(run(42), run(43));
  const hits = run(42).filter(Boolean).length;
  assert.ok(hits > 140 && hits < 260, `${hits} hits of 2000 at p=0.1`);
});

test('rules match by api key and topic, honour skip and count, first match wins', () => {
  const faults = new FaultInjector({
    rules: [
      { apiKey: 0, topic: 'orders', action: { type: 'close-before' }, skip: 1, count: 2 },
      { apiKey: 0, action: { type: 'delay-response', ms: 5 } },
    ],
  });
  assert.equal(faults.pick(1, produce('orders')), null, 'other api key');
  assert.equal(faults.pick(0, produce('orders'))?.type, 'delay-response', 'skipped once');
  assert.equal(faults.pick(0, produce('other'))?.type, 'delay-response', 'other topic');
  assert.equal(faults.pick(0, produce('orders'))?.type, 'close-before');
  assert.equal(faults.pick(0, produce('orders'))?.type, 'close-before');
  assert.equal(faults.pick(0, produce('orders'))?.type, 'delay-response', 'count used up');
  assert.deepEqual(faults.hits(), [2, 3]);
  faults.clear();
  assert.equal(faults.pick(0, produce('orders')), null);
  assert.throws(
    () => faults.add({ apiKey: 0, action: { type: 'drop-response' }, probability: 2 }),
    (e) => isStreamError(e, 'CFG_INVALID_VALUE'),
  );
});

test('intercept: drop runs the handler then closes; close-before and errors do not run it', async () => {
  let runs = 0;
  const handler = () => {
    runs++;
    return { ok: true };
  };
  const only = (action: ConstructorParameters<typeof FaultInjector>[0]) => new FaultInjector(action);

  let conn = connection();
  const dropped = await only({ rules: [{ apiKey: 0, action: { type: 'drop-response' } }] }).intercept(
    PRODUCE_SCHEMA,
    7,
    produce('t'),
    conn,
    handler,
  );
  assert.deepEqual([dropped, runs, conn.closeAfterResponse], [NO_RESPONSE, 1, true]);

  conn = connection();
  const closed = await only({ rules: [{ apiKey: 0, action: { type: 'close-before' } }] }).intercept(
    PRODUCE_SCHEMA,
    7,
    produce('t'),
    conn,
    handler,
  );
  assert.deepEqual([closed, runs, conn.closeAfterResponse], [NO_RESPONSE, 1, true]);

  conn = connection();
  const failed = (await only({
    rules: [{ apiKey: 0, action: { type: 'error-response', errorCode: 6 } }],
  }).intercept(PRODUCE_SCHEMA, 7, produce('t'), conn, handler)) as {
    responses: { name: string; partitionResponses: { index: number; errorCode: number }[] }[];
  };
  assert.equal(runs, 1);
  assert.equal(conn.closeAfterResponse, false);
  assert.equal(failed.responses[0].name, 't');
  assert.deepEqual(
    failed.responses[0].partitionResponses.map((p) => [p.index, p.errorCode]),
    [[2, 6]],
  );
  const heartbeat = await only({
    rules: [{ apiKey: 12, action: { type: 'error-response', errorCode: 27 } }],
  }).intercept(HEARTBEAT_SCHEMA, 4, { groupId: 'g' }, connection(), handler);
  assert.deepEqual(heartbeat, { throttleTimeMs: 0, errorCode: 27 });

  const started = performance.now();
  const delayed = await only({
    rules: [{ apiKey: 0, action: { type: 'delay-response', ms: 30 } }],
  }).intercept(PRODUCE_SCHEMA, 7, produce('t'), connection(), handler);
  assert.deepEqual(delayed, { ok: true });
  assert.ok(performance.now() - started >= 25);
  assert.equal(runs, 2);
});
