import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { drain, sourceContext } from '../shared/testing.ts';
import { SocketTextReader, socketTextSource } from './socket-source.ts';

/** A loopback server that hands each connection to `onConnection`. */
async function serve(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    onConnection(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

const connections = new Set<Socket>();

async function stop(server: Server): Promise<void> {
  for (const socket of connections) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

test('reads lines until the server closes, keeping the text after the last newline', async () => {
  const { server, port } = await serve((socket) => {
    socket.write('alpha\nbe');
    setImmediate(() => socket.end('ta\r\ngamma\nlast words'));
  });
  const reader = new SocketTextReader({ host: '127.0.0.1', port });
  try {
    await reader.open(sourceContext({ batchSize: 2 }));
    const out = await drain(reader, { maxWaitMs: 1_000 });
    assert.deepEqual(out.values, ['alpha', 'beta', 'gamma', 'last words']);
    assert.ok(out.chunks.every((c) => c.values.length <= 2));
    assert.deepEqual(out.ended, [`socket-127.0.0.1:${port}`]);
  } finally {
    await reader.close();
    await stop(server);
  }
});

test('a custom delimiter splits records, also across TCP packets and multi-byte characters', async () => {
  const payload = Buffer.from('ä1||ö2||€3');
  const { server, port } = await serve((socket) => {
    // Bytes 0-3 end inside the first delimiter, bytes 4-5 end inside "ö".
    socket.write(payload.subarray(0, 4));
    setTimeout(() => socket.write(payload.subarray(4, 6)), 5);
    setTimeout(() => socket.end(payload.subarray(6)), 10);
  });
  const reader = new SocketTextReader({ host: '127.0.0.1', port, delimiter: '||' });
  try {
    await reader.open(sourceContext());
    const out = await drain(reader, { maxWaitMs: 1_000 });
    assert.deepEqual(out.values, ['ä1', 'ö2', '€3']);
  } finally {
    await reader.close();
    await stop(server);
  }
});

test('poll returns [] within maxWaitMs while the server is silent', async () => {
  const { server, port } = await serve(() => {});
  const reader = new SocketTextReader({ host: '127.0.0.1', port });
  try {
    await reader.open(sourceContext());
    assert.deepEqual(await reader.poll(10), []);
  } finally {
    await reader.close();
    await stop(server);
  }
});

test('with reconnect the source reads from the next connection after the server hangs up', async () => {
  let connections = 0;
  const { server, port } = await serve((socket) => {
    connections++;
    socket.end(`conn${connections}\n`);
  });
  const reader = new SocketTextReader({ host: '127.0.0.1', port, reconnect: true });
  try {
    await reader.open(sourceContext());
    const out = await drain(reader, { maxWaitMs: 1_000, until: (d) => d.values.length >= 2 });
    assert.deepEqual(out.values.slice(0, 2), ['conn1', 'conn2']);
    assert.deepEqual(out.ended, []);
  } finally {
    await reader.close();
    await stop(server);
  }
});

test('nothing listening: open fails with CON_SOCKET_FAILED naming host and port', async () => {
  const { server, port } = await serve(() => {});
  await stop(server);
  const reader = new SocketTextReader({ host: '127.0.0.1', port });
  await assert.rejects(
    reader.open(sourceContext()),
    (e) => isStreamError(e, 'CON_SOCKET_FAILED') && e.message.includes(`127.0.0.1:${port}`),
  );
  await reader.close();
});

test('subtasks other than 0 end at once without connecting', async () => {
  const reader = new SocketTextReader({ host: '127.0.0.1', port: 1 });
  await reader.open(sourceContext({ subtaskIndex: 1, parallelism: 2 }));
  assert.deepEqual((await drain(reader)).values, []);
  await reader.close();
});

test('the builder validates the port', () => {
  assert.equal(socketTextSource({ host: 'localhost', port: 9999 }).bounded, false);
  assert.throws(
    () => socketTextSource({ host: 'localhost', port: 70_000 }),
    (e) => isStreamError(e, 'CON_INVALID_CONFIG') && /"port"/.test(e.message),
  );
});
