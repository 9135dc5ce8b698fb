import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CHECKPOINTING } from '../../plan/nodes.ts';
import { executeJob } from '../execute.ts';
import { MemoryConnectors } from '../testing-support/memory-connectors.ts';
import { PlanBuilder } from '../testing-support/plan-builder.ts';
import { type CheckpointManifest, MANIFEST_FORMAT } from './manifest.ts';
import { findLatest } from './restore.ts';
import { checkpointDir, writeManifest } from './storage.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-latest-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function store(jobId: string, id: number, state: 'pending' | 'completed'): Promise<void> {
  const dir = checkpointDir(root, jobId, id);
  await mkdir(dir, { recursive: true });
  const manifest: CheckpointManifest = {
    format: MANIFEST_FORMAT,
    jobId,
    jobName: jobId,
    checkpointId: id,
    kind: 'checkpoint',
    state,
    triggeredAt: 0,
    maxParallelism: 128,
    fingerprint: '',
    operators: [],
  };
  await writeManifest(dir, manifest);
}

test("'latest' is the newest completed checkpoint, unless a sink's system committed a newer pending one", async () => {
  await store('j', 3, 'completed');
  await store('j', 4, 'completed');
  await store('j', 5, 'pending');
  await mkdir(checkpointDir(root, 'j', 6), { recursive: true }); // died before its manifest
  assert.equal((await findLatest(root, 'j', undefined))?.manifest.checkpointId, 4);
  assert.equal((await findLatest(root, 'j', 5))?.manifest.checkpointId, 5);
  assert.equal((await findLatest(root, 'j', 9))?.manifest.checkpointId, 4, 'an unknown id falls back');
  assert.equal(await findLatest(root, 'nothing-here', undefined), undefined);
});

test("a job started again with restoreFrom 'latest' goes on from its last checkpoint", async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { bounded: false, chunks: [{ values: [1, 2] }] });
  const out = connectors.transactionalSink('out');
  const build = () => {
    const plan = new PlanBuilder({ checkpointing: { ...DEFAULT_CHECKPOINTING, interval: 3_600_000 } });
    plan.sink('out', plan.source('numbers', numbers.descriptor), out.descriptor);
    return plan.plan();
  };
  const options = { connectors, jobId: 'again', stateDir: root, restoreFrom: 'latest' } as const;
  const first = executeJob(build(), options);
  await first.started;
  assert.equal(first.restoredFrom, undefined, 'nothing to restore the first time');
  await out.waitFor(2);
  await first.triggerCheckpoint();
  numbers.push({ values: [3] });
  await out.waitFor(3);
  await first.cancel(); // 3 was written but never committed

  numbers.end();
  const second = executeJob(build(), options);
  await second.started;
  assert.equal(second.restoredFrom?.checkpointId, 1);
  await second.done;
  assert.deepEqual(out.committed, [1, 2, 3]);
  assert.deepEqual(out.received, [1, 2, 3, 3]);
});
