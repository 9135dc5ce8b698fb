// The proxy and its service over a real MessageChannel, in one thread and without a broker (the tests
// with worker threads and a broker are in test/integration/connector-kafka-remote-transaction.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { isStreamError, StreamError } from '../../common/errors.ts';
import { remoteTransactions, type ServicePipe, serveTransactions } from './remote-transaction.ts';

function pipeOf(port: MessagePort): ServicePipe {
  return {
    send: (message, transfer) => port.postMessage(message, transfer),
    onMessage: (handler) => port.on('message', handler),
  };
}

/** A worker-side opener and the main-side service at the two ends of one channel. */
function connected() {
  const channel = new MessageChannel();
  const open = remoteTransactions(pipeOf(channel.port1));
  const service = serveTransactions(pipeOf(channel.port2));
  return {
    open,
    service,
    mainPort: channel.port2,
    async stop() {
      await service.close();
      channel.port1.close();
      channel.port2.close();
    },
  };
}

// Nothing listens on port 1: the main thread's producer never connects in these tests.
const options = (jobId: string, timeoutMs = 60_000) => ({
  jobId,
  bootstrap: '127.0.0.1:1',
  processIndex: 3,
  timeoutMs,
});

test('a refusal of the main thread registry reaches the proxy as a StreamError with its code and message', async () => {
  const ends = connected();
  try {
    const first = ends.open(options('job-a', 60_000));
    const second = ends.open(options('job-a', 90_000));
    assert.equal(second.transactionalId, 'job-a-3');
    assert.equal(second.bootstrap, '127.0.0.1:1');
    assert.equal(second.timeoutMs, 90_000);
    const writer = {};
    await assert.rejects(second.join(writer), (e) => {
      assert.ok(e instanceof StreamError, 'rebuilt as a StreamError of this realm');
      assert.equal(e.code, 'CON_EXACTLY_ONCE_MISCONFIGURED');
      assert.match(e.message, /^exactly-once kafka sinks of job "job-a" share one transaction per cluster/);
      assert.deepEqual(e.details, { jobId: 'job-a' });
      return true;
    });
    assert.equal(second.failed, true);
    await second.leave(writer); // as the sink does after a failed join
    await first.leave({});
  } finally {
    await ends.stop();
  }
});

test('an unreachable cluster fails the join; messages of other services on the pipe are left alone', async () => {
  const ends = connected();
  try {
    const txn = ends.open(options('job-b'));
    const writer = {};
    const joined = txn.join(writer);
    // Shaped like the answer to the join (request 1), but another service's: the proxy must ignore it.
    ends.mainPort.postMessage({ service: 'another-service', id: 1, failed: false });
    await assert.rejects(
      joined,
      (e) => isStreamError(e, 'CON_KAFKA_UNAVAILABLE') && /127\.0\.0\.1:1/.test(e.message),
    );
    assert.equal(txn.failed, true);
  } finally {
    await ends.stop();
  }
});

test('after close() the service refuses further calls instead of leaving the worker waiting', async () => {
  const ends = connected();
  try {
    const txn = ends.open(options('job-c'));
    await ends.service.close();
    await assert.rejects(
      txn.flush(),
      (e) => isStreamError(e, 'CON_KAFKA_TRANSACTION_FAILED') && /no longer serves/.test(e.message),
    );
  } finally {
    await ends.stop();
  }
});
