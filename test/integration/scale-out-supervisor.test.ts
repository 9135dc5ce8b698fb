// The task supervisor of a scaled-out job (src/job/scale-out/task-supervisor.ts) against the real
// embedded broker: several supervisors in this process divide a job's tasks through the group protocol.
// Tasks are stand-ins whose start/stop go into one log and whose `done` the test settles.

import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { pino } from 'pino';
import { isStreamError } from '../../src/common/errors.ts';
import {
  type RunningTask,
  superviseTasks,
  type TaskSupervisor,
  type TaskSupervisorOptions,
} from '../../src/job/scale-out/task-supervisor.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';

const TASKS = 4;
const ALL = [0, 1, 2, 3];
/** Fails a test that waits for something that never comes, instead of hanging the run. */
const LIMIT = { timeout: 15_000 };
let broker: TestBroker;
let groupCount = 0;
const supervisors: TaskSupervisor[] = [];

before(async () => {
  // The broker's default minimum session (Kafka's 6 s) would make hand-overs after a failure slow.
  broker = await startTestBroker({ groups: { minSessionTimeoutMs: 100 } });
});
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.close()));
});
after(() => broker.stop());

interface TaskEvent {
  readonly who: string;
  readonly task: number;
  /** 'end': the task ended by itself (finished or failed), not through stop(). */
  readonly kind: 'start' | 'stop' | 'end';
}

/** Every task start/stop of one test, with a way to wait until the log shows something. */
class TaskLog {
  readonly events: TaskEvent[] = [];
  /** Starts of a task while it still ran somewhere, and ends of tasks not running there. */
  readonly violations: string[] = [];
  private readonly current = new Map<number, string>();
  private readonly dones = new Map<string, PromiseWithResolvers<unknown>>();
  private readonly waiters = new Set<() => void>();

  /** A `startTask` for the supervisor called `who`. */
  starter(who: string): (task: number) => RunningTask {
    return (task) => {
      const done = Promise.withResolvers<unknown>();
      this.dones.set(`${who}/${task}`, done);
      this.push({ who, task, kind: 'start' });
      return {
        done: done.promise,
        stop: async () => {
          // A stop takes a while, as an engine run's does: a next owner starting early would show.
          await new Promise((resolve) => setTimeout(resolve, 20));
          this.push({ who, task, kind: 'stop' });
          done.resolve('cancelled');
        },
      };
    };
  }

  /** Ends a running task by itself: `error` fails it, otherwise it finished. */
  end(who: string, task: number, error?: Error): Promise<unknown> {
    const done = this.dones.get(`${who}/${task}`);
    assert.ok(done, `task ${task} was never started on ${who}`);
    this.push({ who, task, kind: 'end' });
    if (error === undefined) done.resolve('finished');
    else done.reject(error);
    return done.promise.catch(() => undefined);
  }

  /** Task → the supervisor running it now. */
  running(): ReadonlyMap<number, string> {
    return this.current;
  }

