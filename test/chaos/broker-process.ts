// Runs `eddy broker start` as a child process, so tests can kill it with SIGKILL and start it again.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

const launcher = new URL('../../bin/eddy.js', import.meta.url).pathname;

export interface BrokerProcess {
  child: ChildProcess;
  port: number;
  bootstrap: string;
}

/** A port that was free a moment ago, so a restarted broker can listen where clients expect it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the broker and resolves once it prints its listening line. */
export function startBrokerProcess(
  dataDir: string,
  port: number,
  durability: 'fsync' | 'os',
): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    [
      launcher,
      '--log-level',
      // EDDY_CHAOS_LOG_LEVEL=info shows the broker's group and recovery decisions when a test fails.
      process.env.EDDY_CHAOS_LOG_LEVEL ?? 'warn',
      'broker',
      'start',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--durability',
      durability,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null) =>
      reject(new Error(`broker exited before listening (code ${code})`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (/eddy broker listening on/.test(out)) {
        child.off('exit', onExit);
        resolve({ child, port, bootstrap: `127.0.0.1:${port}` });
      }
    });
  });
}

/** SIGKILL, then wait for the process to be gone. */
export async function killHard(broker: BrokerProcess): Promise<void> {
  if (broker.child.exitCode !== null || broker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => broker.child.once('exit', resolve));
  broker.child.kill('SIGKILL');
  await exited;
}
