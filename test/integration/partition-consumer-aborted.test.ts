// read_committed through PartitionConsumer when an aborted transaction is larger than one Fetch answer:
// the answer stops before the abort marker, and the client's own filter (which needs the marker in the
// same answer) would hand the aborted records out. The scale-out bench counted clicks twice that way.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Producer } from '@platformatic/kafka';
import { baseClientOptions } from '../../src/kafka/client-options.ts';
import { PartitionConsumer } from '../../src/kafka/partition-consumer.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { makeTopic } from './connector-kafka-helpers.ts';

let broker: TestBroker | undefined;
after(async () => {
  await broker?.stop();
});

test('records of an aborted transaction bigger than one fetch answer are never handed out', async () => {
  broker = await startTestBroker();
  const { bootstrap } = broker;
  await makeTopic(bootstrap, 'big-aborted', 1);
  const producer = new Producer({
    ...baseClientOptions({ bootstrap, clientId: 'aborting' }, 'test'),
    idempotent: true,
    transactionalId: 'big-aborted-writer',
    producerId: -1n,
    producerEpoch: -1,
  });
  const value = Buffer.alloc(100 * 1024, 'a');
  try {
    const txn = await producer.beginTransaction();
    // 24 batches of 100 KiB: 2.4 MiB, over two answers of 1 MiB.
    for (let i = 0; i < 24; i++)
      await txn.send({ messages: [{ topic: 'big-aborted', partition: 0, value }] });
    await txn.abort();
    await producer.send({
      messages: [{ topic: 'big-aborted', partition: 0, value: Buffer.from('after') }],
      acks: -1,
    });
  } finally {
    await producer.close();
  }
  const consumer = new PartitionConsumer({ bootstrap, clientId: 'reader' });
  const seen: string[] = [];
  try {
    const position = { topic: 'big-aborted', partition: 0, offset: 0n };
    let fetches = 0;
    while (!seen.includes('after') && fetches++ < 50)
      for (const fetched of await consumer.fetch([position], 100)) {
        position.offset = fetched.nextOffset;
        for (const record of fetched.records) seen.push(record.value?.length === 5 ? 'after' : 'aborted');
      }
    assert.ok(fetches > 2, `the transaction took ${fetches} answers`);
  } finally {
    await consumer.close();
  }
  assert.deepEqual(seen, ['after']);
});