  /** Resolves once `accept(running())` holds; rejects on a violation, or after 8 s saying what was awaited. */
  async until(what: string, accept: (running: ReadonlyMap<number, string>) => boolean): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let check = (): void => undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        check = () => {
          if (this.violations.length > 0) reject(new Error(this.violations.join('; ')));
          else if (accept(this.current)) resolve();
        };
        check();
        this.waiters.add(check);
        timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${what}: ${this.describe()}`)),
          8_000,
        );
      });
    } finally {
      this.waiters.delete(check);
      clearTimeout(timer);
    }
  }

  describe(): string {
    return this.events.map((e) => `${e.kind} ${e.who}/${e.task}`).join(', ');
  }

  private push(event: TaskEvent): void {
    const { who, task, kind } = event;
    this.events.push(event);
    const owner = this.current.get(task);
    if (kind === 'start') {
      if (owner !== undefined)
        this.violations.push(`task ${task} started on ${who} while running on ${owner}`);
      this.current.set(task, who);
    } else {
      if (owner !== who) this.violations.push(`task ${task}: ${kind} on ${who}, but it runs on ${owner}`);
      this.current.delete(task);
    }
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Every task runs exactly once, on the supervisors named (each with at least one task). */
function spreadOver(...who: string[]): (running: ReadonlyMap<number, string>) => boolean {
  const owners = (running: ReadonlyMap<number, string>) => [...running.values()];
  return (running) =>
    ALL.every((t) => running.has(t)) &&
    who.every((w) => owners(running).includes(w)) &&
    owners(running).every((w) => who.includes(w));
}

function newGroup(): string {
  return `eddy-supervised-${++groupCount}`;
}

async function supervise(
  log: TaskLog,
  groupId: string,
  who: string,
  extra: Partial<TaskSupervisorOptions> = {},
): Promise<TaskSupervisor> {
  const supervisor = await superviseTasks({
    bootstrap: broker.bootstrap,
    groupId,
    tasks: TASKS,
    startTask: log.starter(who),
    memberName: who,
    sessionTimeoutMs: 1_000,
    rebalanceTimeoutMs: 5_000,
    ...extra,
  });
  supervisors.push(supervisor);
  return supervisor;
}

test('a second supervisor takes half the tasks only after the first stopped them', LIMIT, async () => {
  const log = new TaskLog();
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const group = newGroup();
  const a = await supervise(log, group, 'a', { logger });
  assert.deepEqual(a.owned(), ALL);
  assert.ok(
    lines.some((l) => JSON.parse(l).msg === 'tasks 0,1,2,3 of 4 here, generation 1, 1 members'),
    lines.join(''),
  );

  const b = await supervise(log, group, 'b');
  await log.until('a and b to split the tasks', spreadOver('a', 'b'));
  assert.deepEqual(log.violations, [], 'no task started on b before a stopped it');
  assert.deepEqual([...a.owned(), ...b.owned()].sort(), ALL);
  assert.equal(a.owned().length, 2);
  const stoppedOnA = log.events.filter((e) => e.who === 'a' && e.kind === 'stop').map((e) => e.task);
  assert.deepEqual(stoppedOnA.sort(), ALL, 'eager hand-over: a stopped every task, also those it keeps');
  for (const task of b.owned()) {
    const start = log.events.findIndex((e) => e.who === 'b' && e.task === task && e.kind === 'start');
    const stop = log.events.findIndex((e) => e.who === 'a' && e.task === task && e.kind === 'stop');
    assert.ok(stop >= 0 && stop < start, `task ${task}: a stopped it before b started it`);
  }
});

test('when one supervisor closes, the other owns every task', LIMIT, async () => {
  const log = new TaskLog();
  const group = newGroup();
  const a = await supervise(log, group, 'a');
  const b = await supervise(log, group, 'b');
  await log.until('a and b to split the tasks', spreadOver('a', 'b'));

  await a.close();
  await a.done;
  assert.deepEqual(a.owned(), []);
  await log.until('b to run every task', spreadOver('b'));
  assert.deepEqual(b.owned(), ALL);
});

test(
  'a failed task fails its supervisor, which stops its other tasks and leaves the group',
  LIMIT,
  async () => {
    const log = new TaskLog();
    const group = newGroup();
    const a = await supervise(log, group, 'a');
    const b = await supervise(log, group, 'b');
    await log.until('a and b to split the tasks', spreadOver('a', 'b'));
    const [failing, ...others] = a.owned();

    const boom = new Error('task blew its restart strategy');
    await log.end('a', failing, boom);
    await assert.rejects(a.done, (error) => error === boom);
    assert.deepEqual(a.owned(), []);
    for (const task of others) {
      assert.ok(
        log.events.some((e) => e.who === 'a' && e.task === task && e.kind === 'stop'),
        `${task} stopped`,
      );
    }
    // b owning all four means the group went on without a.
    await log.until('b to run every task', spreadOver('b'));
    assert.deepEqual(b.owned(), ALL);
  },
);

test('close() stops every running task, then done resolves; close() again is harmless', LIMIT, async () => {
  const log = new TaskLog();
  const a = await supervise(log, newGroup(), 'a');
  assert.deepEqual(a.owned(), ALL);

  await a.close();
  assert.deepEqual(a.owned(), []);
  assert.deepEqual(log.running(), new Map());
  assert.deepEqual(log.violations, []);
  assert.deepEqual(
    log.events
      .filter((e) => e.kind === 'stop')
      .map((e) => e.task)
      .sort(),
    ALL,
  );
  await a.done;
  await a.close();
  assert.equal(log.events.length, 8, 'no task started or stopped again');
});

test('a task that finishes by itself is not restarted in the same generation', LIMIT, async () => {
  const log = new TaskLog();
  const a = await supervise(log, newGroup(), 'a');
  await log.end('a', 2);
  // The supervisor reacts to `done` one turn later.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(a.owned(), [0, 1, 3]);
  assert.equal(log.events.filter((e) => e.kind === 'start').length, 4, 'task 2 not started again');
  const settled = await Promise.race([
    a.done.then(() => 'settled'),
    new Promise((r) => setImmediate(r, 'open')),
  ]);
  assert.equal(settled, 'open', 'a finished task is not a failure');
});

test('when the membership fails, the supervisor stops its tasks and done rejects', LIMIT, async () => {
  const log = new TaskLog();
  const group = newGroup();
  const a = await supervise(log, group, 'a');
  // A process of another job version: the leader (a) refuses the group and leaves it.
  const other = new TaskLog();
  const b = await supervise(other, group, 'b', { tasks: TASKS + 1 });

  await assert.rejects(a.done, (error) => isStreamError(error, 'ENG_GROUP_ASSIGNMENT_INVALID'));
  assert.deepEqual(a.owned(), []);
  assert.deepEqual(log.running(), new Map());
  assert.deepEqual(log.violations, []);
  assert.deepEqual(b.owned(), [...ALL, TASKS]);
});
