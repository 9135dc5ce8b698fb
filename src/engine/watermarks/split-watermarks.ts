import type { WatermarkGenerator, WatermarkStrategySpec } from '../../plan/watermarks.ts';
import { userHookFailed } from '../user-function-error.ts';
import { createWatermarkGenerator } from './generators.ts';

/** The state of one split (Kafka partition, file...) of a source subtask. */
export interface SplitState {
  readonly generator: WatermarkGenerator<unknown> | undefined;
  /** Clock time of the last records (or of the split's announcement). */
  lastActive: number;
  ended: boolean;
}

/** What a source subtask should tell downstream at a watermark check. */
export interface SourceWatermark {
  /** Min over live, active splits; undefined while one of them has no watermark yet. */
  readonly watermark: number | undefined;
  /** True when no split is live and active: the subtask must not hold anyone back. */
  readonly idle: boolean;
}

/**
 * Per-split watermark generation for one source subtask. The subtask's watermark is the minimum over
 * splits that have not ended and are not idle; a split is idle after `idleTimeout` ms of clock time
 * without records. A subtask without any live split is idle (e.g. more subtasks than partitions).
 *
 * @example
 * const splits = new SplitWatermarks({ kind: 'monotonous' }, 'clicks');
 * splits.split('p0', 0).generator?.onEvent(x, 100);
 * splits.check(0); // { watermark: 99, idle: false }
 */
export class SplitWatermarks {
  private readonly spec: WatermarkStrategySpec<unknown>;
  private readonly operatorName: string;
  private readonly splits = new Map<string, SplitState>();

  constructor(spec: WatermarkStrategySpec<unknown>, operatorName: string) {
    this.spec = spec;
    this.operatorName = operatorName;
  }

  /** The split's state, registering it (as active from `now`) the first time it is seen. */
  split(id: string, now: number): SplitState {
    let state = this.splits.get(id);
    if (state === undefined) {
      state = { generator: createWatermarkGenerator(this.spec), lastActive: now, ended: false };
      this.splits.set(id, state);
    }
    return state;
  }

  check(now: number): SourceWatermark {
    const timeout = this.spec.idleTimeout ?? Number.POSITIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    let unknown = false;
    for (const state of this.splits.values()) {
      if (state.ended || now - state.lastActive >= timeout) continue;
      active++;
      const watermark = this.currentOf(state);
      if (watermark === undefined) unknown = true;
      else if (watermark < min) min = watermark;
    }
    if (active === 0) return { watermark: undefined, idle: true };
    return { watermark: unknown ? undefined : min, idle: false };
  }

  private currentOf(state: SplitState): number | undefined {
    try {
      return state.generator?.currentWatermark();
    } catch (cause) {
      throw userHookFailed(this.operatorName, 'its watermark generator', cause);
    }
  }
}
