// confluent-kafka-python (Debian's, on librdkafka 2.0.2) consumer groups against eddy's broker: three
// members join and leave, each partition has one owner per generation, and committed offsets resume;
// a member killed without leaving is expired after its session timeout and its partitions taken over.
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { runCrashScenario } from '../support/crash-scenario.ts';
import { runGroupScenario } from '../support/group-scenario.ts';
import { jsonEvent, startProcessMember } from '../support/process-member.ts';
import { findPython } from '../support/python.ts';

const python = findPython('confluent_kafka');
const skip =
  python === null
    ? 'confluent-kafka is not installed (Debian package "python3-confluent-kafka"; .ci/install-debian.sh)'
    : false;

let broker: TestBroker;

before(async () => {
  if (python !== null) broker = await startTestBroker({ groups: { minSessionTimeoutMs: 1000 } });
});
after(async () => {
  await broker?.stop();
});

function member(name: string, group: string, topic: string, sessionTimeoutMs = 6000) {
  return startProcessMember(name, {
    command: python as string,
    args: [join(import.meta.dirname, 'member.py')],
    env: {
      EDDY_BOOTSTRAP: broker.bootstrap,
      EDDY_GROUP: group,
      EDDY_TOPIC: topic,
      EDDY_SESSION_TIMEOUT_MS: String(sessionTimeoutMs),
    },
    stdout: jsonEvent,
  });
}

test(
  'three confluent-kafka members join, leave and resume from committed offsets',
  { skip, timeout: 30_000 },
  () =>
    runGroupScenario({
      broker,
      group: 'ck-group',
      topic: 'ck-orders',
      start: (name) => member(name, 'ck-group', 'ck-orders'),
    }),
);

test(
  'a killed confluent-kafka member is expired and its partitions taken over',
  { skip, timeout: 30_000 },
  () =>
    runCrashScenario({
      broker,
      group: 'ck-crash',
      topic: 'ck-crash-orders',
      start: (name) => member(name, 'ck-crash', 'ck-crash-orders', 1500),
    }),
);
