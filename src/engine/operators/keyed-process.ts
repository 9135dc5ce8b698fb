import type { KeyedProcessFunction, KeySelector } from '../../plan/functions.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Batch } from '../batch.ts';
import type { Operator } from '../operator.ts';
import { userFunctionFailed } from '../user-function-error.ts';
import { keySelectorFor } from './keyed/key-selector.ts';
import { type KeyedFunctionHooks, KeyedFunctionOperator } from './keyed/keyed-function-operator.ts';

class KeyedProcessOperator extends KeyedFunctionOperator {
  private readonly fn: KeyedProcessFunction<unknown, unknown, unknown>;
  private readonly keyOf: KeySelector<unknown, unknown>;

  constructor(node: PlanNodeOf<'keyed-process'>) {
    super(node.name, node.fn as KeyedFunctionHooks);
    this.fn = node.fn;
    this.keyOf = keySelectorFor(node, 0);
  }

  processBatch(batch: Batch<unknown>): void {
    const { values, timestamps } = batch;
    const { fn, keyOf, fctx } = this;
    const out = this.rt.buffer.main;
    let i = 0;
    try {
      for (; i < values.length; i++) {
        const value = values[i];
        this.enter(keyOf(value), timestamps[i]);
        fn.processElement(value, fctx, out);
      }
    } catch (cause) {
      throw userFunctionFailed(this.name, values[i], cause);
    }
    this.rt.flush();
  }
}

/**
 * Runs a KeyedProcessFunction: keyed state, event- and processing-time timers, side outputs.
 * Outputs carry the element's timestamp (in onTimer: the timer's time for event-time timers).
 *
 * @example
 * createKeyedProcessOperator({ kind: 'keyed-process', id: 2, name: 'sessions', inputs, fn });
 */
export function createKeyedProcessOperator(node: PlanNodeOf<'keyed-process'>): Operator<unknown, unknown> {
  return new KeyedProcessOperator(node);
}
