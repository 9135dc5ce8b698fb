import type { DraftEdge, DraftNode, JobGraph } from './job-graph.ts';

/**
 * Everything that makes a job unable to run, as sentences that say what to change. Checked by toPlan,
 * because most of it (parallelism against maxParallelism, a missing sink) is only known at the end.
 */
export function findProblems(graph: JobGraph): string[] {
  const problems: string[] = [];
  const { parallelism, maxParallelism } = graph.config;
  if (parallelism > maxParallelism) {
    problems.push(
      `the job's parallelism ${parallelism} is above its maxParallelism ${maxParallelism}; lower the parallelism or raise maxParallelism`,
    );
  }
  if (!graph.nodes.some((node) => node.spec.kind === 'sink')) {
    problems.push('the job has no sink: end at least one stream with sinkTo(...) or print()');
  }
  for (const description of graph.unfinishedWindows.values()) {
    problems.push(`${description} has no window function: call reduce, aggregate or process on it`);
  }
  for (const node of graph.nodes) {
    problems.push(...nodeProblems(graph, node));
    for (const edge of node.inputs) problems.push(...edgeProblems(graph, node, edge));
  }
  return problems;
}

function nodeProblems(graph: JobGraph, node: DraftNode): string[] {
  const problems: string[] = [];
  const name = graph.describe(node.id);
  const maxParallelism = graph.config.maxParallelism;
  if (node.parallelism !== undefined && node.parallelism > maxParallelism) {
    problems.push(
      `${name} has parallelism ${node.parallelism}, above the job's maxParallelism ${maxParallelism}; lower it or raise maxParallelism`,
    );
  }
  const spec = node.spec;
  if (spec.kind !== 'window') return problems;
  if (spec.trigger === undefined) {
    problems.push(
      `${name} uses GlobalWindows without a trigger, so it would never fire: add .trigger(CountTrigger.of(n)) or another trigger before the window function`,
    );
  }
  if (spec.assigner.kind === 'session') {
    if (spec.aggregate !== undefined && typeof spec.aggregate.merge !== 'function') {
      problems.push(
        `${name} aggregates session windows, which merge, but its AggregateFunction has no merge(a, b); add one`,
      );
    }
    if (spec.trigger?.kind === 'custom' && typeof spec.trigger.trigger.onMerge !== 'function') {
      problems.push(
        `${name} uses a custom trigger on session windows, which merge, but the trigger has no onMerge(); add one`,
      );
    }
  }
  return problems;
}

function edgeProblems(graph: JobGraph, node: DraftNode, edge: DraftEdge): string[] {
  if (edge.partitioning?.kind !== 'forward') return [];
  const from = graph.parallelismOf(edge.from);
  const to = graph.parallelismOf(node.id);
  if (from === to) return [];
  return [
    `${graph.describe(node.id)} reads ${graph.describe(edge.from)} with forward(), but their parallelism differs (${from} and ${to}); drop forward() or give both the same parallelism`,
  ];
}
