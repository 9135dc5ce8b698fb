// The socket filter example as a user runs it: a TCP server sends log lines, `eddy run` prints the INFO
// ones and exits when the server closes the connection.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type EddyProcess, messageLines, startEddy } from '../../src/cli/testing-support/eddy-child.ts';

const JOB = join(import.meta.dirname, 'job.ts');

/** A server on a free loopback port whose first connection is handed to `onConnection`. */
async function listen(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, port: address.port };
}

function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
}

function runFilter(port: number, dataDir: string): EddyProcess {
  return startEddy([
    'run',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    JOB,
    '--',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ]);
}

test('socket filter prints exactly the INFO lines, in order, and exits 0 when the server closes', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-socket-filter-'));
  const euro = Buffer.from('INFO price 5 €\n');
  const cut = euro.indexOf(0xe2) + 1; // inside the three bytes of '€'
  // Each part is written only after the job printed the INFO line before it, so the job really sees a
  // line arrive in pieces (a word, a CRLF, a multi-byte character split between two reads).
  const parts: { data: string | Buffer; after?: string }[] = [
    { data: 'INFO service started\nWARN disk at 91%\nINF' },
    { data: 'O user 7 logged in\r\nERROR cannot reach db\nDEBUG retry 1\n', after: 'INFO service started' },
    { data: euro.subarray(0, cut), after: 'INFO user 7 logged in' },
    { data: Buffer.concat([euro.subarray(cut), Buffer.from('info lower case is not INFO\nWARN ')]) },
    { data: 'slow\nINFO last line, no newline', after: 'INFO price 5 €' },
  ];
  const sent = Buffer.concat(parts.map((p) => Buffer.from(p.data))).toString();
  const expected = sent
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.startsWith('INFO'));
  assert.equal(expected.length, 4);

  let serving: Promise<void> | undefined;
  const { server, port } = await listen((socket) => {
    serving = (async () => {
      try {
        for (const part of parts) {
          if (part.after !== undefined) await eddy.waitForLine((l) => l === part.after);
          await write(socket, part.data);
        }
        socket.end();
      } catch (error) {
        socket.destroy();
        throw error;
      }
    })();
    serving.catch(() => undefined); // awaited below; this only keeps it from counting as unhandled
  });
  const eddy = runFilter(port, dataDir);
  try {
    const result = await eddy.exit();
    await serving;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.split('\n').slice(0, -1), expected);
    assert.deepEqual(messageLines(result.stderr), []);
  } finally {
    if (eddy.running) eddy.kill('SIGKILL');
    server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('socket filter with no server listening: one-line error naming the address, exit 1', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-socket-filter-'));
  // A port that was free a moment ago: nothing listens there now.
  const { server, port } = await listen(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  try {
    const result = await runFilter(port, dataDir).exit();
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    const lines = messageLines(result.stderr);
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0] ?? '',
      new RegExp(`^eddy: socket source cannot connect to 127\\.0\\.0\\.1:${port}`),
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
