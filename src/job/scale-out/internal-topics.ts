import type { Admin } from '@platformatic/kafka';
import { StreamError } from '../../common/errors.ts';
import { createTopic, listTopics, withAdmin } from '../../kafka/admin.ts';
import type { JobPlan } from '../../plan/nodes.ts';

/**
 * The task count of a scaled-out job when the command line names none: the largest partition count
 * among the Kafka topics it reads, so each task reads one partition of its largest input (as Kafka
 * Streams does). Every process computes the same number from the cluster, whatever its core count.
 *
 * @example const tasks = await defaultTaskCount(plan, '127.0.0.1:9092'); // 4 for a 4-partition input
 */
export async function defaultTaskCount(plan: JobPlan, bootstrap: string): Promise<number> {
  const byCluster = new Map<string, Set<string>>();
  for (const node of plan.nodes) {
    if (node.kind !== 'source' || node.source.connector !== 'kafka') continue;
    const config = node.source.config as { topics?: readonly string[]; bootstrap?: string };
    const cluster = config.bootstrap ?? bootstrap;
    const topics = byCluster.get(cluster) ?? new Set<string>();
    for (const topic of config.topics ?? []) topics.add(topic);
    byCluster.set(cluster, topics);
  }
  let largest = 0;
  for (const [cluster, topics] of byCluster) {
    const counts = await withAdmin({ bootstrap: cluster, clientId: 'eddy-scale-out' }, (admin) =>
      partitionCounts(admin, [...topics]),
    );
    for (const count of counts.values()) largest = Math.max(largest, count);
  }
  if (largest === 0)
    throw new StreamError(
      'ENG_INVALID_JOB',
      'a scaled-out job takes its task count from the partitions of the Kafka topics it reads, and this ' +
        'job reads none that exist yet: create its input topics first, or pass --parallelism <tasks> ' +
        '(the same on every process)',
    );
  return largest;
}

/**
 * Creates the job's repartition topics with `tasks` partitions each; one that exists must have exactly
 * that many (its partitions are the tasks' inboxes). Safe when several processes do it at once.
 *
 * @example await ensureRepartitionTopics('127.0.0.1:9092', ['clicks-repartition-0'], 4);
 */
export async function ensureRepartitionTopics(
  bootstrap: string,
  topics: readonly string[],
  tasks: number,
): Promise<void> {
  if (topics.length === 0) return;
  await withAdmin({ bootstrap, clientId: 'eddy-scale-out' }, async (admin) => {
    const existing = new Set(await listTopics(admin));
    for (const topic of topics) {
      if (existing.has(topic)) continue;
      // Another process may create it between the listing and here; the count check below still holds.
      // Records keep their event time as Kafka timestamp, which may be old: time-based retention must not
      // delete what a task has not read yet (Kafka Streams keeps repartition topics the same way).
      await createTopic(admin, topic, tasks, { 'retention.ms': '-1' }).catch(() => undefined);
    }
    const counts = await partitionCounts(admin, topics);
    for (const topic of topics) {
      const count = counts.get(topic);
      if (count === tasks) continue;
      throw new StreamError(
        'ENG_INVALID_JOB',
        count === undefined
          ? `repartition topic "${topic}" could not be created on ${bootstrap}; create it with ${tasks} partitions`
          : `repartition topic "${topic}" has ${count} partitions but the job runs ${tasks} tasks: a scaled-out ` +
              `job keeps its task count for its lifetime. Run it with --parallelism ${count}, or start it ` +
              'afresh under a new --job-id',
        { details: { topic, partitions: count ?? null, tasks } },
      );
    }
  });
}

async function partitionCounts(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const present = new Set(await listTopics(admin));
  const wanted = topics.filter((topic) => present.has(topic));
  const counts = new Map<string, number>();
  if (wanted.length === 0) return counts;
  const metadata = await admin.metadata({ topics: wanted });
  for (const topic of wanted) {
    const found = metadata.topics.get(topic);
    if (found !== undefined) counts.set(topic, found.partitions.length);
  }
  return counts;
}
