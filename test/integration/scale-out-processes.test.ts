// The clickstream example scaled out over several `eddy run --scale-out` processes with one job id,
// as an operator runs it: three processes divide the job's four tasks; one is killed with kill -9 and
// the others take its tasks over; it is started again with the same command, and a fourth process
// joins. A and B share a state directory (as on a shared filesystem), C and D have their own, so tasks
// move both ways: from files a process finds on its disk and from the job's checkpoint topic. Through all that, what a read_committed reader sees of the output
// topics must count every click exactly once: it must equal DuckDB's answer line for line.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { USAGE_EXIT_CODE } from '../../src/cli/eddy-command.ts';
import { runScaledOutJobFile } from '../../src/cli/run-scaled-out.ts';
import { messageLines, runEddy } from '../../src/cli/testing-support/eddy-child.ts';
import { isStreamError } from '../../src/common/errors.ts';
import { createLogger } from '../../src/common/logging.ts';
import { seededRandom } from '../../src/common/random.ts';
import { kcatMissing } from '../compat/kcat/kcat.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import {
  clickInput,
  expectedOutput,
  outputFlags,
  PARTITIONS,
  type RunOutput,
  readOutput,
} from './clickstream-rescale-input.ts';
import { makeTopic, produce } from './connector-kafka-helpers.ts';
import { describeProcesses, type LogLine, ScaleOutProcess, settledOn, until } from './scale-out-helpers.ts';

const JOB = join(import.meta.dirname, '../../examples/clickstream/job.ts');
const JOB_ID = 'clicks-procs';
const RUN = 'procs';
/** The job's task count: the partitions of website-clicks, the only topic it reads. */
const TASKS = PARTITIONS;

let broker: TestBroker | undefined;
let stateDir: string | undefined;
const processes: ScaleOutProcess[] = [];

after(async () => {
  for (const p of processes) {
    if (p.running) p.kill('SIGKILL');
    await p.exited.catch(() => undefined);
  }
  await broker?.stop();
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});

/** One process of the job, started as a user starts it (every process with this same command). */
function launch(name: string, bootstrap: string, dir: string): ScaleOutProcess {
  const jobFlags = Object.entries(outputFlags(RUN)).flatMap(([flag, topic]) => [`--${flag}`, topic]);
  const p = new ScaleOutProcess(name, [
    ...['--log-level', 'info', '--bootstrap', bootstrap, 'run', JOB, '--scale-out'],
    ...['--job-id', JOB_ID, '--state-dir', dir, '--checkpoint-interval', '300ms', '--', ...jobFlags],
  ]);
  processes.push(p);
  return p;
}

/** Lines a process logged from index `from` on, about `task`, whose message matches `pattern`. */
function taskLines(p: ScaleOutProcess, task: number, pattern: RegExp, from = 0): LogLine[] {
  return p
    .logs()
    .slice(from)
    .filter((l) => l.task === task && pattern.test(l.msg));
}

const CHECKPOINT_DONE = /^checkpoint \d+ completed$/;
const RESTORING = /^restoring checkpoint (\d+)$/;

