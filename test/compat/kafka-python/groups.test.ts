// kafka-python 2.0.2 (Debian's) consumer groups against eddy's broker: three KafkaConsumers with a
// group_id join and leave, each partition has one owner per generation, and committed offsets resume;
// a member killed without leaving is expired after its session timeout and its partitions taken over.
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { runCrashScenario } from '../support/crash-scenario.ts';
import { runGroupScenario } from '../support/group-scenario.ts';
import { jsonEvent, startProcessMember } from '../support/process-member.ts';
import { findPython } from '../support/python.ts';

const python = findPython('kafka');
const skip =
  python === null
    ? 'kafka-python is not installed (Debian package "python3-kafka"; .ci/install-debian.sh)'
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
  'three kafka-python members join, leave and resume from committed offsets',
  { skip, timeout: 30_000 },
  () =>
    runGroupScenario({
      broker,
      group: 'kp-group',
      topic: 'kp-orders',
      start: (name) => member(name, 'kp-group', 'kp-orders'),
    }),
);

test('a killed kafka-python member is expired and its partitions taken over', { skip, timeout: 30_000 }, () =>
  runCrashScenario({
    broker,
    group: 'kp-crash',
    topic: 'kp-crash-orders',
    start: (name) => member(name, 'kp-crash', 'kp-crash-orders', 1500),
  }),
);
