// Starts eddy's broker on a free port and runs librdkafka's allow-listed integration tests against it
// (run.sh beside this file). Extra arguments are test ids, to run a subset. Exits with run.sh's status.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../../../src/broker/index.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'eddy-librdkafka-'));
const broker = await startBroker({
  host: '127.0.0.1',
  port: 0,
  dataDir,
  durability: 'os',
  // librdkafka's tests expect a few partitions on auto-created topics, as its own docs' brokers have.
  defaultPartitions: 4,
  logLevel: (process.env.EDDY_LOG_LEVEL as 'warn' | undefined) ?? 'warn',
});
const child = spawn(
  'bash',
  [join(import.meta.dirname, 'run.sh'), broker.bootstrap, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
const code: number = await new Promise((resolve) => child.on('close', (status) => resolve(status ?? 1)));
await broker.close();
await rm(dataDir, { recursive: true, force: true });
process.exit(code);
