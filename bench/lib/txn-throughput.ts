// The transaction section of `npm run bench -- broker`: produce throughput of a transactional producer
// that commits every 100 ms, as a ratio of the same client producing as a plain idempotent producer,
// same record size, same batching, same broker durability. rdkafka_performance (librdkafka 2.0.2) has
// no transactional mode, so the client is confluent-kafka-python on the same librdkafka
// (bench/lib/txn_produce.py); its Python produce() loop makes it slower than rdkafka_performance, which
// is why only the ratio between its own two producers is the figure. The two take turns in slots inside
// one client process, so that other jobs on a shared machine slow both alike.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startBrokerProcess } from './broker-process.ts';
import { percentile } from './rdkafka-perf.ts';

const SCRIPT = join(import.meta.dirname, 'txn_produce.py');

/** A Python that imports confluent_kafka and what it runs on, or why there is none. */
export type PythonLookup = { path: string; client: string } | { error: string };

/** The two producers compared: plain idempotent, and transactional. */
export type TxnKind = 'idempotent' | 'transactional';

/** One slot of txn_produce.py: one producer's turn, with the CPU seconds used over it. */
export interface TxnSlot {
  mode: TxnKind;
  messages: number;
  ms: number;
  transactions: number;
  commitMs: number[];
  errors: number;
  clientCpu: number;
  brokerCpu: number;
}

/** All slots of a kind, pooled: rates over their total time, commit times of every transaction. */
export interface TxnSummary {
  messages: number;
  msgsPerSec: number;
  mbPerSec: number;
  transactions: number;
  commitP50Ms: number;
  commitP99Ms: number;
  commitMaxMs: number;
  brokerCores: number;
  clientCores: number;
}

/** How `measureTransactions` runs: client, modes, slot length and count, record size, commit interval. */
export interface TxnBenchOptions {
  python: string;
  /** Scratch directory for the brokers' data (the caller deletes it). */
  base: string;
  modes: readonly ('os' | 'fsync')[];
  /** Seconds of load per slot. */
  seconds: number;
  /** Pairs of slots (one of each kind); the figure is the median of the pairs' ratios. */
  pairs: number;
  size: number;
  intervalMs: number;
  say: (line: string) => void;
}

/**
 * Finds /usr/bin/python3 or python3 able to import confluent_kafka (Debian's python3-confluent-kafka
 * lives in the system Python; a pyenv python3 earlier on PATH cannot import it).
 *
 * @example
 * const py = findConfluentPython();
 * if ('error' in py) console.error(py.error);
 */
export function findConfluentPython(): PythonLookup {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      const versions = execFileSync(
        candidate,
        ['-c', 'import confluent_kafka as c; print(c.version()[0], c.libversion()[0])'],
        { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] },
      ).trim();
      const [client, lib] = versions.split(' ');
      return { path: candidate, client: `confluent-kafka ${client} (librdkafka ${lib})` };
    } catch {
      // try the next one
    }
  }
  return { error: 'no python3 can import confluent_kafka (Debian package python3-confluent-kafka)' };
}

/**
 * Measures, per durability mode, idempotent and transactional produce against one broker per mode and
 * returns metrics keyed `txn.<mode>.<idempotent|transactional>.*` (the kind's slots pooled) and
 * `txn.<mode>.ratio` (the median of the per-pair ratios, with `ratioMin`/`ratioMax`).
 *
 * @example
 * const m = await measureTransactions({ python: '/usr/bin/python3', base: '/tmp/b', modes: ['os'],
 *   seconds: 2, pairs: 5, size: 100, intervalMs: 100, say: console.error });
 */
