// Runs a golden pipeline through the real runtime, releasing its input one phase per ManualClock step,
// and optionally stops it with a savepoint after a given number of steps.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { JobResult } from '../../src/engine/execute.ts';
import { collectSink, type JobPlan, ManualClock, type SinkDescriptor, startJob } from '../../src/index.ts';
import {
  FILLERS,
  PER_PHASE,
  type PipelineOptions,
  type Progress,
  STEP_MS,
  TOTAL,
} from './golden-pipelines.ts';

export interface RunSpec {
  readonly build: (options: PipelineOptions) => JobPlan;
  readonly parallelism: number;
  readonly backend?: 'heap' | 'lmdb';
  readonly jobId: string;
  readonly stateDir: string;
  /** How many elements the restored datagen had emitted (0 for a fresh run). */
  readonly from?: number;
  readonly restoreFrom?: string | 'latest';
  readonly allowNonRestoredState?: boolean;
  readonly checkpointEvery?: number;
  /** Stop with a savepoint into this directory after `stopAfter` steps. */
  readonly savepointDir?: string;
  readonly stopAfter?: number;
  /** Called before step `step`; e.g. to take a savepoint or a checkpoint mid-run. */
  readonly beforeStep?: (step: number, job: ReturnType<typeof startJob>, out: string[]) => Promise<void>;
  /** Replaces the collect sink (e.g. a file sink); `out` then stays empty. */
  readonly sink?: SinkDescriptor<string>;
  readonly withoutRollingSum?: boolean;
}

export interface RunOutcome {
  readonly out: string[];
  readonly result: JobResult;
  /** Elements the datagen emitted in all when the run ended (what a resumed run passes as `from`). */
  readonly emitted: number;
  readonly savepoint?: string;
}

/** Waits until `ready()`, failing fast when the job ends first or nothing happens for 10 s. */
async function waitFor(ready: () => boolean, done: Promise<unknown>, what: string): Promise<void> {
  let ended = false;
  let failure: unknown;
  done.then(
    () => {
      ended = true;
    },
    (error: unknown) => {
      ended = true;
      failure = error;
    },
  );
  const giveUpAt = Date.now() + 10_000;
  while (!ready()) {
    if (failure !== undefined) throw failure;
    if (ended && !ready()) throw new Error(`the job ended before ${what}`);
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await delay(1);
  }
}

/**
 * Runs one attempt of a stepped job: one phase of input per step, waiting for the source to generate
 * it before the next, so watermarks always fall between the same events.
 *
 * @example
 * const golden = await runStepped({ build: keyedAggregation, parallelism: 1, jobId: 'g', stateDir });
 */
export async function runStepped(spec: RunSpec): Promise<RunOutcome> {
  const out: string[] = [];
  const clock = new ManualClock(0);
  const progress: Progress = { next: 0 };
  const from = spec.from ?? 0;
  if (from % PER_PHASE >= FILLERS)
    throw new Error(`resumed ${from % PER_PHASE} times in a row; the phased input allows ${FILLERS - 1}`);
  const plan = spec.build({
    parallelism: spec.parallelism,
    backend: spec.backend ?? 'heap',
    clock,
    progress,
    sink: spec.sink ?? collectSink(out),
    checkpointEvery: spec.checkpointEvery,
    withoutRollingSum: spec.withoutRollingSum,
  });
  const job = startJob(plan, {
    jobId: spec.jobId,
    stateDir: spec.stateDir,
    restoreFrom:
      spec.restoreFrom === undefined || spec.restoreFrom === 'latest'
        ? spec.restoreFrom
        : { path: spec.restoreFrom },
    allowNonRestoredState: spec.allowNonRestoredState,
  });
  // The datagen emits one element at open, before any step.
  let expected = Math.min(TOTAL, from + 1);
  await waitFor(() => progress.next >= expected, job.done, `element ${expected - 1}`);
  for (let step = 0; expected < TOTAL; step++) {
    if (step === spec.stopAfter && spec.savepointDir !== undefined) {
      const savepoint = await job.execution.stopWithSavepoint(spec.savepointDir);
      return { out, result: await job.done, emitted: expected, savepoint };
    }
    await spec.beforeStep?.(step, job, out);
    clock.advance(STEP_MS);
    expected = Math.min(TOTAL, expected + PER_PHASE);
    await waitFor(() => progress.next >= expected, job.done, `element ${expected - 1}`);
  }
  return { out, result: await job.done, emitted: TOTAL };
}

/** Sorted copy, to compare outputs as multisets. */
export function sorted(lines: readonly string[]): string[] {
  return [...lines].sort();
}

/** `all` without one occurrence of each line of `some` (a multiset difference), sorted. */
export function minus(all: readonly string[], some: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const line of some) left.set(line, (left.get(line) ?? 0) + 1);
  return sorted(
    all.filter((line) => {
      const n = left.get(line) ?? 0;
      if (n > 0) left.set(line, n - 1);
      return n === 0;
    }),
  );
}

/** How many elements the datagen ('events') had emitted at a checkpoint or savepoint, from its manifest. */
export async function emittedAt(dir: string): Promise<number> {
  const manifest = JSON.parse(await readFile(join(dir, '_metadata.json'), 'utf8')) as {
    operators: { uid: string; subtasks: { positions?: { position: { emitted: number } }[] }[] }[];
  };
  const source = manifest.operators.find((op) => op.uid === 'events');
  const emitted = source?.subtasks[0]?.positions?.[0]?.position.emitted;
  if (emitted === undefined) throw new Error(`no datagen position in ${dir}`);
  return emitted;
}
