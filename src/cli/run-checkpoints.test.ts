// `eddy run --state-dir`: a run killed with kill -9 and started again with the same command goes on
// from its last checkpoint (state and source positions), and the control socket answers meanwhile.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { controlSocketPath, sendControlRequest } from '../job/control-server.ts';
import { runEddy, startEddy } from './testing-support/eddy-child.ts';

const EDDY = pathToFileURL(join(import.meta.dirname, '../index.ts')).href;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-run-ckpt-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A rolling count over 300 generated elements at 200 per second, printed as "count <n>". */
const JOB = `import * as eddy from '${EDDY}';
export default eddy.defineJob((env) => {
  env
    .fromSource(eddy.datagenSource({ generate: () => 1, count: 300, rate: 200 }), eddy.WatermarkStrategy.noWatermarks(), 'ones')
    .keyBy(() => 'all')
    .reduce((a, b) => a + b)
    .map((n) => 'count ' + n)
    .print();
});
`;

const counts = (lines: readonly string[]): number[] =>
  lines.filter((line) => line.startsWith('count ')).map((line) => Number(line.slice(6)));

test('a run killed with kill -9 goes on from its last checkpoint when started again', async () => {
  const job = join(dir, 'ones.ts');
  await writeFile(job, JOB);
  const stateDir = join(dir, 'state');
  const args = [
    'run',
    '--parallelism',
    '1',
    '--data-dir',
    join(dir, 'broker'),
    '--port',
    '0',
    '--job-id',
    'ones',
    '--state-dir',
    stateDir,
    '--checkpoint-interval',
    '1h',
    job,
  ];
  const first = startEddy(args);
  await first.waitForLine((line) => line === 'count 20');
  const answer = await sendControlRequest(controlSocketPath(stateDir, 'ones'), { command: 'checkpoint' });
  assert.deepEqual(answer, { ok: true, checkpointId: 1 });
  first.kill('SIGKILL');
  await first.exited;
  const before = counts(first.lines);
  assert.ok(before.at(-1)! < 300, 'killed part-way');

  const second = await runEddy(args);
  assert.equal(second.code, 0, second.stderr);
  const after = counts(second.stdout.split('\n'));
  assert.ok(after[0] > 20, `the count goes on from the checkpoint (first: ${after[0]})`);
  assert.ok(after[0] <= before.at(-1)! + 1, 'nothing after the checkpoint is skipped');
  assert.deepEqual(
    after,
    Array.from({ length: 300 - after[0] + 1 }, (_, i) => after[0] + i),
  );
});

test('--state-dir without --job-id, or a bad --checkpoint-interval, is a usage error', async () => {
  const job = join(dir, 'ones.ts');
  await writeFile(job, JOB);
  const noId = await runEddy(['run', '--state-dir', join(dir, 'state'), job]);
  assert.equal(noId.code, 2, noId.stderr);
  assert.match(noId.stderr, /--state-dir needs --job-id/);
  const badInterval = await runEddy(['run', '--checkpoint-interval', 'soon', job]);
  assert.equal(badInterval.code, 2, badInterval.stderr);
  assert.match(badInterval.stderr, /--checkpoint-interval needs a duration above 0 such as 10s/);
});

test('a second run of a running job id on the same state dir is refused before it starts anything', async () => {
  // The rolling count, endless: the first run must still run when the second starts, however slowly.
  const job = join(dir, 'endless-ones.ts');
  await writeFile(job, JOB.replace('count: 300, ', ''));
  const stateDir = join(dir, 'state-twice');
  const args = (broker: string) => [
    'run',
    '--parallelism',
    '1',
    '--data-dir',
    join(dir, broker),
    '--port',
    '0',
    '--job-id',
    'twice',
    '--state-dir',
    stateDir,
    job,
  ];
  const first = startEddy(args('broker-a'));
  try {
    await first.waitForLine((line) => line === 'count 10');
    const second = await runEddy(args('broker-b'));
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /job "twice" already runs on .*stop it first or pick another --job-id/);
    assert.doesNotMatch(second.stdout, /count/, 'the second run started no job');
    const answer = await sendControlRequest(controlSocketPath(stateDir, 'twice'), { command: 'checkpoint' });
    assert.equal((answer as { ok: boolean }).ok, true, 'the first run goes on undisturbed');
  } finally {
    first.kill('SIGKILL');
    await first.exited;
  }
});
