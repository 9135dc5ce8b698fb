import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../common/time.ts';
import { HeapStateBackend } from '../state/heap-backend.ts';
import { LmdbStateBackend } from '../state/lmdb-backend.ts';
import { createKeyedStateBackend } from './keyed-state.ts';

const base = { clock: new ManualClock(0), keyGroups: { start: 0, end: 127 }, maxParallelism: 128 };

test('heap by default; lmdb under <stateDir>/<jobId>/lmdb/<uid>-<subtask>, removed on dispose', async (t) => {
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
  const dir = join(stateDir, 'clicks', 'lmdb', 'sessions-2');
  assert.equal(backend.dir, dir);
  backend.setCurrentKey('k');
  backend.store().getState<number>({ kind: 'value', name: 'n' }).update(1);
  assert.ok(existsSync(dir));
  backend.dispose();
  await backend.closed;
  assert.equal(existsSync(dir), false);

  const own = createKeyedStateBackend({ ...spec, backend: { kind: 'lmdb', dir: join(stateDir, 'fast') } });
  assert.equal((own as LmdbStateBackend).dir, join(stateDir, 'fast', 'clicks', 'lmdb', 'sessions-2'));
  own.dispose();
  await (own as LmdbStateBackend).closed;
});
