import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../common/time.ts';
import { HeapStateBackend } from '../state/heap-backend.ts';
import { LmdbStateBackend } from '../state/lmdb-backend.ts';
import { createKeyedStateBackend } from './keyed-state.ts';

const base = { clock: new ManualClock(0), keyGroups: { start: 0, end: 127 }, maxParallelism: 128 };

test('heap by default; lmdb under <stateDir>/<jobId>/lmdb/<uid>-<subtask>-<pid>-<n>, removed on dispose', async (t) => {
  assert.ok(createKeyedStateBackend(base) instanceof HeapStateBackend);
  const stateDir = mkdtempSync(join(tmpdir(), 'eddy-keyed-state-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  const spec = {
    ...base,
    backend: { kind: 'lmdb' } as const,
    stateDir,
    jobId: 'clicks',
    uid: 'sessions',
    subtaskIndex: 2,
  };
  const backend = createKeyedStateBackend(spec);
  assert.ok(backend instanceof LmdbStateBackend);
  const dir = backend.dir;
  assert.match(dir, new RegExp(`^${join(stateDir, 'clicks', 'lmdb', `sessions-2-${process.pid}-`)}\\d+$`));
  backend.setCurrentKey('k');
  backend.store().getState<number>({ kind: 'value', name: 'n' }).update(1);
  assert.ok(existsSync(dir));
  backend.dispose();
  await backend.closed;
  assert.equal(existsSync(dir), false);

  const own = createKeyedStateBackend({ ...spec, backend: { kind: 'lmdb', dir: join(stateDir, 'fast') } });
  assert.ok(
    (own as LmdbStateBackend).dir.startsWith(join(stateDir, 'fast', 'clicks', 'lmdb', 'sessions-2-')),
  );
  assert.notEqual((own as LmdbStateBackend).dir, dir, 'every backend gets a working directory of its own');
  own.dispose();
  await (own as LmdbStateBackend).closed;
});

test('working directories of dead processes are swept, live ones kept', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'eddy-keyed-sweep-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  const parent = join(stateDir, 'sweep-job', 'lmdb');
  // pid 2^22 + 1 is above Linux's pid_max, so no process has it.
  const dead = join(parent, 'op-0-4194305-1');
  const live = join(parent, `op-0-${process.ppid}-1`);
  mkdirSync(dead, { recursive: true });
  mkdirSync(live, { recursive: true });
  const backend = createKeyedStateBackend({
    ...base,
    backend: { kind: 'lmdb' },
    stateDir,
    jobId: 'sweep-job',
    uid: 'op',
    subtaskIndex: 0,
  });
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(live), true);
  backend.dispose();
  await (backend as LmdbStateBackend).closed;
});
