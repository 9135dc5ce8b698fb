import type { ChainLink } from './chain.ts';
import { BarrierAligner } from './checkpoint/barrier-aligner.ts';
import { type GateInput, InputGate } from './input-gate.ts';
import { Subtask, type SubtaskEnv } from './subtask.ts';
import { WatermarkValve } from './watermarks/watermark-valve.ts';

/**
 * A subtask whose head operator reads channels. One loop step takes one message: a data batch goes
 * through the chain synchronously, watermarks and idleness go through the valve (forwarded only when
 * the combined watermark rises), barriers through the aligner (an input that delivered a barrier is
 * not read until every input did; then the chain is snapshotted), and when every input has ended the
 * chain is finished.
 */
export class OperatorSubtask extends Subtask {
  private readonly gate: InputGate;
  private readonly valve: WatermarkValve;
  private readonly aligner: BarrierAligner;

  constructor(name: string, links: ChainLink[], inputs: readonly GateInput[], env: SubtaskEnv) {
    super(name, links, env);
    this.gate = new InputGate(inputs);
    this.valve = new WatermarkValve(inputs.length);
    this.aligner = new BarrierAligner(inputs.length, env.checkpoints?.exactlyOnce ?? true);
  }

  protected open(): Promise<void> {
    return this.openLinks();
  }

  protected async loop(): Promise<void> {
    const { gate, valve, aligner } = this;
    const { control } = this.env;
    const head = this.links[0];
    while (!valve.allEnded) {
      this.checkStopped();
      if (this.outputsBlocked) await this.waitForOutputs();
      this.fireTimers();
      const next = gate.poll();
      if (next === undefined) {
        await control.guard(gate.wait(this.timerDelay(), control.signal));
        continue;
      }
      const { input, message } = next;
      let watermark: number | undefined;
      let aligned: number | undefined;
      switch (message.kind) {
        case 'data':
          head.receive(message.batch, gate.inputs[input].port);
          continue;
        case 'watermark':
          watermark = valve.onWatermark(input, message.time);
          break;
        case 'idle':
          watermark = valve.onIdle(input, message.idle);
          break;
        case 'end':
          watermark = valve.onEnd(input);
          aligned = aligner.onEnd(input);
          break;
        case 'barrier': {
          const step = aligner.onBarrier(input, message.checkpointId);
          if (step.abandoned !== undefined) gate.unblockAll();
          if (step.block === true) gate.block(input);
          if (step.complete !== undefined) await this.checkpointAligned(step.complete);
          continue;
        }
      }
      // Becoming active is announced before the watermark it brings; becoming idle brings none.
      if (!valve.allEnded) this.setOutputIdle(valve.isIdle);
      if (watermark !== undefined) head.advanceWatermark(watermark);
      // The input that ended had not delivered the barrier, so what it sent belongs before the snapshot.
      if (aligned !== undefined) await this.checkpointAligned(aligned);
    }
    this.reportFinished();
    if (this.outputsBlocked) await this.waitForOutputs();
    await this.finishChain();
  }

  protected async closeOwn(): Promise<void> {}

  private async checkpointAligned(id: number): Promise<void> {
    await this.checkpoint(id);
    this.gate.unblockAll();
  }
}
