// kcat -G with librdkafka's cooperative-sticky assignor (incremental rebalancing: members keep what
// they own and give up only what moves, over two rebalances) against eddy's broker, in the same
// three-members-join-and-leave scenario as the eager groups.
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { runGroupScenario } from '../support/group-scenario.ts';
import { kcatMissing, startKcatMember } from './kcat.ts';

const skip = kcatMissing() ?? false;

let broker: TestBroker;

before(async () => {
  if (skip === false) broker = await startTestBroker({ groups: { minSessionTimeoutMs: 1000 } });
});
after(async () => {
  await broker?.stop();
});

test('three cooperative-sticky kcat members join, leave and resume', { skip, timeout: 30_000 }, () =>
  runGroupScenario({
    broker,
    group: 'kcat-coop',
    topic: 'kcat-coop-orders',
    start: (name) =>
      startKcatMember(name, broker, 'kcat-coop', 'kcat-coop-orders', [
        ...['-X', 'partition.assignment.strategy=cooperative-sticky', '-X', 'session.timeout.ms=6000'],
      ]),
  }),
);
