// Starts a real broker on a free loopback port with a fresh data directory, for tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerHandle, type BrokerOptions, startBroker } from '../../src/broker/index.ts';

export interface TestBroker extends BrokerHandle {
  dataDir: string;
  /** Closes the broker and deletes its data directory. */
  stop(): Promise<void>;
}

export async function startTestBroker(options: Partial<BrokerOptions> = {}): Promise<TestBroker> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'eddy-broker-')));
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    durability: 'os',
    logLevel:
      process.env.EDDY_TEST_LOG_LEVEL === undefined ? 'silent' : (process.env.EDDY_TEST_LOG_LEVEL as 'info'),
    ...options,
    dataDir,
  });
  return Object.assign(Object.create(broker) as BrokerHandle, broker, {
    dataDir,
    async stop() {
      await broker.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  });
}
