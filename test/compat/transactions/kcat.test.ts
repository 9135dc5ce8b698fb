// kcat -X transactional.id=... (librdkafka 2.0.2) against eddy's broker: kcat sends all of its input in
// one transaction, committed when stdin closes and aborted on SIGINT. kcat reads stdin 1024 bytes at a
// time and keeps a short tail of short lines until more input comes; lines of exactly 1024 bytes all
// reach the broker while stdin stays open, and SIGINT then finds kcat waiting with nothing buffered (it
// aborts only then: a signal while it still has lines to produce makes it exit without aborting).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { kcatMissing, kcatOk } from '../kcat/kcat.ts';
import {
  eventually,
  expected,
  stableAndHigh,
  startTxnBroker,
  type TxnBroker,
  topic,
  values,
} from './scenario.ts';

const skip = kcatMissing() ?? false;
const LINES = 300;
let env: TxnBroker;
before(async () => {
  if (!skip) env = await startTxnBroker();
});
after(async () => {
  await env?.stop();
});

/** The value of line `i`: 1023 bytes, so with its newline each line is one 1024-byte read of kcat's. */
function line(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(6, '0')}`.padEnd(1023, '.');
}

function lines(prefix: string): string {
  return Array.from({ length: LINES }, (_, i) => `${line(prefix, i)}\n`).join('');
}

function producerArgs(name: string, txnId: string, extra: string[] = []): string[] {
  return ['-b', env.broker.bootstrap, '-P', '-t', name, '-X', `transactional.id=${txnId}`, ...extra];
}

/** kcat producing `input` with stdin left open: the transaction stays open until stdin ends. */
function openProducer(name: string, txnId: string, input: string, extra: string[] = []) {
  const child: ChildProcess = spawn('kcat', producerArgs(name, txnId, extra), {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stdin!.write(input);
  return {
    child,
    exited,
    stderr: () => stderr,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Waits until every line of an open transaction is in the log after offset `before`. */
function allSent(name: string, before: number): Promise<void> {
  return eventually(
    'kcat to send all its input',
    async () => (await stableAndHigh(env, name)).hw === before + LINES,
  );
}

test('kcat: input is committed at EOF and visible to read_committed', { skip, timeout: 30_000 }, async () => {
  await topic(env, 'kc-commit');
  await kcatOk(producerArgs('kc-commit', 'kc-commit'), 'ok-a\nok-b\nok-c\n', 20_000);
  assert.deepEqual(await values(env, 'kc-commit', true), ['ok-a', 'ok-b', 'ok-c']);
});

test('kcat: SIGINT aborts the transaction: invisible to read_committed, visible to read_uncommitted', {
  skip,
  timeout: 30_000,
}, async () => {
  await topic(env, 'kc-abort');
  await kcatOk(producerArgs('kc-abort', 'kc-before'), 'before\n', 20_000);
  const base = (await stableAndHigh(env, 'kc-abort')).hw; // 'before' and its commit marker
  const producer = openProducer('kc-abort', 'kc-abort', lines('no'));
  try {
    await allSent('kc-abort', base);
    const { lso, hw } = await stableAndHigh(env, 'kc-abort');
    assert.ok(lso < hw, 'the open transaction holds back the LSO');
    // kcat notices SIGINT when its blocking read of stdin returns, so stdin is closed after the signal.
    producer.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    producer.child.stdin!.end();
    await producer.exited;
    assert.match(producer.stderr(), /Aborting transaction/);
    const after = await stableAndHigh(env, 'kc-abort');
    assert.equal(after.lso, after.hw, 'the abort marker releases the LSO');
    assert.deepEqual(await values(env, 'kc-abort', true), ['before']);
    const all = await values(env, 'kc-abort', false);
    assert.deepEqual(all, ['before', ...Array.from({ length: LINES }, (_, i) => line('no', i))].sort());
  } finally {
    await producer.kill();
  }
});

test('kcat: an open transaction holds back the LSO; after kill -9 it is aborted when it times out', {
  skip,
  timeout: 30_000,
}, async () => {
  await topic(env, 'kc-kill');
  await kcatOk(producerArgs('kc-kill', 'kc-kill-before'), 'before\n', 20_000);
  const base = (await stableAndHigh(env, 'kc-kill')).hw; // 'before' and its commit marker
  const startedAt = Date.now(); // the transaction starts after this, so its timeout ends after +4 s
  const producer = openProducer('kc-kill', 'kc-kill', lines('held'), ['-X', 'transaction.timeout.ms=4000']);
  try {
    await allSent('kc-kill', base);
    assert.deepEqual(await values(env, 'kc-kill', true), ['before'], 'read_committed stops at the LSO');
    const { lso, hw } = await stableAndHigh(env, 'kc-kill');
    assert.ok(lso < hw);
    assert.equal((await values(env, 'kc-kill', false)).length, 1 + LINES, 'read_uncommitted reads on');
    await producer.kill();
    await eventually('the timeout abort', async () => {
      const now = await stableAndHigh(env, 'kc-kill');
      return now.lso === now.hw;
    });
    assert.ok(Date.now() - startedAt >= 4000, 'not aborted before its 4 s timeout');
    assert.deepEqual(await values(env, 'kc-kill', true), ['before']);
  } finally {
    await producer.kill();
  }
});

test('kcat: a second kcat with the same transactional id fences the first', {
  skip,
  timeout: 30_000,
}, async () => {
  await topic(env, 'kc-fence');
  const zombie = openProducer('kc-fence', 'kc-fence', lines('zombie'));
  try {
    await allSent('kc-fence', 0);
    await kcatOk(producerArgs('kc-fence', 'kc-fence'), 'fresh-0\nfresh-1\n', 20_000);
    zombie.child.stdin!.end();
    const code = await zombie.exited;
    assert.notEqual(code, 0, `the fenced kcat must fail:\n${zombie.stderr().slice(-400)}`);
    assert.match(zombie.stderr(), /fenced/i);
    assert.deepEqual(await values(env, 'kc-fence', true), expected('fresh', 2));
  } finally {
    await zombie.kill();
  }
});
