// The `eddy` command line against a real broker it starts itself: broker start, topics (create, list,
// describe, add-partitions, delete), produce, consume.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const launcher = new URL('../../bin/eddy.js', import.meta.url).pathname;
let broker: ChildProcess;
let bootstrap: string;
let dataDir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function eddy(args: string[], input?: string, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [launcher, '--bootstrap', bootstrap, '--log-level', 'warn', ...args],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'eddy-cli-broker-'));
  broker = spawn(
    process.execPath,
    [
      launcher,
      '--log-level',
      'warn',
      'broker',
      'start',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--durability',
      'os',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line: string = await new Promise((resolve, reject) => {
    let out = '';
    broker.stdout!.on('data', (d) => {
      out += d;
      const match = /eddy broker listening on (\S+):(\d+)/.exec(out);
      if (match) resolve(match[0]);
    });
    broker.on('exit', (code) => reject(new Error(`broker exited early with ${code}`)));
  });
  bootstrap = `127.0.0.1:${line.split(':').pop()}`;
});

after(async () => {
  const exited = new Promise((resolve) => broker.on('exit', resolve));
  broker.kill('SIGTERM');
  const code = await exited;
  await rm(dataDir, { recursive: true, force: true });
  assert.equal(code, 0, 'the broker stops cleanly on SIGTERM');
});

test('topics create, list, describe and delete', async () => {
  const created = await eddy([
    'topics',
    'create',
    'cli-orders',
    '--partitions',
    '3',
    '--config',
    'retention.ms=60000',
  ]);
  assert.equal(created.code, 0, created.stderr);
  const listed = await eddy(['topics', 'list']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(listed.stdout.split('\n').includes('cli-orders'));
  const described = await eddy(['topics', 'describe', 'cli-orders']);
  assert.equal(described.code, 0, described.stderr);
  assert.match(described.stdout, /partitions 3/);
  assert.match(described.stdout, /retention\.ms=60000 {2}\(set\)/);
  assert.match(described.stdout, /cleanup\.policy=delete/);
  const again = await eddy(['topics', 'create', 'cli-orders']);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /exist/i);
  assert.equal((await eddy(['topics', 'delete', 'cli-orders'])).code, 0);
  assert.ok(!(await eddy(['topics', 'list'])).stdout.split('\n').includes('cli-orders'));
});

test('topics add-partitions raises the count; a count that is not larger fails with the reason', async () => {
  assert.equal((await eddy(['topics', 'create', 'cli-grow', '--partitions', '2'])).code, 0);
  const grown = await eddy(['topics', 'add-partitions', 'cli-grow', '--partitions', '5']);
  assert.equal(grown.code, 0, grown.stderr);
  assert.equal(grown.stdout, 'topic cli-grow now has 5 partitions\n');
  assert.match((await eddy(['topics', 'describe', 'cli-grow'])).stdout, /partitions 5/);
  const smaller = await eddy(['topics', 'add-partitions', 'cli-grow', '--partitions', '3']);
  assert.notEqual(smaller.code, 0);
  assert.match(smaller.stderr, /currently has 5 partitions/);
  const missing = await eddy(['topics', 'add-partitions', 'cli-grow']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /needs --partitions/);
});

test('produce lines, then consume them from the beginning in order', async () => {
  const lines = Array.from({ length: 50 }, (_, i) => `k${i % 3}=value-${i}`);
  const produced = await eddy(['produce', 'cli-lines', '--key-separator', '='], `${lines.join('\n')}\n`);
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await eddy(['consume', 'cli-lines', '--from-beginning', '--max-messages', '50']);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.deepEqual(
    consumed.stdout.trim().split('\n'),
    lines.map((l) => l.split('=')[1]),
  );
});

test('consume with a group resumes after its committed offset', async () => {
  await eddy(['produce', 'cli-group'], 'a\nb\nc\n');
  const first = await eddy([
    'consume',
    'cli-group',
    '--group',
    'g1',
    '--from-beginning',
    '--max-messages',
    '2',
  ]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.stdout.trim().split('\n'), ['a', 'b']);
  await eddy(['produce', 'cli-group'], 'd\n');
  const second = await eddy(['consume', 'cli-group', '--group', 'g1', '--max-messages', '2']);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.stdout.trim().split('\n'), ['c', 'd']);
});

test('consume --timeout-ms exits when nothing arrives', async () => {
  await eddy(['topics', 'create', 'cli-empty']);
  const result = await eddy(['consume', 'cli-empty', '--timeout-ms', '1500']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
});

test('a bad flag value is a one-line error with exit 2', async () => {
  const result = await eddy(['consume', 'x', '--max-messages', 'lots']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--max-messages needs a whole number/);
});
