import { StreamError } from '../../common/errors.ts';
import type { JobConfig, JobPlan, NodeId, PlanNode } from '../../plan/nodes.ts';
import type { WatermarkStrategySpec } from '../../plan/watermarks.ts';
import { isKeyedKind } from '../operators/registry.ts';

const TWO_INPUT_KINDS: ReadonlySet<PlanNode['kind']> = new Set(['co-process', 'keyed-co-process']);

/**
 * Checks what the runtime relies on and returns each node's parallelism. Collects every problem and
 * throws one ENG_INVALID_JOB listing them, so a user fixes them in one go.
 *
 * @example
 * const parallelism = validatePlan(plan); // Map { 0 => 4, 1 => 4, 2 => 1 }
 */
export function validatePlan(plan: JobPlan): Map<NodeId, number> {
  const { config } = plan;
  const problems: string[] = [];
  positiveInteger(config.parallelism, 'parallelism', problems);
  positiveInteger(config.maxParallelism, 'maxParallelism', problems);
  positiveInteger(config.batchSize, 'batchSize', problems);
  positiveInteger(config.channelCapacity, 'channelCapacity', problems);
  if (!(Number.isFinite(config.watermarkInterval) && config.watermarkInterval >= 0))
    problems.push(`watermarkInterval must be 0 or more milliseconds, got ${config.watermarkInterval}`);

  checkFaultTolerance(config, problems);

  const parallelism = new Map<NodeId, number>();
  const sinks = new Set<NodeId>();
  const uids = new Set<string>();
  for (const node of plan.nodes) {
    const where = `operator "${node.name}" (#${node.id})`;
    if (parallelism.has(node.id)) problems.push(`${where} reuses the id of another node`);
    if (node.uid !== undefined) {
      if (uids.has(node.uid)) problems.push(`${where} has uid "${node.uid}", which another operator has too`);
      uids.add(node.uid);
    }
    const p = node.parallelism ?? config.parallelism;
    if (!Number.isInteger(p) || p < 1) problems.push(`${where} has parallelism ${p}; use a whole number ≥ 1`);
    else if (p > config.maxParallelism)
      problems.push(
        `${where} has parallelism ${p}, above maxParallelism ${config.maxParallelism}; lower it or raise maxParallelism`,
      );
    checkInputs(node, where, parallelism, sinks, problems);
    if (node.kind === 'source' || node.kind === 'assign-watermarks')
      checkStrategy(node.watermarks, where, problems);
    if (node.kind === 'sink') sinks.add(node.id);
    parallelism.set(node.id, p);
  }
  if (!plan.nodes.some((node) => node.kind === 'source')) problems.push('the job has no source');

  if (problems.length > 0) {
    throw new StreamError(
      'ENG_INVALID_JOB',
      `job "${config.jobName}" cannot run:\n${problems.map((problem) => `- ${problem}`).join('\n')}`,
      { details: { problems } },
    );
  }
  return parallelism;
}

function checkInputs(
  node: PlanNode,
  where: string,
  known: ReadonlyMap<NodeId, number>,
  sinks: ReadonlySet<NodeId>,
  problems: string[],
): void {
  if (node.kind === 'source') {
    if (node.inputs.length > 0) problems.push(`${where} is a source but has inputs`);
    return;
  }
  if (node.inputs.length === 0) problems.push(`${where} has no input`);
  const twoInputs = TWO_INPUT_KINDS.has(node.kind);
  for (const edge of node.inputs) {
    if (!known.has(edge.from))
      problems.push(`${where} reads node #${edge.from}, which does not come before it in the plan`);
    if (sinks.has(edge.from)) problems.push(`${where} reads a sink (#${edge.from}); sinks have no output`);
    if (edge.port !== 0 && !(twoInputs && edge.port === 1))
      problems.push(`${where} has an input on port ${edge.port}, which it does not have`);
    if (
      isKeyedKind(node.kind) &&
      !(node.kind === 'window' && !node.keyed) &&
      edge.partitioning.kind !== 'keyed' &&
      !(edge.partitioning.kind === 'forward' && edge.partitioning.key !== undefined)
    )
      problems.push(`${where} needs keyed input (keyBy) but reads a '${edge.partitioning.kind}' edge`);
  }
  if (twoInputs && !(node.inputs.some((e) => e.port === 0) && node.inputs.some((e) => e.port === 1)))
    problems.push(`${where} needs one input on port 0 and one on port 1`);
}

function checkStrategy(spec: WatermarkStrategySpec<unknown>, where: string, problems: string[]): void {
  if (spec.kind === 'bounded-out-of-orderness') {
    const bound = spec.maxOutOfOrderness;
    if (!(typeof bound === 'number' && Number.isFinite(bound) && bound >= 0))
      problems.push(`${where}: bounded out-of-orderness needs maxOutOfOrderness ≥ 0 ms, got ${bound}`);
  }
  if (spec.kind === 'custom' && typeof spec.createGenerator !== 'function')
    problems.push(`${where}: a custom watermark strategy needs createGenerator()`);
  if (spec.idleTimeout !== undefined && !(Number.isFinite(spec.idleTimeout) && spec.idleTimeout > 0))
    problems.push(`${where}: idleTimeout must be more than 0 ms, got ${spec.idleTimeout}`);
}

function checkFaultTolerance(config: JobConfig, problems: string[]): void {
  const checkpointing = config.checkpointing;
  if (checkpointing !== undefined) {
    positiveInteger(checkpointing.interval, 'checkpointing.interval', problems);
    nonNegative(checkpointing.minPause, 'checkpointing.minPause', problems);
    positiveInteger(checkpointing.timeout, 'checkpointing.timeout', problems);
    positiveInteger(checkpointing.retained, 'checkpointing.retained', problems);
    if (checkpointing.mode !== 'exactly-once' && checkpointing.mode !== 'at-least-once')
      problems.push(
        `checkpointing.mode must be 'exactly-once' or 'at-least-once', got ${String(checkpointing.mode)}`,
      );
  }
  const restart = config.restartStrategy;
  switch (restart?.kind) {
    case undefined:
    case 'none':
      break;
    case 'fixed-delay':
      nonNegative(restart.attempts, 'restartStrategy.attempts', problems);
      nonNegative(restart.delay, 'restartStrategy.delay', problems);
      break;
    case 'exponential-backoff':
      positiveInteger(restart.initial, 'restartStrategy.initial', problems);
      positiveInteger(restart.max, 'restartStrategy.max', problems);
      if (!(restart.multiplier >= 1))
        problems.push(`restartStrategy.multiplier must be ≥ 1, got ${restart.multiplier}`);
      break;
    case 'failure-rate':
      positiveInteger(restart.maxFailures, 'restartStrategy.maxFailures', problems);
      positiveInteger(restart.interval, 'restartStrategy.interval', problems);
      nonNegative(restart.delay, 'restartStrategy.delay', problems);
      break;
    default:
      problems.push(
        `restartStrategy.kind ${JSON.stringify((restart as { kind: unknown }).kind)} is not one eddy knows`,
      );
  }
}

function nonNegative(value: number, name: string, problems: string[]): void {
  if (!Number.isInteger(value) || value < 0)
    problems.push(`${name} must be a whole number ≥ 0, got ${value}`);
}

function positiveInteger(value: number, name: string, problems: string[]): void {
  if (!Number.isInteger(value) || value < 1)
    problems.push(`${name} must be a whole number ≥ 1, got ${value}`);
}
