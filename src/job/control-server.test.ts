import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import { MemoryConnectors } from '../engine/testing-support/memory-connectors.ts';
import { PlanBuilder } from '../engine/testing-support/plan-builder.ts';
import { controlSocketPath, sendControlRequest, startControlServer } from './control-server.ts';
import { startJob } from './run-job.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-control-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('another process asks a running job for its status, a checkpoint, a savepoint and a stop', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { bounded: false, chunks: [{ values: [1, 2] }] });
  const out = connectors.transactionalSink('out');
  const plan = new PlanBuilder({
    checkpointing: { interval: 3_600_000, minPause: 0, timeout: 60_000, retained: 1, mode: 'exactly-once' },
  });
  plan.sink('out', plan.source('numbers', numbers.descriptor), out.descriptor);
  const job = startJob(plan.plan(), { connectors, jobId: 'ctl', stateDir: root });
  // A file left where the socket goes (a killed run) is replaced.
  await mkdir(join(root, 'ctl'), { recursive: true });
  await writeFile(controlSocketPath(root, 'ctl'), '');
  const server = await startControlServer(job.execution, { stateDir: root, jobId: 'ctl' });
  assert.ok(server);
  try {
    await assert.rejects(
      startControlServer(job.execution, { stateDir: root, jobId: 'ctl' }),
      (error: unknown) => isStreamError(error, 'ENG_JOB_ALREADY_RUNNING'),
    );
    await out.waitFor(2);
    const path = server.path;
    assert.deepEqual(await sendControlRequest(path, { id: 1, command: 'checkpoint' }), {
      id: 1,
      ok: true,
      checkpointId: 1,
    });
    const status = await sendControlRequest(path, { id: 2, command: 'status' });
    assert.deepEqual(status, {
      id: 2,
      ok: true,
      jobId: 'ctl',
      restarts: 0,
      checkpoints: { completed: 1, failed: 0, latest: 1 },
      restoredFrom: null,
    });
    const savepoints = join(root, 'savepoints');
    assert.deepEqual(await sendControlRequest(path, { id: 3, command: 'savepoint', dir: savepoints }), {
      id: 3,
      ok: true,
      savepoint: join(savepoints, 'savepoint-ctl-2'),
    });
    const wrong = await sendControlRequest(path, { id: 4, command: 'stop' } as never);
    assert.equal(wrong.ok, false);
    assert.match(JSON.stringify(wrong), /need \\"dir\\"/);
    assert.deepEqual(await sendControlRequest(path, { id: 5, command: 'stop', dir: savepoints }), {
      id: 5,
      ok: true,
      savepoint: join(savepoints, 'savepoint-ctl-3'),
    });
    const result = await job.done;
    assert.equal(result.status, 'stopped');
    assert.equal(result.savepoint, join(savepoints, 'savepoint-ctl-3'));
  } finally {
    await server.close();
  }
  await assert.rejects(sendControlRequest(server.path, { command: 'status' }), /no running job answers/);
});
