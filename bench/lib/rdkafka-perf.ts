// Runs librdkafka's rdkafka_performance as producer or consumer against a broker and reads back its
// summary lines. Throughput figures are payload bytes (what the application sends), in MB = 10^6 bytes,
// the unit rdkafka_performance itself prints.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

/** Messages moved, their payload bytes, and the time the tool measured for them. */
export interface Throughput {
  messages: number;
  bytes: number;
  ms: number;
  msgsPerSec: number;
  mbPerSec: number;
}

/** Per-message produce latency (produce() call to delivery report) at a fixed offered rate. */
export interface Latency {
  messages: number;
  /** What the tool achieved; its rate limiter cannot always keep up with the offered rate. */
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ProduceOptions {
  bootstrap: string;
  topic: string;
  size: number;
  count: number;
  /** librdkafka properties, `name=value`. */
  config: readonly string[];
}

const TIMEOUT_MS = 300_000;

/**
 * Produces `count` records of `size` bytes to partition 0 with acks=all and waits for every delivery
 * report.
 *
 * @example
 * runProduce(tool, { bootstrap: '127.0.0.1:9092', topic: 't', size: 100, count: 1e6, config: ['linger.ms=10'] });
 */
export function runProduce(tool: string, options: ProduceOptions): Throughput {
  const { bootstrap, topic, size, count, config } = options;
  const args = ['-P', '-t', topic, '-p', '0', '-b', bootstrap, '-s', `${size}`, '-c', `${count}`, '-a', '-1'];
  const output = run(tool, [...args, ...config.flatMap((c) => ['-X', c])]);
  const result = parseProduceSummary(output);
  if (result.failed > 0 || result.delivered < count) {
    throw new Error(
      `producer delivered ${result.delivered}/${count} (${result.failed} failed):\n${tail(output)}`,
    );
  }
  return throughput(result.delivered, result.delivered * size, result.ms);
}

/** Consumes `count` records of partition 0 from the beginning (batch consumer API). */
export function runConsume(
  tool: string,
  options: { bootstrap: string; topic: string; count: number },
): Throughput {
  const { bootstrap, topic, count } = options;
  const output = run(tool, [
    ...['-C', '-t', topic, '-p', '0', '-b', bootstrap, '-o', 'beginning', '-e', '-c', `${count}`],
    ...['-B', '10000'],
  ]);
  const result = parseConsumeSummary(output);
  if (result.messages < count) throw new Error(`consumer read ${result.messages}/${count}:\n${tail(output)}`);
  return throughput(result.messages, result.bytes, result.ms);
}

/**
 * Produces at a fixed rate in rdkafka_performance's latency mode, which stamps each payload with the
 * send time and subtracts it in the delivery report; per-message figures go to a file we sort.
 */
export function runLatency(
  tool: string,
  options: ProduceOptions & { rate: number; latencyFile: string },
): Latency {
  const { bootstrap, topic, size, count, config, rate, latencyFile } = options;
  const output = run(tool, [
    ...['-P', '-t', topic, '-p', '0', '-b', bootstrap, '-s', `${size}`, '-c', `${count}`, '-a', '-1'],
    ...['-r', `${rate}`, '-l', '-A', latencyFile],
    ...config.flatMap((c) => ['-X', c]),
  ]);
  const summary = parseProduceSummary(output);
  if (summary.failed > 0 || summary.delivered < count) {
    throw new Error(
      `latency run delivered ${summary.delivered}/${count} (${summary.failed} failed):\n${tail(output)}`,
    );
  }
  const micros = parseLatencyFile(readFileSync(latencyFile, 'utf8'));
  rmSync(latencyFile, { force: true });
  if (micros.length === 0) throw new Error(`latency run recorded nothing:\n${tail(output)}`);
  return {
    messages: micros.length,
    msgsPerSec: Math.round((summary.delivered * 1000) / summary.ms),
    p50Ms: percentile(micros, 0.5) / 1000,
    p99Ms: percentile(micros, 0.99) / 1000,
    maxMs: micros[micros.length - 1] / 1000,
  };
}

/** The last producer summary line: `% N messages produced (B bytes), D delivered (offset O, F failed) in Tms: ...`. */
export function parseProduceSummary(output: string): {
  produced: number;
  delivered: number;
  failed: number;
  ms: number;
} {
  const re =
    /^% (\d+) messages produced \((\d+) bytes\), (\d+) delivered \(offset -?\d+, (\d+) failed\) in (\d+)ms/gm;
  const last = [...output.matchAll(re)].pop();
  if (!last) throw new Error(`no producer summary in rdkafka_performance output:\n${tail(output)}`);
  return {
    produced: Number(last[1]),
    delivered: Number(last[3]),
    failed: Number(last[4]),
    ms: Number(last[5]),
  };
}

/** The last consumer summary line: `% N messages (B bytes) consumed in Tms: ...`. */
export function parseConsumeSummary(output: string): { messages: number; bytes: number; ms: number } {
  const re = /^% (\d+) messages \((\d+) bytes\) consumed in (\d+)ms/gm;
  const last = [...output.matchAll(re)].pop();
  if (!last) throw new Error(`no consumer summary in rdkafka_performance output:\n${tail(output)}`);
  return { messages: Number(last[1]), bytes: Number(last[2]), ms: Number(last[3]) };
}

/** The `-A` file: one latency in microseconds per line. Returned sorted ascending. */
export function parseLatencyFile(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()))
    .map(Number)
    .sort((a, b) => a - b);
}

/** Nearest-rank percentile (q in 0..1) of an ascending array. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function throughput(messages: number, bytes: number, ms: number): Throughput {
  const seconds = Math.max(ms, 1) / 1000;
  return { messages, bytes, ms, msgsPerSec: Math.round(messages / seconds), mbPerSec: bytes / 1e6 / seconds };
}

/**
 * Runs the tool and returns what it printed. Its exit status is not trusted: the producer exits 1
 * when, at shutdown, a delivery report races its queue count (it then prints "999999 messages
 * produced ... 1000000 delivered"), so callers judge a run by its summary line instead.
 */
function run(tool: string, args: string[]): string {
  const result = spawnSync(tool, args, {
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${tool} ${args.join(' ')}: ${result.error.message}`);
  if (result.signal) throw new Error(`${tool} ${args.join(' ')} was killed by ${result.signal}`);
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

function tail(output: string): string {
  return output.trim().split('\n').slice(-8).join('\n');
}
