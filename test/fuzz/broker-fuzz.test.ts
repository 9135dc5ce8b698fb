// The broker survives bad input (issue 3, "Bad input"): random and mutated frames for every API and
// version it serves get a decodable answer or a logged close, never a throw; other connections keep
// working and stored data stays intact, also across a restart.
//
// Seeded: the seed is printed; EDDY_FUZZ_SEED=<n> replays a run, EDDY_FUZZ_CASES=<n> scales it.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { HANDLERS } from '../../src/broker/handlers/registry.ts';
import type { ConnectionInfo } from '../../src/broker/server/connection.ts';
import { createDispatcher } from '../../src/broker/server/dispatch.ts';
import { seededRandom } from '../../src/protocol/codec/random-value.ts';
import { API_VERSIONS_SCHEMA, peekRequestHeader } from '../../src/protocol/index.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { CONFIGURED_TOPICS, caseGenerator, type FuzzMemory } from './fuzz-cases.ts';
import { type CapturingLogger, capturingLogger, checkOutcome, RawConnection, Tally } from './fuzz-support.ts';
import { Canary, createTopic, dispatcherAsk, socketAsk, verifyEveryTopic } from './stored-data.ts';

const SEED = Number(process.env.EDDY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const CASES = Number(process.env.EDDY_FUZZ_CASES ?? 100_000);
const SOCKET_FRAMES = Math.max(200, Math.round(CASES / 50));
const LANES = 8;
const MAX_REQUEST_BYTES = 1 << 20;

console.log(`broker fuzz: seed ${SEED} (replay with EDDY_FUZZ_SEED=${SEED}), ${CASES} in-process cases`);

let broker: TestBroker;
let capture: CapturingLogger;
const crashes: unknown[] = [];
const onCrash = (error: unknown): void => {
  crashes.push(error);
};
const memory: FuzzMemory = { members: [] };
const failures: string[] = [];
/** Dispatcher calls still running after their lane moved on (long polls, parked joins), by request. */
const pending = new Map<Promise<void>, string>();
// Not in the fuzz name pools, and no mutation of a pool name by a few bytes spells it.
const canary = new Canary('eddy-canary-ledger');

before(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  capture = capturingLogger();
  broker = await startTestBroker({
    logger: capture.logger,
    maxRequestBytes: MAX_REQUEST_BYTES,
    // Short sessions, so members the fuzz leaves behind expire and parked joins finish quickly.
    groups: { minSessionTimeoutMs: 5, maxSessionTimeoutMs: 300, newMemberJoinTimeoutMs: 300 },
  });
});

after(async () => {
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
  await broker?.close();
  if (broker !== undefined) await rm(broker.dataDir, { recursive: true, force: true });
});

/** `Name vN` of a request. */
function apiName(apiKey: number, apiVersion: number): string {
  return `${HANDLERS.find((h) => h.schema.apiKey === apiKey)?.schema.name ?? apiKey} v${apiVersion}`;
}

function describe(frame: Buffer): string {
  const { apiKey, apiVersion } = peekRequestHeader(frame);
  return apiName(apiKey, apiVersion);
}

function healthy(): void {
  assert.deepEqual(capture.errors, [], 'error lines mean a handler or a timer threw');
  assert.deepEqual(crashes, []);
}

