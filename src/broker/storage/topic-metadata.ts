// Topic metadata files: `<dataDir>/topics/<name>.json`, one per topic, written atomically. The file is the
// commit point of topic creation and deletion; partition directories without one are leftovers.

import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StreamError } from '../../common/errors.ts';
import { removeFile, syncDir, writeFileAtomic } from './file-io.ts';

/** What the broker knows about a topic. */
export interface TopicMetadata {
  name: string;
  /** Random UUID (Kafka topic id, sent in Metadata v10+ as 16 bytes). */
  topicId: string;
  partitions: number;
  /** Topic-level config overrides, by Kafka config name, as given to CreateTopics. */
  configs: Record<string, string>;
}

/** Kafka's limit; longer names break the `<topic>-<partition>` directory names on common file systems. */
const MAX_NAME = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;
/** Folder (under the data dir) holding the topic files. */
export const TOPICS_FOLDER = 'topics';

/**
 * Throws BRK_TOPIC_INVALID unless `name` follows Kafka's topic name rules.
 *
 * @example
 * validateTopicName('orders.v1'); // ok
 */
export function validateTopicName(name: string): void {
  const problem =
    name.length === 0
      ? 'is empty'
      : name.length > MAX_NAME
        ? `is longer than ${MAX_NAME} characters`
        : name === '.' || name === '..'
          ? 'may not be "." or ".."'
          : LEGAL.test(name)
            ? null
            : 'may contain only ASCII letters, digits, ".", "_" and "-"';
  if (problem !== null) {
    throw new StreamError('BRK_TOPIC_INVALID', `topic name "${name}" ${problem}`, {
      details: { topic: name },
    });
  }
}

/** Reads every topic file in `dataDir`. Throws BRK_STORAGE_CORRUPT for one that does not parse. */
export async function readTopicFiles(dataDir: string): Promise<TopicMetadata[]> {
  const folder = join(dataDir, TOPICS_FOLDER);
  await mkdir(folder, { recursive: true });
  const topics: TopicMetadata[] = [];
  for (const file of (await readdir(folder)).sort()) {
    if (!file.endsWith('.json')) {
      if (file.endsWith('.tmp')) await removeFile(join(folder, file));
      continue;
    }
    const path = join(folder, file);
    const meta = parseTopic(await readFile(path, 'utf8'));
    if (meta === null || `${meta.name}.json` !== file) {
      throw new StreamError(
        'BRK_STORAGE_CORRUPT',
        `${path} is not a valid topic file; restore or delete it`,
        {
          details: { path },
        },
      );
    }
    topics.push(meta);
  }
  return topics;
}

/** Writes (or replaces) a topic file atomically. */
export async function writeTopicFile(dataDir: string, meta: TopicMetadata): Promise<void> {
  const folder = join(dataDir, TOPICS_FOLDER);
  await mkdir(folder, { recursive: true });
  await writeFileAtomic(
    join(folder, `${meta.name}.json`),
    `${JSON.stringify({ version: 1, ...meta }, null, 2)}\n`,
  );
}

/** Removes a topic file durably; from then on the topic does not exist, even after a crash. */
export async function removeTopicFile(dataDir: string, name: string): Promise<void> {
  const folder = join(dataDir, TOPICS_FOLDER);
  await removeFile(join(folder, `${name}.json`));
  await syncDir(folder);
}

function parseTopic(text: string): TopicMetadata | null {
  try {
    const v = JSON.parse(text) as Partial<TopicMetadata> & { version?: number };
    const configsOk =
      typeof v.configs === 'object' &&
      v.configs !== null &&
      Object.values(v.configs).every((c) => typeof c === 'string');
    if (
      v.version !== 1 ||
      typeof v.name !== 'string' ||
      typeof v.topicId !== 'string' ||
      !Number.isSafeInteger(v.partitions) ||
      !configsOk
    ) {
      return null;
    }
    return {
      name: v.name,
      topicId: v.topicId,
      partitions: v.partitions as number,
      configs: { ...v.configs },
    };
  } catch {
    return null;
  }
}
