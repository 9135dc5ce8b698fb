// Regression: a JoinGroup listing one protocol name twice counted that member twice for the protocol,
// so no protocol looked supported by every member. Choosing the generation's protocol then threw inside
// a group timer and the JoinGroup was never answered; a later member naming the protocol once was
// refused INCONSISTENT_GROUP_PROTOCOL. Found by test/fuzz/broker-fuzz.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { JOIN_GROUP_SCHEMA } from '../../src/protocol/messages/index.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';

interface JoinAnswer {
  errorCode: number;
  generationId: number;
  protocolName: string;
  memberId: string;
}

let broker: TestBroker;
const sockets: KafkaSocket[] = [];

before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  for (const socket of sockets) socket.close();
  await broker.stop();
});

async function join(memberId: string, names: string[]): Promise<JoinAnswer> {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  sockets.push(socket);
  const protocols = names.map((name) => ({ name, metadata: Buffer.from(name) }));
  const answer = socket.request<JoinAnswer>(JOIN_GROUP_SCHEMA, 3, {
    groupId: 'dup-protocols',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 2000,
    memberId,
    protocolType: 'consumer',
    protocols,
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`JoinGroup ${memberId || '(new)'} was never answered`)), 4000);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

test('a member naming a protocol twice joins, and others naming it once join with it', {
  timeout: 15_000,
}, async () => {
  const first = await join('', ['range', 'range']);
  assert.deepEqual([first.errorCode, first.protocolName, first.generationId], [0, 'range', 1]);

  const second = join('', ['range']);
  const rejoin = join(first.memberId, ['range', 'range']);
  const answers = await Promise.all([second, rejoin]);
  for (const answer of answers) {
    assert.deepEqual([answer.errorCode, answer.protocolName, answer.generationId], [0, 'range', 2]);
  }
});
