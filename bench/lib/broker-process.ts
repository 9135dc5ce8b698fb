// Runs eddy's broker in its own Node process for a benchmark (bench/lib/broker-server.ts), so broker
// and client compete for the cores as they would in a real deployment.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SERVER = join(import.meta.dirname, 'broker-server.ts');

/** A broker process started by `startBrokerProcess`. */
export interface BrokerProcess {
  bootstrap: string;
  pid: number;
  dataDir: string;
  /** Sends a command line to the server (see broker-server.ts) and resolves with its JSON answer. */
  command(line: string): Promise<Record<string, unknown>>;
  /** Closes the broker (flushing its logs) and waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: nothing flushed, no clean-shutdown marker) and waits for the process to exit. */
  kill(): Promise<void>;
}

/**
 * Spawns the broker on a free 127.0.0.1 port with `dataDir` and durability `mode`; `nodeArgs` go to
 * node before the script; auto-created topics get `partitions` partitions. Resolves once it listens.
 *
 * @example
 * const broker = await startBrokerProcess('/tmp/d', 'os');
 * await broker.stop();
 */
export async function startBrokerProcess(
  dataDir: string,
  mode: 'fsync' | 'os',
  nodeArgs: readonly string[] = [],
  partitions = 1,
): Promise<BrokerProcess> {
  // stdin stays open: the server stops when it closes, so a crashed bench leaves no broker behind.
  const child = spawn(process.execPath, [...nodeArgs, SERVER, dataDir, mode, `${partitions}`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = lineReader(child);
  const nextLine = (): Promise<Record<string, unknown>> =>
    Promise.race([
      lines(),
      exited.then((code): never => {
        throw new Error(`broker process exited with ${code}`);
      }),
    ]);
  const { port } = await nextLine();
  return {
    bootstrap: `127.0.0.1:${port}`,
    pid: child.pid!,
    dataDir,
    async command(line) {
      child.stdin!.write(`${line}\n`);
      const answer = await nextLine();
      if (typeof answer.error === 'string') throw new Error(`broker ${line}: ${answer.error}`);
      return answer;
    },
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Returns a function that resolves with the next JSON line the child prints, in order. */
function lineReader(child: ChildProcess): () => Promise<Record<string, unknown>> {
  const ready: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return; // e.g. V8 diagnostics from a node flag
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else ready.push(line);
  });
  return async () => {
    const line = ready.shift() ?? (await new Promise<string>((resolve) => waiting.push(resolve)));
    return JSON.parse(line) as Record<string, unknown>;
  };
}

/** Bytes in the `.log` segment files of partition 0 of `topic`: what the broker wrote for it. */
export function logBytes(dataDir: string, topic: string): number {
  const dir = join(dataDir, `${topic}-0`);
  let total = 0;
  for (const name of readdirSync(dir)) if (name.endsWith('.log')) total += statSync(join(dir, name)).size;
  return total;
}