export async function measureTransactions(options: TxnBenchOptions): Promise<Record<string, number>> {
  const { python, base, modes, seconds, pairs, size, intervalMs, say } = options;
  const metrics: Record<string, number> = { 'txn.recordBytes': size, 'txn.intervalMs': intervalMs };
  const round3 = (v: number): number => Math.round(v * 1000) / 1000;
  for (const mode of modes) {
    const dataDir = join(base, `txn-${mode}`);
    const broker = await startBrokerProcess(dataDir, mode);
    try {
      const slots = runTxnClient(python, {
        EDDY_BOOTSTRAP: broker.bootstrap,
        EDDY_TOPIC: `bench-txn-${mode}`,
        EDDY_SIZE: `${size}`,
        EDDY_SECONDS: `${seconds}`,
        EDDY_PAIRS: `${pairs}`,
        EDDY_TXN_INTERVAL_MS: `${intervalMs}`,
        EDDY_BROKER_PID: `${broker.pid}`,
      });
      for (const kind of ['idempotent', 'transactional'] as const) {
        const summary = summariseSlots(
          slots.filter((s) => s.mode === kind),
          size,
        );
        for (const [name, value] of Object.entries(summary)) metrics[`txn.${mode}.${kind}.${name}`] = value;
        say(
          `txn.${mode}.${kind}: ${summary.msgsPerSec} msgs/s` +
            (kind === 'transactional'
              ? ` in ${summary.transactions} transactions, commit p50 ${summary.commitP50Ms} ms, ` +
                `p99 ${summary.commitP99Ms} ms`
              : '') +
            ` (broker ${summary.brokerCores} cores, client ${summary.clientCores} cores)`,
        );
      }
      const ratios = pairRatios(slots).sort((a, b) => a - b);
      metrics[`txn.${mode}.ratio`] = round3(median(ratios));
      metrics[`txn.${mode}.ratioMin`] = round3(ratios[0]);
      metrics[`txn.${mode}.ratioMax`] = round3(ratios[ratios.length - 1]);
      say(
        `txn.${mode}: transactional ÷ idempotent per pair ${ratios.map(round3).join(', ')} ` +
          `(median ${round3(median(ratios))})`,
      );
    } finally {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return metrics;
}

/** Transactional rate ÷ idempotent rate of each consecutive pair of slots. */
export function pairRatios(slots: readonly TxnSlot[]): number[] {
  const rate = (s: TxnSlot): number => s.messages / Math.max(s.ms, 1);
  const ratios: number[] = [];
  for (let i = 0; i + 1 < slots.length; i += 2) {
    const pair = [slots[i], slots[i + 1]];
    const txn = pair.find((s) => s.mode === 'transactional');
    const plain = pair.find((s) => s.mode === 'idempotent');
    if (txn !== undefined && plain !== undefined) ratios.push(rate(txn) / Math.max(rate(plain), 1e-9));
  }
  return ratios;
}

/** The median of an ascending array (the mean of the middle two when its length is even). */
export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Slots of one kind pooled: records over total time, commit-time percentiles, cores over total time. */
export function summariseSlots(slots: readonly TxnSlot[], size: number): TxnSummary {
  const sum = (f: (s: TxnSlot) => number): number => slots.reduce((total, s) => total + f(s), 0);
  const seconds =
    Math.max(
      sum((s) => s.ms),
      1,
    ) / 1000;
  const messages = sum((s) => s.messages);
  const commits = slots.flatMap((s) => s.commitMs).sort((a, b) => a - b);
  const ms = (v: number): number => (Number.isNaN(v) ? 0 : Math.round(v * 10) / 10);
  const cores = (cpu: number): number => Math.round((cpu / seconds) * 100) / 100;
  return {
    messages,
    msgsPerSec: Math.round(messages / seconds),
    mbPerSec: Math.round((messages * size) / 1e5 / seconds) / 10,
    transactions: sum((s) => s.transactions),
    commitP50Ms: ms(percentile(commits, 0.5)),
    commitP99Ms: ms(percentile(commits, 0.99)),
    commitMaxMs: ms(commits.length > 0 ? commits[commits.length - 1] : Number.NaN),
    brokerCores: cores(sum((s) => s.brokerCpu)),
    clientCores: cores(sum((s) => s.clientCpu)),
  };
}

/** The slots from the JSON line txn_produce.py prints last; a slot with failed deliveries is an error. */
export function parseTxnClientOutput(output: string): TxnSlot[] {
  const line = output
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`txn_produce.py printed no result:\n${tail(output)}`);
  const { slots } = JSON.parse(line) as { slots: TxnSlot[] };
  const failed = slots.reduce((total, s) => total + s.errors, 0);
  if (failed > 0) throw new Error(`txn_produce.py: ${failed} records failed:\n${tail(output)}`);
  return slots;
}

function runTxnClient(python: string, env: Record<string, string>): TxnSlot[] {
  const run = spawnSync(python, [SCRIPT], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  if (run.status !== 0)
    throw new Error(`txn_produce.py exited ${run.status ?? run.signal}:\n${tail(output)}`);
  return parseTxnClientOutput(run.stdout);
}

function tail(output: string): string {
  return output.trim().split('\n').slice(-8).join('\n');
}
