// The restart section of `npm run bench -- broker`: how long `eddy broker start` takes on a data
// directory holding ~1 GB of log, after a kill -9 in the middle of writing it and after a clean stop.
// The log is written through the broker by rdkafka_performance (os mode, 1 KiB records, several
// partitions), and the broker process is killed as soon as its `.log` files pass the target size, so
// the crash lands mid-write. Each start is timed from spawn to its "listening" line and to the first
// answered Fetch; the broker's own log lines (pino `time` stamps) split the start into phases.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startBrokerProcess } from './broker-process.ts';
import { fetchProbe } from './fetch-probe.ts';
import { processCpuSeconds } from './proc-cpu.ts';

const LAUNCHER = join(import.meta.dirname, '..', '..', 'bin', 'eddy.js');
const TOPIC = 'bench-restart';

/** What `measureRestart` fills the broker with, and where. */
export interface RestartBenchOptions {
  /** Scratch directory (the caller deletes it). */
  base: string;
  /** Log bytes to write before the kill. */
  targetBytes: number;
  partitions: number;
  /** Record size of the fill. */
  size: number;
  /** librdkafka producer properties for the fill. */
  config: readonly string[];
  say: (line: string) => void;
}

/** Timings of one `eddy broker start`, in ms from spawn. */
export interface StartTiming {
  listenMs: number;
  fetchMs: number;
  /** CPU seconds the broker process used up to the answered Fetch. */
  cpuSeconds: number;
  /** Sum of the high watermarks the Fetch reported: records the broker serves. */
  records: number;
  phases: StartupPhases;
}

/** What the broker's startup log lines say, relative to the spawn. */
export interface StartupPhases {
  /** Log line 'group coordinator loaded': Node started, modules loaded, every log opened and recovered. */
  logsAndGroupsLoadedMs?: number;
  /** From 'producer state loaded': time spent loading snapshots and replaying batch headers. */
  producerStateMs?: number;
  batchesReplayed?: number;
  /** Log line 'broker started': listening, just before the CLI prints its line. */
  startedMs?: number;
}

/**
 * Fills a broker with `targetBytes` of log, kills it with SIGKILL mid-write, then times a restart, a
 * clean stop and another start (and, for reference, a start on an empty directory). Returns metrics
 * keyed `restart.*`.
 *
 * @example
 * const m = await measureRestart(tool, { base: '/tmp/b', targetBytes: 1e9, partitions: 4, size: 1024,
 *   config: ['linger.ms=10'], say: console.error });
 */
export async function measureRestart(
  tool: string,
  options: RestartBenchOptions,
): Promise<Record<string, number>> {
  const { base, targetBytes, partitions, size, say } = options;
  const metrics: Record<string, number> = {
    'restart.targetBytes': targetBytes,
    'restart.partitions': partitions,
    'restart.recordBytes': size,
  };
  const put = (prefix: string, t: StartTiming): void => {
    metrics[`${prefix}.listenMs`] = Math.round(t.listenMs);
    metrics[`${prefix}.fetchMs`] = Math.round(t.fetchMs);
    metrics[`${prefix}.cpuSeconds`] = t.cpuSeconds;
    for (const [name, value] of Object.entries(t.phases)) metrics[`${prefix}.${name}`] = Math.round(value);
  };

  // Node's own start and module loading, with nothing to recover: the floor of every start below.
  const empty = await timeBrokerStart(join(base, 'restart-empty'), false);
  put('restart.empty', empty);
  say(`restart: empty data directory: listening after ${Math.round(empty.listenMs)} ms`);

  const dataDir = join(base, 'restart');
  const fill = await fillAndKill(tool, dataDir, options);
  const before = logFiles(dataDir);
  metrics['restart.logBytes'] = before.bytes;
  metrics['restart.segments'] = before.segments;
  metrics['restart.fillMbPerSec'] = Math.round(fill.bytes / 1e3 / fill.ms);
  say(
    `restart: wrote ${(before.bytes / 1e6).toFixed(0)} MB in ${before.segments} segments of ${partitions} ` +
      `partitions at ${metrics['restart.fillMbPerSec']} MB/s, then kill -9 of the broker`,
  );

  const crashed = await timeBrokerStart(dataDir, true);
  put('restart.kill9', crashed);
  const after = logFiles(dataDir);
  metrics['restart.kill9.truncatedBytes'] = before.bytes - after.bytes;
  metrics['restart.kill9.records'] = crashed.records;
  say(
    `restart after kill -9: listening after ${Math.round(crashed.listenMs)} ms, first Fetch answered after ` +
      `${Math.round(crashed.fetchMs)} ms (${crashed.cpuSeconds} CPU-s; producer state ` +
      `${crashed.phases.producerStateMs ?? '?'} ms); ${crashed.records} records, ` +
      `${before.bytes - after.bytes} bytes of torn tail cut`,
  );

  const clean = await timeBrokerStart(dataDir, true);
  put('restart.clean', clean);
  say(
    `restart after a clean stop: listening after ${Math.round(clean.listenMs)} ms, first Fetch answered ` +
      `after ${Math.round(clean.fetchMs)} ms`,
  );
  return metrics;
}

