// `npm run bench -- broker`: eddy's broker under librdkafka's rdkafka_performance, beside this machine's
// limits. Produce (acks=all, batched) and consume throughput at 100 B and 1 KiB records in both
// durability modes, produce latency at a fixed rate, then the ratios to sequential fdatasync writes on
// the data disk and to loopback TCP. Broker and client run as separate processes. MB = 10^6 bytes.
// Two more sections: transactional produce (a commit every 100 ms) as a ratio of idempotent produce,
// and the time `eddy broker start` takes on ~1 GB of log after a kill -9 and after a clean stop.
//
//   npm run bench -- broker [--quick | --scale N] [--data-dir D]    (EDDY_BENCH_SCALE, EDDY_BENCH_DIR)
//   npm run bench -- broker [--only S,S] [--skip S,S] [--restart-mb 1000]
//       sections S: throughput (produce, consume, latency, machine limits), txn, restart
//   npm run bench -- broker --profile [--profile-mode os|fsync] [--profile-size 100]
//
// See docs/internals/broker-benchmark.md for the method and the figures measured so far.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BrokerProcess, logBytes, startBrokerProcess } from './lib/broker-process.ts';
import { profileBroker } from './lib/broker-profile.ts';
import { loopbackTcp, sequentialWrite } from './lib/machine-limits.ts';
import { exitedChildrenCpuSeconds, processCpuSeconds } from './lib/proc-cpu.ts';
import { runConsume, runLatency, runProduce } from './lib/rdkafka-perf.ts';
import { findRdkafkaPerformance } from './lib/rdkafka-tool.ts';
import { benchReport, printReport } from './lib/report.ts';
import { measureRestart } from './lib/restart-time.ts';
import { findConfluentPython, measureTransactions } from './lib/txn-throughput.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'string' },
    'data-dir': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'profile-mode': { type: 'string', default: 'os' },
    'profile-size': { type: 'string', default: '100' },
    only: { type: 'string' },
    skip: { type: 'string', default: '' },
    'restart-mb': { type: 'string' },
  },
});
const SECTIONS = ['throughput', 'txn', 'restart'] as const;
type Section = (typeof SECTIONS)[number];
const listed = (text: string): string[] => text.split(',').filter((name) => name !== '');
const skipped = new Set(listed(flags.skip));
const sections = new Set<Section>(
  SECTIONS.filter(
    (name) => (flags.only === undefined || listed(flags.only).includes(name)) && !skipped.has(name),
  ),
);
const unknownSection = [...listed(flags.only ?? ''), ...skipped].find(
  (n) => !SECTIONS.includes(n as Section),
);
const restartMb = Number(flags['restart-mb'] ?? (flags.quick ? 100 : 1000));
const scale = flags.quick ? 0.2 : Number(flags.scale ?? process.env.EDDY_BENCH_SCALE ?? 1);
const profileMode = flags['profile-mode'];
const profileSize = Number(flags['profile-size']);
if (
  !(scale > 0) ||
  (profileMode !== 'os' && profileMode !== 'fsync') ||
  !(profileSize > 0) ||
  !(restartMb > 0) ||
  unknownSection !== undefined
) {
  process.stderr.write(
    'broker bench: --scale must be > 0, --profile-mode os or fsync, --profile-size a byte count > 0, ' +
      `--restart-mb > 0, --only/--skip a comma list of ${SECTIONS.join(', ')}\n`,
  );
  process.exit(2);
}
// The disk figures are only comparable with the broker's when both write to the same filesystem.
const dataRoot = flags['data-dir'] ?? process.env.EDDY_BENCH_DIR ?? tmpdir();
const base = mkdtempSync(join(dataRoot, 'eddy-bench-broker-'));
const say = (line: string): void => void process.stderr.write(`broker bench: ${line}\n`);

