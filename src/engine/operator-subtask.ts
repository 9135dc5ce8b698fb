import type { ChainLink } from './chain.ts';
import { type GateInput, InputGate } from './input-gate.ts';
import { Subtask, type SubtaskEnv } from './subtask.ts';
import { WatermarkValve } from './watermarks/watermark-valve.ts';

/**
 * A subtask whose head operator reads channels. One loop step takes one message: a data batch goes
 * through the chain synchronously, watermarks and idleness go through the valve (forwarded only when
 * the combined watermark rises), and when every input has ended the chain is finished.
 */
export class OperatorSubtask extends Subtask {
  private readonly gate: InputGate;
  private readonly valve: WatermarkValve;

  constructor(name: string, links: ChainLink[], inputs: readonly GateInput[], env: SubtaskEnv) {
    super(name, links, env);
    this.gate = new InputGate(inputs);
    this.valve = new WatermarkValve(inputs.length);
  }

  protected open(): Promise<void> {
    return this.openLinks();
  }

  protected async loop(): Promise<void> {
    const { gate, valve } = this;
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
          break;
        case 'barrier':
          // Checkpoints are not built yet; barriers are not sent.
          continue;
      }
      // Becoming active is announced before the watermark it brings; becoming idle brings none.
      if (!valve.allEnded) this.setOutputIdle(valve.isIdle);
      if (watermark !== undefined) head.advanceWatermark(watermark);
    }
    if (this.outputsBlocked) await this.waitForOutputs();
    await this.finishChain();
  }

  protected async closeOwn(): Promise<void> {}
}
