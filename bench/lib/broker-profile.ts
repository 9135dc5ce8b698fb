// `npm run bench -- broker --profile`: a produce run against a broker whose main thread is sampled by
// V8's CPU profiler (started after a warm-up, so neither startup nor JIT warm-up is in it) and whose
// garbage collections are counted, then a summary of where the time went. The profile file is kept so
// it can be opened in Chrome DevTools or speedscope.
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrokerProcess } from './broker-process.ts';
import { type CpuProfile, formatHotSpots, summariseProfile } from './cpu-profile.ts';
import { processCpuSeconds } from './proc-cpu.ts';
import { runProduce, type Throughput } from './rdkafka-perf.ts';

export interface ProfileOptions {
  /** Scratch directory for the broker's data (the caller deletes it). */
  base: string;
  mode: 'os' | 'fsync';
  size: number;
  count: number;
  /** librdkafka producer properties. */
  config: readonly string[];
}

/**
 * Profiles the broker under a batched acks=all produce load and prints the hot spots to stderr.
 *
 * @example
 * const { metrics, summary } = await profileBroker(tool, { base: '/tmp/x', mode: 'os', size: 100, count: 5e6, config: [] });
 */
export async function profileBroker(
  tool: string,
  options: ProfileOptions,
): Promise<{ metrics: Record<string, number | string>; summary: string }> {
  const { base, mode, size, count, config } = options;
  const profileDir = join(tmpdir(), 'eddy-broker-profiles');
  mkdirSync(profileDir, { recursive: true });
  const path = join(
    profileDir,
    `broker-${mode}-${size}B-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`,
  );
  const broker = await startBrokerProcess(join(base, mode), mode);
  let produced: Throughput;
  let brokerCpu: number;
  let gc: Record<string, number>;
  try {
    const produce = (topic: string, n: number): Throughput =>
      runProduce(tool, { bootstrap: broker.bootstrap, topic, size, count: n, config });
    produce('profile-warmup', Math.max(1000, Math.round(count / 5)));
    // 250 µs instead of the default 1 ms: a few seconds of load then give ~10^4 samples.
    await broker.command('profile-start 250');
    const cpu0 = processCpuSeconds(broker.pid);
    produced = produce(`profile-${size}`, count);
    brokerCpu = processCpuSeconds(broker.pid) - cpu0;
    ({ gc } = (await broker.command(`profile-stop ${path}`)) as { gc: Record<string, number> });
  } finally {
    await broker.stop();
  }
  const profile = summariseProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, 25);
  const seconds = produced.ms / 1000;
  process.stderr.write(
    `profile: ${path}\nwall ${profile.wallMs} ms, main thread busy ${profile.busyMs} ms; ` +
      `broker process CPU ${brokerCpu.toFixed(2)} s over ${seconds.toFixed(2)} s of load; ` +
      `GC: ${gcText(gc)}\n` +
      formatHotSpots('self time by function (% of busy):', profile.selfByFunction) +
      formatHotSpots('inclusive time by function (% of busy):', profile.inclusiveByFunction) +
      formatHotSpots('self time by file (% of busy):', profile.selfByFile),
  );
  const metrics: Record<string, number | string> = {
    mode,
    size,
    messages: produced.messages,
    msgsPerSec: produced.msgsPerSec,
    mbPerSec: Math.round(produced.mbPerSec * 10) / 10,
    brokerCores: Math.round((brokerCpu / seconds) * 100) / 100,
    mainThreadBusyMs: profile.busyMs,
    profileWallMs: profile.wallMs,
    ...Object.fromEntries(Object.entries(gc).map(([k, v]) => [`gc.${k}`, Math.round(v)])),
    profile: path,
  };
  profile.selfByFunction.slice(0, 10).forEach((h, i) => {
    metrics[`self.${i + 1}`] = `${h.pct}% ${h.name}`;
  });
  profile.selfByFile.slice(0, 10).forEach((h, i) => {
    metrics[`file.${i + 1}`] = `${h.pct}% ${h.name}`;
  });
  const top = profile.selfByFunction[0];
  return {
    metrics,
    summary:
      `broker profile (${mode}, ${size} B): ${produced.msgsPerSec} msgs/s under the profiler, ` +
      `broker ${metrics.brokerCores} cores, GC ${gcText(gc)}; ` +
      `top self: ${top ? `${top.pct}% ${top.name}` : 'none'}`,
  };
}

/** `12 major (80 ms), 3 minor (2 ms)`: collections and their main-thread pauses. */
function gcText(gc: Record<string, number>): string {
  const kinds = Object.keys(gc).filter((k) => !k.endsWith('Ms'));
  if (kinds.length === 0) return 'none';
  return kinds.map((k) => `${gc[k]} ${k} (${Math.round(gc[`${k}Ms`])} ms)`).join(', ');
}