test('three processes, one killed with kill -9 and started again, a fourth joining: output equals DuckDB', {
  skip: kcatMissing() ?? false,
  timeout: 180_000,
}, async () => {
  broker = await startTestBroker();
  stateDir = await mkdtemp(join(tmpdir(), 'eddy-scale-out-'));
  const { bootstrap } = broker;
  const dirs = { shared: join(stateDir, 'shared'), c: join(stateDir, 'c'), d: join(stateDir, 'd') };
  for (const dir of Object.values(dirs)) await mkdir(dir);
  await makeTopic(bootstrap, 'website-clicks', PARTITIONS);
  for (const topic of Object.values(outputFlags(RUN))) await makeTopic(bootstrap, topic, 1);
  const input = clickInput(seededRandom(20261124), 300);
  const expected = await expectedOutput(input);
  assert.ok(input.finalWatermark % 60_000 > 1_000, 'the final watermark is inside a minute');
  const [chunk0, chunk1, chunk2] = input.phase1;

  // Every wait polls towards its own deadline, all of them within the test's budget, and a failure
  // shows each process's assignment and last log lines.
  const budgetEnd = Date.now() + 170_000;
  const waitFor = async (what: string, ready: () => boolean | Promise<boolean>, ms: number) => {
    const ok = await until(ready, Math.min(ms, budgetEnd - Date.now()));
    assert.ok(ok, `timed out waiting until ${what}\n${describeProcesses(processes)}`);
  };
  let committed: RunOutput = { views: [], users: [], late: [], dead: [] };
  const committedMore = (than: RunOutput) => async () => {
    committed = await readOutput(bootstrap, RUN);
    return committed.views.length + committed.users.length > than.views.length + than.users.length;
  };

  // Three processes divide the four tasks.
  const a = launch('A', bootstrap, dirs.shared);
  const b = launch('B', bootstrap, dirs.shared);
  const c = launch('C', bootstrap, dirs.c);
  await waitFor(
    'A, B and C run the job and divide its tasks',
    () => [a, b, c].every((p) => p.logged('job running (scaled out)')) && settledOn([a, b, c], TASKS),
    45_000,
  );
  const bTasks = b.assignment()?.tasks ?? [];
  assert.ok(bTasks.length > 0, `B holds tasks\n${describeProcesses(processes)}`);

  // Phase-1 chunk 0, until windows it closed are committed and B's tasks have checkpoints to hand over.
  await produce(bootstrap, 'website-clicks', chunk0 ?? []);
  await waitFor('windows closed by chunk 0 are committed', committedMore(committed), 60_000);
  await waitFor(
    `B completed a checkpoint of each of its tasks ${bTasks.join(',')}`,
    () => bTasks.every((task) => taskLines(b, task, CHECKPOINT_DONE).length > 0),
    30_000,
  );
  const beforeKill = committed;

  // kill -9 B. After the session timeout A and C hold every task, B's restored from its checkpoints.
  const logged = new Map([a, c].map((p) => [p, p.logs().length]));
  b.kill('SIGKILL');
  assert.equal((await b.exited).signal, 'SIGKILL');
  const lastOfB = (task: number) =>
    Math.max(...taskLines(b, task, CHECKPOINT_DONE).map((l) => Number(/\d+/.exec(l.msg)?.[0])));
  await produce(bootstrap, 'website-clicks', chunk1 ?? []);
  await waitFor('A and C take over B’s tasks', () => settledOn([a, c], TASKS), 45_000);
  for (const task of bTasks)
    await waitFor(
      `task ${task} is restored from B’s last checkpoint ${lastOfB(task)} or a later one`,
      () =>
        [a, c]
          .flatMap((p) => taskLines(p, task, RESTORING, logged.get(p)))
          .some((l) => Number(RESTORING.exec(l.msg)?.[1]) >= lastOfB(task)),
      15_000,
    );

  // B again, with the very same command; then more output than before the kill.
  const b2 = launch('B again', bootstrap, dirs.shared);
  assert.deepEqual(b2.args, b.args);
  await waitFor('A, C and B again divide the tasks', () => settledOn([a, c, b2], TASKS), 45_000);
  await waitFor('more windows are committed than before the kill', committedMore(beforeKill), 60_000);

  // A fourth process joins and takes a share; then the rest of the input.
  const d = launch('D', bootstrap, dirs.d);
  await waitFor('A, B, C and D hold a task each', () => settledOn([a, b2, c, d], TASKS), 45_000);
  for (const p of [a, b2, c, d]) assert.equal(p.assignment()?.tasks.length, 1, describeProcesses(processes));
  // D's state directory was empty: its task's committed checkpoint came from the checkpoint topic.
  await waitFor(
    'D fetched the committed checkpoint of its task',
    () => d.logs().some((l) => /^fetched checkpoint \d+ of task \d+$/.test(l.msg)),
    15_000,
  );
  await produce(bootstrap, 'website-clicks', chunk2 ?? []);
  await produce(bootstrap, 'website-clicks', [...input.phase2]);
  await waitFor(
    'the committed output has as many rows as DuckDB’s answer',
    async () => {
      committed = await readOutput(bootstrap, RUN);
      return (
        committed.views.length >= expected.views.length &&
        committed.users.length >= expected.users.length &&
        committed.dead.length >= expected.dead.length
      );
    },
    90_000,
  );
  const why = `\n${describeProcesses(processes)}`;
  assert.deepEqual(committed.views, expected.views, `page views per minute equal DuckDB’s${why}`);
  assert.deepEqual(committed.users, expected.users, `user metrics per minute equal DuckDB’s${why}`);
  assert.deepEqual(committed.late, [], `no click is late${why}`);
  assert.deepEqual(committed.dead, expected.dead, `every bad record is a dead letter, once${why}`);

  // SIGTERM: every process stops its tasks, leaves the group and exits 0.
  const live = [a, b2, c, d];
  for (const p of live) p.kill('SIGTERM');
  for (const p of live) {
    const exit = await p.exit(30_000);
    assert.deepEqual(
      { code: exit.code, signal: exit.signal },
      { code: 0, signal: null },
      `${p.name} exits 0 on SIGTERM\n${describeProcesses([p])}`,
    );
    assert.ok(p.logged('this process left the job'), `${p.name} left the job\n${describeProcesses([p])}`);
  }
});

test('--scale-out without --bootstrap and --state-dir fails naming both (CLI_BAD_ARGUMENT)', async () => {
  const exit = await runEddy(['run', JOB, '--scale-out', '--job-id', JOB_ID], { timeoutMs: 30_000 });
  const message = messageLines(exit.stderr).join('\n');
  assert.equal(exit.code, USAGE_EXIT_CODE, `a usage error; stderr:\n${exit.stderr}`);
  assert.match(message, /^eddy: --scale-out needs /);
  assert.match(message, /--bootstrap/);
  assert.match(message, /--state-dir/);
  assert.doesNotMatch(message, /--job-id/, 'the job id was given');

  // The same through the function the CLI calls: the error's code is CLI_BAD_ARGUMENT.
  const logger = createLogger({ level: 'silent' });
  await assert.rejects(
    runScaledOutJobFile({ path: JOB, flags: {}, jobId: JOB_ID, bootstrap: '127.0.0.1:1', logger }),
    (error) => isStreamError(error, 'CLI_BAD_ARGUMENT') && /--state-dir/.test(error.message),
  );
});
