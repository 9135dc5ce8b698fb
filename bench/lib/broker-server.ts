// The broker process of `npm run bench -- broker`: starts eddy's broker on a free loopback port and
// prints one JSON line `{"port":N}` on stdout when it listens. It lives in bench/lib/ so run-bench does
// not list it as a benchmark.
//
//   node bench/lib/broker-server.ts <dataDir> <fsync|os> [partitions]
//
// Commands on stdin, one per line, each answered by one JSON line on stdout:
//   profile-start <intervalMicros>   start V8's CPU profiler (only the load is profiled, not startup)
//                                    and start counting garbage collections
//   profile-stop <file>              stop both, write the .cpuprofile to <file>; answers the GC tally
// The broker stops cleanly when stdin closes (so a crashed bench never leaves it behind) or on SIGTERM.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startBroker } from '../../src/broker/index.ts';
import type { Durability } from '../../src/broker/storage/log-config.ts';

const [dataDir, mode = 'fsync', partitions = '1'] = process.argv.slice(2);
if (!dataDir || (mode !== 'fsync' && mode !== 'os')) {
  process.stderr.write('usage: node bench/lib/broker-server.ts <dataDir> <fsync|os> [partitions]\n');
  process.exit(2);
}

const broker = await startBroker({
  host: '127.0.0.1',
  port: 0,
  dataDir,
  durability: mode as Durability,
  defaultPartitions: Number(partitions),
  logLevel: 'warn',
});
const reply = (value: object): boolean => process.stdout.write(`${JSON.stringify(value)}\n`);
reply({ port: broker.port });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await broker.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

const session = new Session();
// GC kinds as Node reports them; pause time is the entry's duration (main thread stopped).
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
let gc: Record<string, number> = {};
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { detail } = entry as PerformanceEntry & { detail?: { kind: number } };
    const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
    gc[kind] = (gc[kind] ?? 0) + 1;
    gc[`${kind}Ms`] = (gc[`${kind}Ms`] ?? 0) + entry.duration;
  }
});
const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => void run(line.trim().split(/\s+/)));
commands.on('close', () => void stop());

async function run([command, arg]: string[]): Promise<void> {
  try {
    if (command === 'profile-start') {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: Number(arg) || 1000 });
      await session.post('Profiler.start');
      gc = {};
      gcObserver.observe({ entryTypes: ['gc'] });
      reply({ ok: command });
    } else if (command === 'profile-stop') {
      const { profile } = await session.post('Profiler.stop');
      gcObserver.disconnect();
      await writeFile(arg, JSON.stringify(profile));
      session.disconnect();
      reply({ ok: command, gc });
    } else {
      throw new Error(`unknown command '${command}'`);
    }
  } catch (error) {
    reply({ error: (error as Error).message });
  }
}
