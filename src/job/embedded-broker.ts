import { type BrokerHandle, startBroker } from '../broker/index.ts';
import type { Logger } from '../common/logging.ts';

export interface EmbeddedBrokerOptions {
  readonly dataDir: string;
  /** Default 9092; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly durability?: 'fsync' | 'os';
  readonly defaultPartitions?: number;
  readonly logger?: Logger;
}

/** Starts eddy's broker in this process, for a job run without `--bootstrap`. */
export function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<BrokerHandle> {
  return startBroker({
    dataDir: options.dataDir,
    port: options.port ?? 9092,
    host: options.host,
    durability: options.durability,
    defaultPartitions: options.defaultPartitions,
    logger: options.logger?.child({ name: 'broker' }),
  });
}
