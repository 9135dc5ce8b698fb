import type { KeyedCoProcessFunction, KeySelector } from '../../plan/functions.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Batch } from '../batch.ts';
import type { Operator } from '../operator.ts';
import { userFunctionFailed } from '../user-function-error.ts';
import { keySelectorFor } from './keyed/key-selector.ts';
import { type KeyedFunctionHooks, KeyedFunctionOperator } from './keyed/keyed-function-operator.ts';

class KeyedCoProcessOperator extends KeyedFunctionOperator {
  private readonly fn: KeyedCoProcessFunction<unknown, unknown, unknown, unknown>;
  private readonly keyOf: readonly [KeySelector<unknown, unknown>, KeySelector<unknown, unknown>];

  constructor(node: PlanNodeOf<'keyed-co-process'>) {
    super(node.name, node.fn as KeyedFunctionHooks);
    this.fn = node.fn;
    this.keyOf = [keySelectorFor(node, 0), keySelectorFor(node, 1)];
  }

  processBatch(batch: Batch<unknown>, port: number): void {
    const { values, timestamps } = batch;
    const { fn, fctx } = this;
    const keyOf = this.keyOf[port === 1 ? 1 : 0];
    const out = this.rt.buffer.main;
    let i = 0;
    try {
      for (; i < values.length; i++) {
        const value = values[i];
        this.enter(keyOf(value), timestamps[i]);
        if (port === 1) fn.processElement2(value, fctx, out);
        else fn.processElement1(value, fctx, out);
      }
    } catch (cause) {
      throw userFunctionFailed(this.name, values[i], cause);
    }
    this.rt.flush();
  }
}

/**
 * Runs a KeyedCoProcessFunction over two keyed inputs (port 0 and 1) that share keyed state and timers.
 *
 * @example
 * createKeyedCoProcessOperator({ kind: 'keyed-co-process', id: 3, name: 'join', inputs, fn });
 */
export function createKeyedCoProcessOperator(
  node: PlanNodeOf<'keyed-co-process'>,
): Operator<unknown, unknown> {
  return new KeyedCoProcessOperator(node);
}
