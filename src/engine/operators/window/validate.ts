import { StreamError } from '../../../common/errors.ts';
import type { PlanNodeOf } from '../../../plan/nodes.ts';
import type { TriggerSpec } from '../../../plan/windows.ts';

/**
 * Checks a window node before it runs; every problem is listed in one error. The API checks most of
 * this too, but plans can also be written by hand (tests, SQL).
 */
export function validateWindowNode(node: PlanNodeOf<'window'>): void {
  const problems: string[] = [];
  const { assigner } = node;
  const positive = (what: string, value: number) => {
    if (!(value > 0) || !Number.isFinite(value))
      problems.push(`${what} must be a positive number, got ${value}`);
  };
  if (assigner.kind === 'tumbling') positive('the window size', assigner.size);
  if (assigner.kind === 'sliding') {
    positive('the window size', assigner.size);
    positive('the window slide', assigner.slide);
  }
  if (assigner.kind === 'session' && typeof assigner.gap === 'number')
    positive('the session gap', assigner.gap);
  checkTrigger(node.trigger, problems, positive);
  if (node.evictor?.kind === 'count' && !(node.evictor.max >= 0))
    problems.push('a count evictor needs max >= 0');
  if (node.evictor?.kind === 'time' && !(node.evictor.keep >= 0))
    problems.push('a time evictor needs keep >= 0');
  if (!(node.allowedLateness >= 0))
    problems.push(`allowed lateness must be >= 0, got ${node.allowedLateness}`);
  if (!node.reduce && !node.aggregate && !node.process) {
    problems.push('a window needs a function: reduce, aggregate or process');
  }
  if (node.reduce && node.aggregate) problems.push('a window takes reduce or aggregate, not both');
  if (assigner.kind === 'session' && node.trigger.kind === 'custom' && !node.trigger.trigger.onMerge) {
    problems.push('session windows merge, so a custom trigger used with them needs onMerge()');
  }
  if (problems.length > 0) {
    throw new StreamError('ENG_INVALID_JOB', `window "${node.name}": ${problems.join('; ')}`, {
      details: { operator: node.name, problems },
    });
  }
  if (assigner.kind === 'session' && node.aggregate && !node.aggregate.merge) {
    throw new StreamError(
      'ENG_AGGREGATE_MERGE_MISSING',
      `window "${node.name}" uses session windows, whose accumulators merge, but its aggregate function has no merge(a, b); add one`,
      { details: { operator: node.name } },
    );
  }
}

function checkTrigger(
  trigger: TriggerSpec<unknown>,
  problems: string[],
  positive: (what: string, value: number) => void,
): void {
  if (trigger.kind === 'count') {
    if (!Number.isInteger(trigger.count) || trigger.count < 1) {
      problems.push(`a count trigger needs a whole count >= 1, got ${trigger.count}`);
    }
  } else if (trigger.kind === 'continuous') positive('a continuous trigger interval', trigger.interval);
  else if (trigger.kind === 'purging') checkTrigger(trigger.inner, problems, positive);
}
