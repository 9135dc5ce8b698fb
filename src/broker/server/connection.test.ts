// Connection scheduling over a real socket, with a scripted request layer instead of the broker's:
// frames carry a one-byte tag, the fake handler decides per tag whether to answer now, later or fail.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { createLogger } from '../../common/logging.ts';
import { Connection, type ConnectionInfo, type FrameHandler, type HandledFrame } from './connection.ts';
import { FramePool } from './frame-pool.ts';

const log = createLogger({ level: 'silent' });

/** A frame (size prefix included) whose body is `text`. */
function frame(text: string): Buffer {
  const body = Buffer.from(text);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

interface Harness {
  client: Socket;
  connection: Connection;
  /** Bodies of the response frames received so far, in arrival order. */
  received: string[];
  /** Resolves once `n` responses have arrived. */
  responses(n: number): Promise<void>;
  closed: Promise<void>;
  stop(): Promise<void>;
}

async function harness(
  handle: FrameHandler,
  options: { maxPendingResponses?: number; framePool?: FramePool } = {},
): Promise<Harness> {
  let connection: Connection | undefined;
  const server: Server = createServer((socket) => {
    connection = new Connection(socket, 1, handle, 1 << 20, log, options);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  while (connection === undefined) await new Promise((resolve) => setImmediate(resolve));
  const received: string[] = [];
  let pending = Buffer.alloc(0);
  const waiters: { n: number; resolve: () => void }[] = [];
  client.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      received.push(pending.subarray(4, 4 + pending.readInt32BE(0)).toString());
      pending = pending.subarray(4 + pending.readInt32BE(0));
    }
    for (const w of waiters.filter((w) => received.length >= w.n)) w.resolve();
  });
  client.on('error', () => {});
  const closed = once(client, 'close').then(() => undefined);
  return {
    client,
    connection,
    received,
    responses: (n) =>
      received.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    closed,
    async stop() {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const now = (text: string): HandledFrame => ({ response: frame(text), requestReleased: false });
const later = (answer: Promise<Buffer | null>): HandledFrame => ({
  response: answer,
  requestReleased: false,
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('deferred responses are written in request order even when a later one is ready first', async () => {
  const gates = new Map<string, PromiseWithResolvers<Buffer | null>>();
  const started: string[] = [];
  const h = await harness(async (f) => {
    const tag = f.toString();
    started.push(tag);
    const gate = Promise.withResolvers<Buffer | null>();
    gates.set(tag, gate);
    return later(gate.promise);
  });
  try {
    h.client.write(Buffer.concat(['a', 'b', 'c'].map(frame)));
    while (started.length < 3) await tick();
    // All three were processed although none was answered: the waits overlap.
    assert.deepEqual(started, ['a', 'b', 'c']);
    gates.get('c')?.resolve(frame('C'));
    gates.get('b')?.resolve(frame('B'));
    await tick();
    assert.deepEqual(h.received, [], 'nothing may overtake the first response');
    assert.equal(h.connection.pendingResponses, 3);
    gates.get('a')?.resolve(frame('A'));
    await h.responses(3);
    assert.deepEqual(h.received, ['A', 'B', 'C']);
    assert.equal(h.connection.pendingResponses, 0);
  } finally {
    await h.stop();
  }
});

test('no more than maxPendingResponses responses wait; the next request starts when one is written', async () => {
  const gates: PromiseWithResolvers<Buffer | null>[] = [];
  const h = await harness(
    async (f) => {
      const gate = Promise.withResolvers<Buffer | null>();
      gates.push(gate);
      return later(gate.promise.then(() => frame(f.toString().toUpperCase())));
    },
    { maxPendingResponses: 2 },
  );
  try {
    h.client.write(Buffer.concat(['a', 'b', 'c', 'd'].map(frame)));
    while (gates.length < 2) await tick();
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(gates.length, 2, 'the third request must wait for room');
    gates[0].resolve(null);
    await h.responses(1);
    while (gates.length < 3) await tick();
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(gates.length, 3, 'one written response makes room for exactly one request');
    for (const gate of gates) gate.resolve(null);
    while (gates.length < 4) await tick();
    gates[3].resolve(null);
    await h.responses(4);
    assert.deepEqual(h.received, ['A', 'B', 'C', 'D']);
  } finally {
    await h.stop();
  }
});

test('a request that is not pipelined waits until every earlier response is written', async () => {
  const gate = Promise.withResolvers<Buffer | null>();
  const events: string[] = [];
  const h = await harness(async (f, info: ConnectionInfo) => {
    const tag = f.toString();
    if (tag === 'slow') return later(gate.promise);
    events.push(`barrier ${tag}`);
    const written = await info.responsesWritten();
    events.push(`run ${tag} ${written}`);
    return now(tag);
  });
  try {
    h.client.write(Buffer.concat([frame('slow'), frame('meta')]));
    while (events.length < 1) await tick();
    for (let i = 0; i < 20; i++) await tick();
    assert.deepEqual(events, ['barrier meta']);
    gate.resolve(frame('SLOW'));
    await h.responses(2);
    assert.deepEqual(events, ['barrier meta', 'run meta true']);
    assert.deepEqual(h.received, ['SLOW', 'meta']);
  } finally {
    await h.stop();
  }
});

test('a later request that fails or closes the connection does so only after earlier responses', async () => {
  for (const failure of ['throw', 'close'] as const) {
    const gate = Promise.withResolvers<Buffer | null>();
    const seen: string[] = [];
    const h = await harness(async (f, info) => {
      const tag = f.toString();
      seen.push(tag);
      if (tag === 'first') return later(gate.promise);
      if (failure === 'throw') throw new Error('a broker bug');
      info.closeAfterResponse = true;
      return { response: null, requestReleased: false };
    });
    try {
      h.client.write(Buffer.concat([frame('first'), frame('second'), frame('third')]));
      while (seen.length < 2) await tick();
      for (let i = 0; i < 20; i++) await tick();
      assert.deepEqual(seen, ['first', 'second'], 'nothing runs after the failed request');
      assert.equal(h.client.destroyed, false, 'the connection stays open for the earlier response');
      gate.resolve(frame('FIRST'));
      await h.closed;
      assert.deepEqual(h.received, ['FIRST'], failure);
    } finally {
      await h.stop();
    }
  }
});

test('a deferred response that fails closes the connection in its turn, dropping later answers', async () => {
  const gate = Promise.withResolvers<Buffer | null>();
  const h = await harness(async (f) => {
    const tag = f.toString();
    if (tag === 'broken') return later(gate.promise);
    return now(tag);
  });
  try {
    h.client.write(Buffer.concat([frame('ok'), frame('broken'), frame('after')]));
    await h.responses(1);
    gate.reject(new Error('a broker bug while waiting'));
    await h.closed;
    assert.deepEqual(h.received, ['ok']);
  } finally {
    await h.stop();
  }
});

test('a client that leaves while responses wait: nothing is written, nothing leaks or throws', async () => {
  const gates: PromiseWithResolvers<Buffer | null>[] = [];
  const h = await harness(async () => {
    const gate = Promise.withResolvers<Buffer | null>();
    gates.push(gate);
    return later(gate.promise);
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    h.client.write(Buffer.concat([frame('a'), frame('b'), frame('c')]));
    while (gates.length < 3) await tick();
    h.client.destroy();
    while (h.connection.pendingResponses > 0) await tick();
    gates[0].resolve(frame('A'));
    gates[1].reject(new Error('failed after the client left'));
    gates[2].resolve(null);
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(h.connection.pendingResponses, 0);
    assert.deepEqual(unhandled, []);
    assert.deepEqual(h.received, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await h.stop();
  }
});

test('a frame spanning socket reads is assembled in pooled memory, reused once the request releases it', async () => {
  const pool = new FramePool();
  const bodies: string[] = [];
  const h = await harness(
    async (f) => {
      bodies.push(`${f.length}:${f[0]}:${f[f.length - 1]}`);
      return { response: frame('ok'), requestReleased: true };
    },
    { framePool: pool },
  );
  try {
    const big = (fill: number) => frame(String.fromCharCode(fill).repeat(200_000));
    for (const [i, fill] of [97, 98, 99].entries()) {
      const bytes = big(fill);
      // Written in pieces, so the frame cannot arrive in one read.
      for (let at = 0; at < bytes.length; at += 50_000) {
        h.client.write(bytes.subarray(at, at + 50_000));
        await tick();
      }
      await h.responses(i + 1);
    }
    assert.deepEqual(bodies, ['200000:97:97', '200000:98:98', '200000:99:99']);
    assert.equal(pool.reused, 2, 'the second and third frame reuse the first one’s memory');
  } finally {
    await h.stop();
  }
});