// Batched producer settings: ~1 MB requests (librdkafka's default batch.size), 10 ms linger, and a
// local queue deep enough that the application thread never waits on it.
const PRODUCER = ['linger.ms=10', 'batch.num.messages=10000', 'queue.buffering.max.messages=2000000'];
const SIZES = [100, 1024] as const;
const COUNTS: Record<number, number> = { 100: 5_000_000, 1024: 1_000_000 };
const LATENCY_RATE = 10_000;
const LATENCY_SIZE = 100;
const LATENCY_LINGERS = [1, 0] as const;
// Transactions: a commit every 100 ms, 100 B records; 6 pairs of 2 s slots (one of each kind).
const TXN_INTERVAL_MS = 100;
const TXN_SIZE = 100;
// Restart: 1 KiB records (a fast fill) over 4 partitions, so every partition has an active segment.
const RESTART_PARTITIONS = 4;
const RESTART_SIZE = 1024;

// The load average says whether anything else competed for the cores (figures above ~0.5 at the
// start mean other work was running and the results are low).
const metrics: Record<string, number | string> = {
  scale,
  dataDir: dataRoot,
  loadAverageBefore: Math.round(loadavg()[0] * 100) / 100,
};
const r = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
const count = (n: number): number => Math.max(1000, Math.round(n * scale));

