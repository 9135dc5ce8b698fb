import { z } from 'zod';
import { LOG_LEVELS } from '../common/logging.ts';

/**
 * Every configuration key the command line knows. Flags beat `EDDY_<KEY>` environment variables, which
 * beat eddy.config.json; one table, so a config file is checked against all keys at once.
 */
export const CLI_SETTINGS = {
  logLevel: {
    schema: z.enum(LOG_LEVELS),
    default: 'info' as (typeof LOG_LEVELS)[number],
    description: 'log level',
  },
  bootstrap: {
    schema: z
      .string()
      .regex(
        /^(\[[0-9a-fA-F:]+\]|[^:\s,]+):\d{1,5}(,(\[[0-9a-fA-F:]+\]|[^:\s,]+):\d{1,5})*$/,
        'expected host:port, e.g. 127.0.0.1:9092',
      ),
    default: '127.0.0.1:9092',
    description: 'broker address(es), host:port[,host:port]',
  },
  brokerHost: {
    schema: z.string().min(1),
    default: 'localhost',
    description: 'address the broker listens on; localhost means both 127.0.0.1 and ::1',
    flag: '--host',
  },
  brokerPort: {
    schema: z.number().int().min(0).max(65535),
    default: 9092,
    description: 'port the broker listens on',
    flag: '--port',
  },
  brokerDataDir: {
    schema: z.string().min(1),
    default: '.eddy/broker',
    description: 'broker data directory',
    flag: '--data-dir',
  },
  brokerDurability: {
    schema: z.enum(['fsync', 'os']),
    default: 'fsync' as 'fsync' | 'os',
    description: 'fsync: acknowledge after fdatasync; os: after write (page cache)',
    flag: '--durability',
  },
  brokerPartitions: {
    schema: z.number().int().min(1).max(100_000),
    default: 1,
    description: 'partitions of auto-created topics',
    flag: '--partitions',
  },
};
