import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyedCoProcessFunction } from '../../plan/functions.ts';
import type { ValueState, ValueStateDescriptor } from '../../plan/state.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';

interface Order {
  readonly id: string;
  readonly amount: number;
}
interface Payment {
  readonly orderId: string;
}

const ORDER: ValueStateDescriptor<Order> = { kind: 'value', name: 'order' };

/** Joins orders with payments by order id; an order unpaid 1 s (event time) after it arrived times out. */
function paymentJoin(): KeyedCoProcessFunction<string, Order, Payment, string> {
  let order!: ValueState<Order>;
  return {
    open(ctx) {
      order = ctx.state.getState(ORDER);
    },
    processElement1(value, ctx) {
      order.update(value);
      ctx.timerService.registerEventTimeTimer(ctx.timestamp + 1_000);
    },
    processElement2(payment, ctx, out) {
      const pending = order.value();
      if (pending === undefined) return;
      out.collect(`paid ${payment.orderId} ${pending.amount} (key ${ctx.key})`);
      order.clear();
    },
    onTimer(time, ctx, out) {
      if (order.value() !== undefined) out.collect(`timeout ${ctx.key} at ${time}`);
      order.clear();
    },
  };
}

test('both inputs share keyed state and timers', async () => {
  const h = await OperatorHarness.forKeyedCoProcess(
    paymentJoin(),
    (o: Order) => o.id,
    (p: Payment) => p.orderId,
  );
  h.processElement({ id: 'o1', amount: 5 }, 100, 0);
  h.processElement({ id: 'o2', amount: 7 }, 200, 0);
  h.processElement({ orderId: 'o1' }, 300, 1);
  h.processElement({ orderId: 'nope' }, 300, 1);
  assert.deepEqual(h.outputWithTimestamps(), [{ value: 'paid o1 5 (key o1)', timestamp: 300 }]);
  assert.equal(h.state('o1', ORDER), undefined);
  assert.deepEqual(h.state('o2', ORDER), { id: 'o2', amount: 7 });
  h.processWatermark(1_100); // o1's timer fires, but o1 was paid
  h.processWatermark(1_200);
  assert.deepEqual(h.output(), ['paid o1 5 (key o1)', 'timeout o2 at 1200']);
  assert.deepEqual(h.watermarks(), [1_100, 1_200]);
  assert.equal(h.keyCount(), 0);
  await h.close();
});