test(`in-process: ${CASES} fuzz cases through the broker's dispatcher`, async () => {
  const dispatch = createDispatcher(HANDLERS, broker.state, capture.logger);
  const ask = dispatcherAsk(dispatch);
  await canary.create(ask);
  await canary.produce(ask, 5);
  for (const { name, configs } of CONFIGURED_TOPICS) await createTopic(ask, name, configs);
  const served = broker.state.supportedApis;
  const next = caseGenerator(served, seededRandom(SEED), memory);
  const tally = new Tally();
  const answered = new Set<string>();
  let started = 0;
  const startedAt = Date.now();

  const runCase = async (index: number): Promise<void> => {
    const { kind, frame } = next();
    // Ids far above those of real sockets, so a close logged for one is never taken for the other.
    const info: ConnectionInfo = {
      id: 1e9 + index,
      remote: '127.0.0.1:1',
      closeAfterResponse: false,
      responsesWritten: async () => true,
    };
    const fail = (what: string): void => {
      failures.push(`case ${index} (${kind}): ${what}\n    frame ${frame.toString('hex')}`);
      tally.add(kind, 'FAILED');
    };
    let done = false;
    const settled = (async () => {
      let result: Buffer | null;
      try {
        result = await (await dispatch(frame, info)).response;
      } catch (error) {
        return fail(`dispatcher threw ${(error as Error)?.stack ?? error}`);
      } finally {
        done = true;
      }
      try {
        const logged = capture.closeLogged.has(info.id);
        const outcome = checkOutcome(frame, result, info.closeAfterResponse, logged, served, memory);
        tally.add(kind, outcome);
        if (outcome === 'response') answered.add(describe(frame));
      } catch (error) {
        fail((error as Error).message);
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, 50)))]);
    clearTimeout(timer);
    if (!done) {
      tally.add(kind, 'slow');
      pending.set(settled, describe(frame));
      void settled.then(() => pending.delete(settled));
    }
  };

  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (started < CASES) await runCase(started++);
    }),
  );
  await canary.produce(ask, 3);
  await canary.verify(ask);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  tally.print(`in-process: ${CASES} cases in ${seconds} s (slow: still running after 50 ms, checked later)`);
  console.log(`  still running: ${pending.size}; topics now: ${broker.state.topics.list().length}`);
  assert.deepEqual(failures.slice(0, 10), [], `seed ${SEED}: ${failures.length} failures`);
  if (CASES >= 20_000) {
    // Every served version of every API was answered at least once, so the mutations reached handlers.
    const missing = served.flatMap((api) =>
      Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) =>
        apiName(api.apiKey, api.minVersion + i),
      ).filter((name) => !answered.has(name)),
    );
    assert.deepEqual(missing, []);
  }
  healthy();
});

