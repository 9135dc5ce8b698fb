// `eddy savepoint`, `eddy stop` and `eddy state inspect` against a real `eddy run` child: a savepoint
// taken while the job runs, a stop with a savepoint, and a run resumed from it whose running totals
// go on where they stopped.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CheckpointManifest } from '../engine/checkpoint/manifest.ts';
import { type EddyExit, messageLines, runEddy, startEddy } from './testing-support/eddy-child.ts';

const EDDY = pathToFileURL(join(import.meta.dirname, '../index.ts')).href;
const USERS = 3;
const PER_USER = 1000;
let dir: string;
let stateDir: string;

/**
 * Running totals per user ("u1 17") over 3000 generated clicks, 200 a second unless `-- --rate N`
 * says otherwise (the resumed run goes fast), keyed state uid "totals".
 */
const JOB = `import * as eddy from '${EDDY}';
export default eddy.defineJob((env, { flags }) => {
  env
    .fromSource(eddy.datagenSource({ generate: (i) => ({ user: 'u' + (i % ${USERS}), n: 1 }), count: ${USERS * PER_USER}, rate: Number(flags.rate ?? 200) }),
      eddy.WatermarkStrategy.noWatermarks(), 'clicks')
    .keyBy((click) => click.user)
    .reduce((a, b) => ({ user: a.user, n: a.n + b.n }))
    .uid('totals')
    .map((total) => total.user + ' ' + total.n)
    .print();
});
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-savepoint-'));
  stateDir = join(dir, 'state');
  await writeFile(join(dir, 'clicks.ts'), JOB);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runArgs(jobId: string, rest: string[] = [], jobFlags: string[] = []): string[] {
  return [
    'run',
    '--parallelism',
    '1',
    '--data-dir',
    join(dir, 'broker'),
    '--port',
    '0',
    '--state-dir',
    stateDir,
    '--job-id',
    jobId,
    '--checkpoint-interval',
    '200ms',
    ...rest,
    join(dir, 'clicks.ts'),
    ...jobFlags,
  ];
}

/** The last total printed per user. */
function lastTotals(lines: readonly string[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) {
    const [user, n] = line.split(' ');
    if (user.startsWith('u')) totals.set(user, Number(n));
  }
  return totals;
}

/** Exit 0 and exactly one line on stdout: the path. */
function printedPath(result: EddyExit): string {
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, result.stdout);
  return lines[0];
}

function assertOneLineError(result: EddyExit, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '');
  const lines = messageLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], pattern);
}

test('savepoint, inspect, stop with a savepoint, and resume from it', async () => {
  const first = startEddy(runArgs('t1'));
  let savepoint: string;
  let stopped: string;
  try {
    await first.waitForLine((line) => line === 'u0 10');
    // Stop right after the savepoint, while the job surely still runs; look into both afterwards.
    savepoint = printedPath(await runEddy(['savepoint', 't1', '--state-dir', stateDir]));
    stopped = printedPath(
      await runEddy(['stop', 't1', '--savepoint', '--state-dir', stateDir, '--dir', join(dir, 'sp')]),
    );
    const ended = await first.exit();
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(ended.stderr, /"status":"stopped"/);
  } finally {
    if (first.running) first.kill('SIGKILL');
  }
  assert.match(savepoint, new RegExp(`^${join(stateDir, 'savepoints')}/savepoint-t1-\\d+$`));
  assert.match(stopped, new RegExp(`^${join(dir, 'sp')}/savepoint-t1-\\d+$`));
  const manifest = JSON.parse(
    await readFile(join(savepoint, '_metadata.json'), 'utf8'),
  ) as CheckpointManifest;
  assert.equal(manifest.kind, 'savepoint');
  assert.equal(manifest.state, 'completed');
  assert.equal(manifest.jobId, 't1');

  const inspected = await runEddy(['state', 'inspect', savepoint]);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.match(inspected.stdout, /^savepoint \d+ of job t1 \(clicks\): completed$/m);
  assert.match(inspected.stdout, /^totals +keyed-reduce +Keyed Reduce +1 +3 +0 +\d+$/m);
  assert.match(
    inspected.stdout,
    /^ {2}datagen-0 +\{"subtask":0,"parallelism":1,"next":\d+,"emitted":\d+\}$/m,
  );

  const before = lastTotals(first.lines);
  assert.equal(before.size, USERS);
  assert.ok(
    [...before.values()].every((n) => n < PER_USER),
    'stopped part-way',
  );

  // The entries of the stopped savepoint are the last totals the stopped run printed.
  const json = await runEddy([
    'state',
    'inspect',
    stopped,
    '--operator',
    'totals',
    '--state',
    '__reduce',
    '--json',
  ]);
  assert.equal(json.code, 0, json.stderr);
  const entries = JSON.parse(json.stdout) as {
    total: number;
    entries: { key: string; value: { n: number } }[];
  };
  assert.equal(entries.total, USERS);
  assert.deepEqual(new Map(entries.entries.map((e) => [e.key, e.value.n])), before);
  const limited = await runEddy([
    'state',
    'inspect',
    stopped,
    '--operator',
    'totals',
    '--state',
    '__reduce',
    '--limit',
    '1',
  ]);
  assert.equal(limited.code, 0, limited.stderr);
  assert.match(
    limited.stdout,
    /^totals \/ __reduce: 1 of 3 entries\nKEY +NAMESPACE +VALUE\n"u\d" +- +\{"user":"u\d","n":\d+\}\n$/,
  );

  // A new job id (so 'latest' finds nothing of its own): only --from-savepoint carries the totals over.
  const resumed = await runEddy(runArgs('t2', ['--from-savepoint', stopped], ['--', '--rate', '100000']), {
    timeoutMs: 20_000,
  });
  assert.equal(resumed.code, 0, resumed.stderr);
  const lines = resumed.stdout.split('\n').filter((line) => line !== '');
  for (const [user, n] of before) {
    const next = lines
      .filter((line) => line.startsWith(`${user} `))
      .map((line) => Number(line.split(' ')[1]));
    assert.deepEqual(
      next,
      Array.from({ length: PER_USER - n }, (_, i) => n + 1 + i),
      `${user} goes on from ${n}`,
    );
  }
});

test('eddy stop without --savepoint cancels the job; the run exits 0', async () => {
  const run = startEddy(runArgs('t3'));
  try {
    await run.waitForLine((line) => line === 'u0 5');
    const stop = await runEddy(['stop', 't3', '--state-dir', stateDir]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, 'cancelled job t3\n');
    const ended = await run.exit();
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(ended.stderr, /"status":"cancelled"/);
  } finally {
    if (run.running) run.kill('SIGKILL');
  }
});

test('no job with that id on that state dir: one line, exit 1', async () => {
  assertOneLineError(
    await runEddy(['savepoint', 'nope', '--state-dir', stateDir]),
    1,
    /^eddy: no job "nope" runs with state dir .*; check the job id and that --state-dir matches/,
  );
  assertOneLineError(
    await runEddy(['stop', 'nope', '--savepoint', '--state-dir', join(dir, 'elsewhere')]),
    1,
    /^eddy: no job "nope" runs with state dir .*elsewhere/,
  );
});

test('state inspect of a path that is not a checkpoint, or with bad flags: usage error', async () => {
  assertOneLineError(
    await runEddy(['state', 'inspect', dir]),
    2,
    /is not a checkpoint or savepoint: it has no readable _metadata\.json/,
  );
  assertOneLineError(
    await runEddy(['state', 'inspect', dir, '--operator', 'totals']),
    2,
    /--operator and --state go together/,
  );
});
