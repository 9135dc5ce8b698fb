import type { StateBackendConfig } from '../../plan/nodes.ts';
import { keyGroupOf } from '../../state/key-groups.ts';
import type { HarnessSnapshot } from './harness-snapshots.ts';
import type { HarnessOptions, OperatorHarness, TimestampedRecord } from './operator-harness.ts';

/** One step of a scripted run: an element (to a port), a watermark, or a new processing time. */
export type Step<IN> =
  | { readonly element: IN; readonly ts?: number; readonly port?: number }
  | { readonly watermark: number }
  | { readonly time: number };

export interface RestoreScript<IN> {
  /** Builds the operator's harness with the given options (restored, another subtask...). */
  readonly make: (options: HarnessOptions) => Promise<OperatorHarness<IN, unknown>>;
  /** The key of an element, to route it to its subtask. */
  readonly key: (value: IN, port: number) => unknown;
  readonly steps: readonly Step<IN>[];
  /** Side outputs to collect as well. */
  readonly sideTags?: readonly string[];
}

export interface RestoreOptions {
  /** Snapshot after this many steps. */
  readonly cut: number;
  readonly before?: { readonly parallelism: number; readonly stateBackend?: StateBackendConfig };
  readonly after?: { readonly parallelism: number; readonly stateBackend?: StateBackendConfig };
}

/** What came out: main output, then each side output, as records. */
export type RunOutput = TimestampedRecord<unknown>[][];

/**
 * Runs a script in one harness to the end (endInput included). The reference for restoreRun.
 *
 * @example
 * assert.deepEqual(await restoredRun(script, { cut: 5 }), await straightRun(script));
 */
export async function straightRun<IN>(script: RestoreScript<IN>): Promise<RunOutput> {
  const [outputs] = await runPart(script, script.steps, [await script.make({})], 1, true);
  return outputs;
}

/**
 * Runs the first `cut` steps on `before.parallelism` subtasks, snapshots them all, restores
 * `after.parallelism` subtasks from the snapshots (processing time and the last watermark carried
 * over, as sources replay them), runs the rest and ends the input. Outputs are concatenated per
 * subtask, so with more than one subtask compare them sorted.
 */
export async function restoredRun<IN>(
  script: RestoreScript<IN>,
  options: RestoreOptions,
): Promise<RunOutput> {
  const before = options.before ?? { parallelism: 1 };
  const after = options.after ?? { parallelism: 1 };
  const first = await subtasks(script, before.parallelism, before.stateBackend, []);
  const [early, state] = await runPart(
    script,
    script.steps.slice(0, options.cut),
    first,
    before.parallelism,
    false,
  );
  const snapshots: HarnessSnapshot[] = [];
  for (const h of first) snapshots.push(await h.snapshot());
  for (const h of first) await h.close();
  const second = await subtasks(script, after.parallelism, after.stateBackend, snapshots, state.time);
  const rest: Step<IN>[] = [...(state.watermark === undefined ? [] : [{ watermark: state.watermark }])];
  const [late] = await runPart(
    script,
    [...rest, ...script.steps.slice(options.cut)],
    second,
    after.parallelism,
    true,
  );
  return early.map((records, i) => [...records, ...late[i]]);
}

function subtasks<IN>(
  script: RestoreScript<IN>,
  parallelism: number,
  stateBackend: StateBackendConfig | undefined,
  restoreFrom: HarnessSnapshot[],
  startTime?: number,
): Promise<OperatorHarness<IN, unknown>[]> {
  return Promise.all(
    Array.from({ length: parallelism }, (_, index) =>
      script.make({
        subtask: { index, parallelism },
        stateBackend,
        startTime,
        restoreFrom: restoreFrom.length > 0 ? restoreFrom : undefined,
      }),
    ),
  );
}

async function runPart<IN>(
  script: RestoreScript<IN>,
  steps: readonly Step<IN>[],
  harnesses: OperatorHarness<IN, unknown>[],
  parallelism: number,
  end: boolean,
): Promise<[RunOutput, { watermark?: number; time?: number }]> {
  let watermark: number | undefined;
  for (const step of steps) {
    if ('element' in step) {
      const port = step.port ?? 0;
      const group = keyGroupOf(script.key(step.element, port), harnesses[0].maxParallelism);
      const target = Math.floor((group * parallelism) / harnesses[0].maxParallelism);
      harnesses[target].processElement(step.element, step.ts, port);
    } else if ('watermark' in step) {
      watermark = step.watermark;
      for (const h of harnesses) h.processWatermark(step.watermark);
    } else for (const h of harnesses) h.setProcessingTime(step.time);
  }
  if (end) for (const h of harnesses) await h.endInput();
  const outputs: RunOutput = [[], ...(script.sideTags ?? []).map(() => [])];
  for (const h of harnesses) {
    outputs[0].push(...h.outputWithTimestamps());
    for (const [i, tag] of (script.sideTags ?? []).entries())
      outputs[i + 1].push(...h.sideOutputWithTimestamps(tag));
  }
  const time = harnesses[0].clock.now();
  if (end) for (const h of harnesses) await h.close();
  return [outputs, { watermark, time }];
}

/** Records in a canonical order, for comparing runs on several subtasks. */
export function sorted(output: RunOutput): RunOutput {
  const text = (r: TimestampedRecord<unknown>) => `${JSON.stringify(r.value)}@${r.timestamp}`;
  return output.map((records) => [...records].sort((a, b) => text(a).localeCompare(text(b))));
}