/** Writes through a broker until its logs pass `targetBytes`, then SIGKILLs it (and the client). */
async function fillAndKill(
  tool: string,
  dataDir: string,
  options: RestartBenchOptions,
): Promise<{ bytes: number; ms: number }> {
  const { targetBytes, partitions, size, config } = options;
  const broker = await startBrokerProcess(dataDir, 'os', [], partitions);
  // Twice the records needed, so the client is still writing at the kill. No `-p`: librdkafka's
  // partitioner spreads keyless records over every partition.
  const count = Math.ceil((2 * targetBytes) / size);
  const client = spawn(
    tool,
    [
      ...['-P', '-t', TOPIC, '-b', broker.bootstrap, '-s', `${size}`, '-c', `${count}`, '-a', '-1'],
      ...config.flatMap((c) => ['-X', c]),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let clientError = '';
  client.stderr!.on('data', (chunk: Buffer) => {
    clientError = (clientError + chunk.toString()).slice(-2000);
  });
  const clientExited = new Promise<number | null>((resolve) => client.on('exit', (code) => resolve(code)));
  let done = false;
  void clientExited.then(() => {
    done = true;
  });
  const started = performance.now();
  try {
    while (logFiles(dataDir).bytes < targetBytes) {
      if (done) throw new Error(`the fill client exited before ${targetBytes} bytes:\n${clientError}`);
      if (performance.now() - started > 300_000) throw new Error('the fill did not reach its size in 5 min');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ms = performance.now() - started;
    await broker.kill();
    return { bytes: logFiles(dataDir).bytes, ms };
  } finally {
    await broker.kill();
    client.kill('SIGKILL');
    await clientExited;
  }
}

/**
 * Starts `eddy broker start` on `dataDir` (os mode, a free port, log level info; `nodeArgs` go to node,
 * e.g. `--cpu-prof`), waits for its listening line, Fetches offset 0 of every partition of the bench
 * topic (`probe`), then stops it cleanly.
 *
 * @example
 * const t = await timeBrokerStart('/tmp/data', true);
 */
export async function timeBrokerStart(
  dataDir: string,
  probe: boolean,
  nodeArgs: readonly string[] = [],
): Promise<StartTiming> {
  const wallStart = Date.now();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      ...[LAUNCHER, '--log-level', 'info', 'broker', 'start', '--host', '127.0.0.1', '--port', '0'],
      ...['--data-dir', dataDir, '--durability', 'os'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    const port = await listeningPort(child);
    const listenMs = performance.now() - t0;
    let records = 0;
    if (probe) {
      for (const p of await fetchProbe('127.0.0.1', port, TOPIC, allPartitions(dataDir))) {
        if (p.errorCode !== 0)
          throw new Error(`Fetch of partition ${p.partition} answered error ${p.errorCode}`);
        records += p.highWatermark;
      }
    }
    const fetchMs = performance.now() - t0;
    const cpuSeconds = processCpuSeconds(child.pid!);
    return { listenMs, fetchMs, cpuSeconds, records, phases: startupPhases(stderr, wallStart) };
  } finally {
    await stopChild(child);
  }
}

/** Resolves with the port from the CLI's "eddy broker listening on host:port" line. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null) => reject(new Error(`eddy broker start exited with ${code}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /eddy broker listening on \S+:(\d+)/.exec(out);
      if (m) {
        child.off('exit', onExit);
        resolve(Number(m[1]));
      }
    });
  });
}

/** SIGTERM (a clean stop: logs flushed, clean-shutdown marker written) and waits for the exit. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The phases of a start from the broker's JSON log lines (pino: `time` in epoch ms, `msg`), relative to
 * `wallStart`, the wall-clock time of the spawn.
 */
export function startupPhases(logText: string, wallStart: number): StartupPhases {
  const phases: StartupPhases = {};
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { time?: number; msg?: string; ms?: number; batchesReplayed?: number };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof entry.time !== 'number') continue;
    const at = entry.time - wallStart;
    if (entry.msg === 'group coordinator loaded') phases.logsAndGroupsLoadedMs = at;
    else if (entry.msg === 'broker started') phases.startedMs = at;
    else if (entry.msg === 'producer state loaded') {
      phases.producerStateMs = entry.ms;
      phases.batchesReplayed = entry.batchesReplayed;
    }
  }
  return phases;
}

/** Partition numbers of the bench topic found in `dataDir`. */
function allPartitions(dataDir: string): number[] {
  return readdirSync(dataDir)
    .filter((name) => name.startsWith(`${TOPIC}-`))
    .map((name) => Number(name.slice(TOPIC.length + 1)))
    .sort((a, b) => a - b);
}

/** Total size and number of the `.log` segment files of the bench topic. */
function logFiles(dataDir: string): { bytes: number; segments: number } {
  let bytes = 0;
  let segments = 0;
  let dirs: string[];
  try {
    dirs = readdirSync(dataDir).filter((name) => name.startsWith(`${TOPIC}-`));
  } catch {
    return { bytes, segments };
  }
  for (const dir of dirs) {
    for (const name of readdirSync(join(dataDir, dir))) {
      if (!name.endsWith('.log')) continue;
      segments++;
      bytes += statSync(join(dataDir, dir, name)).size;
    }
  }
  return { bytes, segments };
}
