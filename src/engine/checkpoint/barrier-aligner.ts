/**
 * Barrier alignment for one operator subtask (Flink's aligned checkpoints). When a barrier of
 * checkpoint N arrives on an input, exactly-once mode blocks that input until N arrived on every input
 * (an ended input counts as arrived), so no record behind the barrier is processed before the
 * snapshot. At-least-once mode only counts barriers and never blocks.
 *
 * A barrier of a newer checkpoint while aligning abandons the older one (it was aborted upstream or
 * timed out); a barrier of an older or already taken checkpoint is dropped.
 *
 * @example
 * const aligner = new BarrierAligner(2, true);
 * aligner.onBarrier(0, 1); // { block: true }  — input 0 waits
 * aligner.onBarrier(1, 1); // { complete: 1 }  — snapshot now, then unblock every input
 */
export class BarrierAligner {
  private readonly arrived: boolean[];
  private readonly ended: boolean[];
  private readonly blocking: boolean;
  private current: number | undefined = undefined;
  private last = 0;

  constructor(inputs: number, exactlyOnce: boolean) {
    this.arrived = new Array<boolean>(inputs).fill(false);
    this.ended = new Array<boolean>(inputs).fill(false);
    this.blocking = exactlyOnce;
  }

  /** The checkpoint being aligned, if any. */
  get aligning(): number | undefined {
    return this.current;
  }

  /**
   * What to do with a barrier of checkpoint `id` on `input`: block the input, take the snapshot
   * (`complete`, then unblock everything), or nothing. `abandoned` names an older alignment given up.
   */
  onBarrier(input: number, id: number): { block?: boolean; complete?: number; abandoned?: number } {
    if (id <= this.last || (this.current !== undefined && id < this.current)) return {};
    let abandoned: number | undefined;
    if (this.current !== undefined && id > this.current) {
      abandoned = this.current;
      this.arrived.fill(false);
    }
    this.current = id;
    this.arrived[input] = true;
    if (this.allArrived()) return { complete: this.finish(id), abandoned };
    return { block: this.blocking, abandoned };
  }

  /** An input ended; completes an alignment that was waiting only for it. */
  onEnd(input: number): number | undefined {
    this.ended[input] = true;
    if (this.current !== undefined && this.allArrived()) return this.finish(this.current);
    return undefined;
  }

  private allArrived(): boolean {
    for (let i = 0; i < this.arrived.length; i++) if (!this.arrived[i] && !this.ended[i]) return false;
    return true;
  }

  private finish(id: number): number {
    this.last = id;
    this.current = undefined;
    this.arrived.fill(false);
    return id;
  }
}
