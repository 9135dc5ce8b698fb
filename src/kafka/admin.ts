import { Admin } from '@platformatic/kafka';
import { baseClientOptions, type KafkaClientOptions } from './client-options.ts';

export interface TopicDescription {
  name: string;
  id: string;
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[];
  /** Every config of the topic with its value and whether it is the default. */
  configs: { name: string; value: string | null; isDefault: boolean }[];
}

/** DescribeConfigs resource type of a topic, and the config source meaning "default" (Kafka values). */
const TOPIC_RESOURCE = 2;
const DEFAULT_CONFIG_SOURCE = 5;

/**
 * Runs `fn` with an admin client and always closes it.
 *
 * @example
 * await withAdmin({ bootstrap: '127.0.0.1:9092' }, (admin) => createTopic(admin, 'clicks', 4, {}));
 */
export async function withAdmin<T>(
  options: KafkaClientOptions,
  fn: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = new Admin(baseClientOptions(options, 'admin'));
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

export async function createTopic(
  admin: Admin,
  name: string,
  partitions: number,
  configs: Record<string, string>,
): Promise<void> {
  await admin.createTopics({
    topics: [name],
    partitions,
    replicas: 1,
    configs: Object.entries(configs).map(([key, value]) => ({ name: key, value })),
  });
}

/**
 * Raises a topic's partition count to `count` (a total, not an increment). The broker refuses a count
 * that is not larger than the current one. Producers map keys to partitions by count, so keyed records
 * may go to other partitions afterwards.
 *
 * @example
 * await withAdmin({ bootstrap: '127.0.0.1:9092' }, (admin) => addPartitions(admin, 'clicks', 8));
 */
export async function addPartitions(admin: Admin, topic: string, count: number): Promise<void> {
  await admin.createPartitions({ topics: [{ name: topic, count }] });
}

export function listTopics(admin: Admin): Promise<string[]> {
  return admin.listTopics();
}

export function deleteTopic(admin: Admin, name: string): Promise<void> {
  return admin.deleteTopics({ topics: [name] });
}

export async function describeTopic(admin: Admin, name: string): Promise<TopicDescription> {
  const metadata = await admin.metadata({ topics: [name] });
  const topic = metadata.topics.get(name);
  if (!topic) throw new Error(`topic ${name} not found in metadata`);
  const [description] = await admin.describeConfigs({
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: name, configurationKeys: null }],
  });
  return {
    name,
    id: topic.id,
    partitions: topic.partitions.map((p, partition) => ({
      partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
    })),
    configs: (description?.configs ?? []).map((c) => ({
      name: c.name,
      value: c.value ?? null,
      isDefault: c.configSource === DEFAULT_CONFIG_SOURCE,
    })),
  };
}
