// kcat's balanced consumer (-G, librdkafka 2.0.2) against eddy's broker: three kcat processes join and
// leave a group, each partition has one owner per generation (checked on the SyncGroup answers the
// broker sent), and offsets kcat auto-commits are where restarted members resume; a kcat killed without
// leaving is expired after its session timeout and its partitions taken over.
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { runCrashScenario } from '../support/crash-scenario.ts';
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

function member(name: string, group: string, topic: string, sessionTimeoutMs = 6000) {
  return startKcatMember(name, broker, group, topic, ['-X', `session.timeout.ms=${sessionTimeoutMs}`]);
}

test('three kcat -G members join, leave and resume from committed offsets', { skip, timeout: 30_000 }, () =>
  runGroupScenario({
    broker,
    group: 'kcat-group',
    topic: 'kcat-orders',
    start: (name) => member(name, 'kcat-group', 'kcat-orders'),
  }),
);

test('a killed kcat -G member is expired and its partitions taken over', { skip, timeout: 30_000 }, () =>
  runCrashScenario({
    broker,
    group: 'kcat-crash',
    topic: 'kcat-crash-orders',
    start: (name) => member(name, 'kcat-crash', 'kcat-crash-orders', 1500),
  }),
);