test(`sockets: ${SOCKET_FRAMES} fuzz frames on 4 connections while a canary produces and fetches`, async () => {
  const next = caseGenerator(broker.state.supportedApis, seededRandom(SEED ^ 0x5eed), memory);
  const rand = seededRandom(SEED ^ 0xabad);
  const tally = new Tally();
  const problems: string[] = [];
  const closeLinesBefore = capture.closeLines;
  let sent = 0;
  let stray = 0;
  let fuzzing = true;

  const sizePrefixed = (frame: Buffer, size = frame.length): Buffer[] => {
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(size);
    return [prefix, frame];
  };
  const worker = async (): Promise<void> => {
    let conn = await RawConnection.open(broker.port);
    const reconnect = async (): Promise<void> => {
      stray += conn.strayAnswers;
      conn.close();
      conn = await RawConnection.open(broker.port);
    };
    while (sent < SOCKET_FRAMES) {
      const roll = rand();
      if (roll < 0.1) {
        // A size the broker must refuse before reading the body: too large or negative.
        sent++;
        const sizes = [MAX_REQUEST_BYTES + 1, 2 ** 31 - 1, -1, -(2 ** 31), -Math.ceil(rand() * 1e6)];
        const size = sizes[Math.floor(rand() * sizes.length)];
        await conn.write(Buffer.concat(sizePrefixed(Buffer.alloc(Math.floor(rand() * 32), 7), size)), []);
        await conn.waitFor(Number.POSITIVE_INFINITY, 2000);
        tally.add('absurd-size', conn.closed ? 'closed' : 'OPEN');
        if (!conn.closed) problems.push(`size prefix ${size} did not close the connection`);
        await reconnect();
      } else if (roll < 0.13) {
        // Part of a frame, then the client goes away.
        sent++;
        const { frame } = next();
        await conn.write(Buffer.concat(sizePrefixed(frame, frame.length + 10)), []);
        tally.add('partial-frame', 'hung-up');
        await reconnect();
      } else {
        // One to three frames at once: pipelined requests are answered in order.
        const cases = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => next());
        sent += cases.length;
        const ids = cases
          .filter((c) => c.frame.length >= 8)
          .map((c) => peekRequestHeader(c.frame).correlationId);
        const before = conn.responses;
        const bytes = Buffer.concat(cases.flatMap((c) => sizePrefixed(c.frame)));
        // Now and then in pieces, so frames (and size prefixes) straddle reads.
        const cuts = rand() < 0.3 ? [1, 2, 3].map(() => Math.floor(rand() * bytes.length)) : [];
        await conn.write(bytes, ids, cuts);
        await conn.waitFor(before + cases.length, 100);
        const outcome = conn.closed
          ? 'closed'
          : conn.responses >= before + cases.length
            ? 'answered'
            : 'waiting';
        for (const c of cases) tally.add(c.kind, outcome);
        if (outcome !== 'answered') await reconnect();
      }
    }
    stray += conn.strayAnswers;
    conn.close();
  };

  const canarySocket = await KafkaSocket.open('127.0.0.1', broker.port);
  const ask = socketAsk(canarySocket);
  let rounds = 0;
  const canaryLoop = async (): Promise<void> => {
    while (fuzzing) {
      await canary.produce(ask, 1 + Math.floor(rand() * 5));
      if (++rounds % 10 === 0) await canary.verify(ask);
    }
  };
  const canaryDone = canaryLoop();
  await Promise.all(Array.from({ length: 4 }, worker));
  fuzzing = false;
  await canaryDone;
  await canary.verify(ask);
  canarySocket.close();

  const fresh = await KafkaSocket.open('127.0.0.1', broker.port);
  const versions = await fresh.request<{ errorCode: number; apiKeys: unknown[] }>(API_VERSIONS_SCHEMA, 3, {
    clientSoftwareName: 'fuzz',
    clientSoftwareVersion: '1',
  });
  fresh.close();
  tally.print(`sockets: ${sent} frames; canary: ${canary.values.length} records in ${rounds} rounds`);
  assert.equal(versions.errorCode, 0);
  assert.equal(versions.apiKeys.length, broker.state.supportedApis.length);
  assert.deepEqual(problems, []);
  assert.ok(
    capture.closeLines - closeLinesBefore >= tally.get('absurd-size', 'closed'),
    'closes without a log line',
  );
  assert.equal(stray, 0, 'answers carried correlation ids that were never sent on their connection');
  healthy();
});

test('restart: every request settles, and stored data survives intact', async () => {
  // Long polls and rebalances the fuzz asked to last long may still be waiting; close() must end them.
  const waiting = new Map<string, number>();
  for (const what of pending.values()) waiting.set(what, (waiting.get(what) ?? 0) + 1);
  console.log(`still running before close: ${JSON.stringify(Object.fromEntries(waiting))}`);
  await broker.close();
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    Promise.all(pending.keys()).then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000))),
  ]);
  clearTimeout(timer);
  assert.ok(settled, `${pending.size} dispatcher calls still running 5 s after the broker closed`);
  assert.deepEqual(failures.slice(0, 10), [], `seed ${SEED}: ${failures.length} failures`);

  broker = await startTestBroker({ dataDir: broker.dataDir, logger: capture.logger });
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  const ask = socketAsk(socket);
  await canary.verify(ask);
  await canary.produce(ask, 2);
  await canary.verify(ask);
  const topics = broker.state.topics.list();
  const batches = await verifyEveryTopic(ask, topics);
  socket.close();
  console.log(`after restart: ${batches} stored batches in ${topics.length} topics read back CRC-valid`);
  healthy();
});
