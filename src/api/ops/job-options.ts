import type { JobConfig, StateBackendConfig } from '../../plan/nodes.ts';
import { invalidArgument, requireName, requirePositiveInteger } from './checks.ts';
import type { MutableJobConfig } from './job-graph.ts';

/** Flink's upper bound for maxParallelism (key groups are numbered in 15 bits). */
const MAX_MAX_PARALLELISM = 32_768;

type ConfigChanges = { readonly [P in keyof JobConfig]?: JobConfig[P] | undefined };

/** The defaults with the given options applied; throws on the first invalid option. */
export function validatedConfig(defaults: JobConfig, options: ConfigChanges): MutableJobConfig {
  const config: MutableJobConfig = { ...defaults };
  setConfig(config, options);
  return config;
}

/** Checks and applies options; undefined means "leave as is" (so `{ parallelism: flags.p }` works). */
export function setConfig(config: MutableJobConfig, changes: ConfigChanges): void {
  if (changes.jobName !== undefined) config.jobName = requireName(changes.jobName, 'jobName');
  if (changes.parallelism !== undefined) {
    config.parallelism = requirePositiveInteger(changes.parallelism, 'parallelism');
  }
  if (changes.maxParallelism !== undefined) {
    const max = requirePositiveInteger(changes.maxParallelism, 'maxParallelism');
    if (max > MAX_MAX_PARALLELISM) {
      throw invalidArgument(`maxParallelism must be at most ${MAX_MAX_PARALLELISM}, got ${max}`);
    }
    config.maxParallelism = max;
  }
  if (changes.watermarkInterval !== undefined) {
    config.watermarkInterval = requirePositiveInteger(changes.watermarkInterval, 'watermarkInterval');
  }
  if (changes.clock !== undefined) {
    if (typeof changes.clock?.now !== 'function') {
      throw invalidArgument('clock must have a now() method, e.g. new ManualClock(0) or systemClock');
    }
    config.clock = changes.clock;
  }
  if (changes.batchSize !== undefined)
    config.batchSize = requirePositiveInteger(changes.batchSize, 'batchSize');
  if (changes.channelCapacity !== undefined) {
    config.channelCapacity = requirePositiveInteger(changes.channelCapacity, 'channelCapacity');
  }
  // Already checked by the environment (fault-tolerance.ts), which builds them from their options.
  if (changes.checkpointing !== undefined) config.checkpointing = changes.checkpointing;
  if (changes.restartStrategy !== undefined) config.restartStrategy = changes.restartStrategy;
  if (changes.stateBackend !== undefined) config.stateBackend = stateBackendConfig(changes.stateBackend);
}

function stateBackendConfig(value: StateBackendConfig): StateBackendConfig {
  if (value === 'heap') return value;
  if (typeof value === 'object' && value !== null && value.kind === 'lmdb') {
    if (value.dir === undefined) return { kind: 'lmdb' };
    if (typeof value.dir === 'string' && value.dir.length > 0) return { kind: 'lmdb', dir: value.dir };
  }
  throw invalidArgument(
    `stateBackend must be 'heap' or { kind: 'lmdb', dir?: string }, got ${JSON.stringify(value)}`,
  );
}
