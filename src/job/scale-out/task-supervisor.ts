// Turns this process's membership in the job's group into running tasks: the group says which tasks
// are ours (src/kafka/group-membership.ts), the supervisor starts and stops them. Hand-over is eager:
// every task here stops before the group hands tasks out again, and the next owner restores the task's
// last committed checkpoint. See docs/internals/scale-out.md §1–2.

import type { Logger } from '../../common/logging.ts';
import { type JobGroupMember, joinJobGroup, type TaskAssignment } from '../../kafka/group-membership.ts';

/** One task's engine run, as `startTask` hands it to the supervisor. */
export interface RunningTask {
  /** Rejects when the task failed beyond its restart strategy; resolves when it ended (or was stopped). */
  readonly done: Promise<unknown>;
  /** Stops the task; resolves once it no longer runs. */
  stop(): Promise<void>;
}

/** Options of `superviseTasks`. */
export interface TaskSupervisorOptions {
  /** `host:port` of the Kafka cluster the job's processes share. */
  readonly bootstrap: string;
  /** The job's group, `eddy-<jobId>`. */
  readonly groupId: string;
  /** T, the job's task count; every process passes the same. */
  readonly tasks: number;
  /** Starts one task here. May throw; that counts as the task failing. */
  startTask(task: number): RunningTask;
  /** Default 10 000 (see DEFAULT_SESSION_TIMEOUT_MS). */
  readonly sessionTimeoutMs?: number;
  /** How long the group waits for members to stop their tasks and rejoin. Default: the membership's (60 s). */
  readonly rebalanceTimeoutMs?: number;
  /** How the process shows up in the group and in logs. Default `<host>-<pid>`. */
  readonly memberName?: string;
  readonly logger?: Logger;
}

/** This process's share of a scaled-out job. */
export interface TaskSupervisor {
  /** Resolves after close(); rejects with the first error when the membership fails or a task fails. */
  readonly done: Promise<void>;
  /** Tasks running here now, ascending. */
  owned(): readonly number[];
  /** Stops every task here, then leaves the group (the others take the tasks at once). Idempotent. */
  close(): Promise<void>;
}

/**
 * The membership's default (Kafka's 45 s) would leave a killed process's tasks idle for 45 s before
 * anyone takes them over. A task's hand-over costs only a restore from its last checkpoint, so a
 * shorter wait is worth it; 10 s stays above real Kafka's group.min.session.timeout.ms (6 s) and well
 * above the 3 s heartbeat interval, so a GC pause or a slow checkpoint does not evict a live process.
 */
const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/**
 * Joins the job's group and runs every task it assigns here, until close() or a failure. Resolves
 * once the first assignment's tasks are started.
 *
 * @example
 * const supervisor = await superviseTasks({
 *   bootstrap: 'kafka:9092', groupId: 'eddy-clicks', tasks: 8,
 *   startTask: (task) => { const run = executeJob(plan, { subtasks: [task], ... });
 *     return { done: run.done, stop: () => run.cancel() }; },
 * });
 * process.on('SIGTERM', () => void supervisor.close());
 * await supervisor.done;
 */
export async function superviseTasks(options: TaskSupervisorOptions): Promise<TaskSupervisor> {
  const member = await joinJobGroup({
    bootstrap: options.bootstrap,
    groupId: options.groupId,
    tasks: options.tasks,
    sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    ...(options.rebalanceTimeoutMs === undefined ? {} : { rebalanceTimeoutMs: options.rebalanceTimeoutMs }),
    ...(options.memberName === undefined ? {} : { memberName: options.memberName }),
  });
  return new Supervisor(options, member);
}

class Supervisor implements TaskSupervisor {
  readonly done: Promise<void>;
  private readonly options: TaskSupervisorOptions;
  private readonly member: JobGroupMember;
  private readonly running = new Map<number, RunningTask>();
  private generation = -1;
  private failure: { error: unknown } | undefined;
  private closing: Promise<void> | undefined;
  private settle: (error?: { error: unknown }) => void = () => undefined;

  constructor(options: TaskSupervisorOptions, member: JobGroupMember) {
    this.options = options;
    this.member = member;
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (failed) => (failed === undefined ? resolve() : reject(failed.error));
    });
    // A failure may come before the caller awaits `done`: that must not crash the process as an
    // unhandled rejection; whoever awaits `done` still gets the error.
    this.done.catch(() => undefined);
    member.on('assigned', (assignment) => this.assigned(assignment));
    member.on('revoking', (old, reason) => {
      this.options.logger?.info(
        { generation: old.generation, tasks: old.tasks, reason },
        `stopping tasks ${old.tasks.join(',') || '(none)'} (${reason})`,
      );
      return this.stopAll();
    });
    // The membership has already handed over (stopped our tasks) and left when it reports an error.
    member.on('error', (error) => this.fail(error));
    // The first assignment came before these listeners existed.
    this.assigned(member.assignment);
  }

  owned(): readonly number[] {
    return [...this.running.keys()].sort((a, b) => a - b);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // leave() runs 'revoking' (which stops the tasks) before it sends LeaveGroup.
      await this.member.leave();
      await this.stopAll();
      this.settle(this.failure);
    })();
    return this.closing;
  }

  private assigned(assignment: TaskAssignment): void {
    if (this.closing !== undefined) return;
    const { generation, tasks, members } = assignment;
    this.generation = generation;
    const here = tasks.length === 0 ? 'no tasks' : `tasks ${tasks.join(',')}`;
    this.options.logger?.info(
      { generation, tasks, members },
      `${here} of ${this.options.tasks} here, generation ${generation}, ${members} members`,
    );
    // Tasks start only here, once per generation (each 'assigned' follows a 'revoking' that stopped all),
    // so a task that finished by itself stays finished until the group reassigns: then it restores its
    // last checkpoint and runs again, which exactly-once makes harmless.
    for (const task of tasks) {
      if (this.running.has(task)) continue;
      if (!this.start(task)) return;
    }
  }

  /** Starts one task and watches it; false when it could not start (the supervisor then fails). */
  private start(task: number): boolean {
    let run: RunningTask;
    try {
      run = this.options.startTask(task);
    } catch (error) {
      this.fail(error);
      return false;
    }
    this.running.set(task, run);
    const generation = this.generation;
    run.done.then(
      () => {
        // Removed from `running` means we stopped it: how it ended then is no news.
        if (this.running.get(task) !== run) return;
        this.running.delete(task);
        this.options.logger?.info({ task, generation }, `task ${task} finished`);
      },
      (error: unknown) => {
        if (this.running.get(task) !== run) return;
        this.running.delete(task);
        this.options.logger?.error(
          { task, err: error },
          `task ${task} failed; stopping this process's tasks`,
        );
        this.fail(error);
      },
    );
    return true;
  }

  /** Stops every running task and waits for all of them; a stop that fails fails the supervisor. */
  private async stopAll(): Promise<void> {
    const stopping = [...this.running].map(async ([task, run]) => {
      this.running.delete(task);
      try {
        await run.stop();
      } catch (error) {
        this.options.logger?.error({ task, err: error }, `task ${task} did not stop cleanly`);
        this.fail(error);
      }
    });
    await Promise.all(stopping);
  }

  /** Keeps the first error, then stops everything and leaves; `done` rejects with it. */
  private fail(error: unknown): void {
    this.failure ??= { error };
    void this.close();
  }
}