try {
  // The transaction section needs no librdkafka build of its own (its client is confluent-kafka).
  const needsTool = flags.profile || sections.has('throughput') || sections.has('restart');
  const tool = needsTool
    ? findRdkafkaPerformance((line) => process.stderr.write(line))
    : { error: 'not needed for the sections asked for' };
  if (flags.profile) {
    if ('error' in tool) throw new Error(`cannot profile without rdkafka_performance: ${tool.error}`);
    const result = await profileBroker(tool.path, {
      base,
      mode: profileMode,
      size: profileSize,
      count: count(COUNTS[profileSize] ?? 2_000_000),
      config: PRODUCER,
    });
    printReport(benchReport('broker-profile', result.metrics), result.summary);
  } else {
    if (sections.has('throughput')) await measureLimits();
    if (needsTool && 'error' in tool) {
      say(`no librdkafka client, so neither produce/consume nor restart figures:\n${tool.error}`);
      say('fix: run .ci/install-debian.sh (as root), or set EDDY_RDKAFKA_PERFORMANCE to a built binary');
      metrics.client = 'unavailable';
      process.exitCode = 1;
    } else if ('path' in tool) {
      metrics.client = `rdkafka_performance (${tool.source})`;
      if (sections.has('throughput'))
        for (const mode of ['os', 'fsync'] as const) await measureMode(tool.path, mode);
    }
    if (sections.has('txn')) await measureTxnSection();
    if (sections.has('restart') && 'path' in tool) {
      Object.assign(
        metrics,
        await measureRestart(tool.path, {
          base,
          targetBytes: restartMb * 1e6,
          partitions: RESTART_PARTITIONS,
          size: RESTART_SIZE,
          config: PRODUCER,
          say,
        }),
      );
    }
    metrics.loadAverageAfter = Math.round(loadavg()[0] * 100) / 100;
    printReport(benchReport('broker', metrics), summary());
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}

async function measureTxnSection(): Promise<void> {
  const python = findConfluentPython();
  if ('error' in python) {
    say(`no transactional client, so no transaction figures: ${python.error}`);
    metrics['txn.client'] = 'unavailable';
    process.exitCode = 1;
    return;
  }
  metrics['txn.client'] = python.client;
  say(`transactions: ${python.client}, idempotent vs a commit every ${TXN_INTERVAL_MS} ms`);
  Object.assign(
    metrics,
    await measureTransactions({
      python: python.path,
      base,
      modes: ['os', 'fsync'],
      seconds: Math.max(1, 2 * scale),
      pairs: flags.quick ? 1 : 6,
      size: TXN_SIZE,
      intervalMs: TXN_INTERVAL_MS,
      say,
    }),
  );
}

async function measureLimits(): Promise<void> {
  say('measuring the machine: sequential writes on the data disk, loopback TCP');
  const ms = Math.max(500, 3000 * scale);
  for (const [label, chunkBytes] of [
    ['1MiB', 1 << 20],
    ['16MiB', 16 << 20],
  ] as const) {
    const w = sequentialWrite(base, { chunkBytes, maxBytes: 4 * 2 ** 30, maxMs: ms, sync: true });
    metrics[`limit.diskFsync${label}.mbPerSec`] = r(w.mbPerSec);
  }
  const small = sequentialWrite(base, { chunkBytes: 4096, maxBytes: 2 ** 30, maxMs: ms / 3, sync: true });
  metrics['limit.diskFsync4KiB.fsyncsPerSec'] = Math.round(small.opsPerSec);
  const buffered = sequentialWrite(base, {
    chunkBytes: 1 << 20,
    maxBytes: 2 * 2 ** 30,
    maxMs: ms,
    sync: false,
  });
  metrics['limit.diskBuffered1MiB.mbPerSec'] = r(buffered.mbPerSec);
  metrics['limit.diskFsync.mbPerSec'] = Math.max(
    metrics['limit.diskFsync1MiB.mbPerSec'] as number,
    metrics['limit.diskFsync16MiB.mbPerSec'] as number,
  );
  metrics['limit.loopbackTcp.mbPerSec'] = r((await loopbackTcp(ms)).mbPerSec);
}

async function measureMode(tool: string, mode: 'os' | 'fsync'): Promise<void> {
  const dataDir = join(base, mode);
  say(`${mode} mode: starting the broker (${dataDir})`);
  const broker = await startBrokerProcess(dataDir, mode);
  try {
    // Latency first, on a settled disk: after a bulk run the device keeps flushing for seconds and
    // every fdatasync waits behind that backlog (see docs/internals/broker-benchmark.md).
    for (const linger of LATENCY_LINGERS) measureLatency(tool, broker, mode, linger);
    for (const size of SIZES) measureThroughput(tool, broker, mode, size);
  } finally {
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function measureLatency(tool: string, broker: BrokerProcess, mode: 'os' | 'fsync', linger: number): void {
  const key = `latency.${mode}.linger${linger}`;
  spawnSync('sync');
  // The fdatasync rate right now, next to the latency it bounds (fsync mode pays one per request).
  const fsyncs = sequentialWrite(base, { chunkBytes: 4096, maxBytes: 2 ** 30, maxMs: 300, sync: true });
  const lat = runLatency(tool, {
    bootstrap: broker.bootstrap,
    topic: `bench-latency-${linger}`,
    size: LATENCY_SIZE,
    count: count(LATENCY_RATE * (linger === 0 ? 2 : 3)),
    config: [`linger.ms=${linger}`],
    rate: LATENCY_RATE,
    latencyFile: join(base, 'latency.txt'),
  });
  metrics[`${key}.offeredMsgsPerSec`] = LATENCY_RATE;
  metrics[`${key}.msgsPerSec`] = lat.msgsPerSec;
  metrics[`${key}.p50Ms`] = r(lat.p50Ms, 2);
  metrics[`${key}.p99Ms`] = r(lat.p99Ms, 2);
  metrics[`${key}.maxMs`] = r(lat.maxMs, 2);
  metrics[`${key}.diskFsync4KiBPerSec`] = Math.round(fsyncs.opsPerSec);
  say(
    `${key}: ${lat.msgsPerSec} msgs/s achieved, p50 ${r(lat.p50Ms, 2)} ms, p99 ${r(lat.p99Ms, 2)} ms ` +
      `(disk: ${Math.round(fsyncs.opsPerSec)} fdatasyncs/s just before)`,
  );
}

function measureThroughput(tool: string, broker: BrokerProcess, mode: 'os' | 'fsync', size: number): void {
  const topic = `bench-${size}`;
  const n = count(COUNTS[size]);
  const key = `produce.${mode}.${size}B`;
  const broker0 = processCpuSeconds(broker.pid);
  const client0 = exitedChildrenCpuSeconds();
  const p = runProduce(tool, { bootstrap: broker.bootstrap, topic, size, count: n, config: PRODUCER });
  const seconds = p.ms / 1000;
  metrics[`${key}.msgsPerSec`] = p.msgsPerSec;
  metrics[`${key}.mbPerSec`] = r(p.mbPerSec);
  metrics[`${key}.logMbPerSec`] = r(logBytes(broker.dataDir, topic) / 1e6 / seconds);
  metrics[`${key}.brokerCores`] = r((processCpuSeconds(broker.pid) - broker0) / seconds, 2);
  metrics[`${key}.clientCores`] = r((exitedChildrenCpuSeconds() - client0) / seconds, 2);
  metrics[`${key}.vsDiskFsync`] = r(p.mbPerSec / (metrics['limit.diskFsync.mbPerSec'] as number), 3);
  metrics[`${key}.vsDiskFsync1MiB`] = r(p.mbPerSec / (metrics['limit.diskFsync1MiB.mbPerSec'] as number), 3);
  metrics[`${key}.vsLoopback`] = r(p.mbPerSec / (metrics['limit.loopbackTcp.mbPerSec'] as number), 3);
  say(
    `${key}: ${p.msgsPerSec} msgs/s, ${r(p.mbPerSec)} MB/s ` +
      `(broker ${metrics[`${key}.brokerCores`]} cores, client ${metrics[`${key}.clientCores`]} cores)`,
  );

  const ckey = `consume.${mode}.${size}B`;
  const c = runConsume(tool, { bootstrap: broker.bootstrap, topic, count: n });
  metrics[`${ckey}.msgsPerSec`] = c.msgsPerSec;
  metrics[`${ckey}.mbPerSec`] = r(c.mbPerSec);
  say(`${ckey}: ${c.msgsPerSec} msgs/s, ${r(c.mbPerSec)} MB/s`);
}

function summary(): string {
  const m = metrics;
  const parts: string[] = [];
  if (m['produce.os.100B.msgsPerSec'] !== undefined) {
    const mps = (k: string): string => `${r((m[k] as number) / 1e6, 2)} M/s`;
    for (const mode of ['os', 'fsync'] as const) {
      parts.push(
        `${mode}: produce 100B ${mps(`produce.${mode}.100B.msgsPerSec`)} ` +
          `${m[`produce.${mode}.100B.mbPerSec`]} MB/s, 1KiB ${m[`produce.${mode}.1024B.mbPerSec`]} MB/s; ` +
          `consume 100B ${mps(`consume.${mode}.100B.msgsPerSec`)}; ` +
          `p50/p99 ${m[`latency.${mode}.linger1.p50Ms`]}/${m[`latency.${mode}.linger1.p99Ms`]} ms`,
      );
    }
  }
  if (m['limit.diskFsync.mbPerSec'] !== undefined) {
    parts.push(
      `limits: disk fsync ${m['limit.diskFsync.mbPerSec']} MB/s, loopback ${m['limit.loopbackTcp.mbPerSec']} MB/s`,
    );
  }
  if (m['produce.os.100B.msgsPerSec'] !== undefined) {
    parts.push(`1M msgs/s target ${(m['produce.os.100B.msgsPerSec'] as number) >= 1e6 ? 'met' : 'NOT met'}`);
  }
  if (m['txn.os.ratio'] !== undefined) {
    parts.push(
      `txn (commit/${TXN_INTERVAL_MS} ms) ÷ idempotent: os ${m['txn.os.ratio']}, fsync ${m['txn.fsync.ratio']}`,
    );
  }
  if (m['restart.kill9.listenMs'] !== undefined) {
    const s = (k: string): string => `${r((m[k] as number) / 1000, 2)} s`;
    parts.push(
      `restart with ${r((m['restart.logBytes'] as number) / 1e9, 2)} GB: after kill -9 ` +
        `${s('restart.kill9.listenMs')} (first Fetch ${s('restart.kill9.fetchMs')}), clean ${s('restart.clean.listenMs')}`,
    );
  }
  return `broker: ${parts.length > 0 ? parts.join(' | ') : 'nothing measured'}`;
}
