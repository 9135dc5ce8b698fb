// Producer id allocation (Kafka's ProducerIdManager): ids are handed out from blocks whose end is made
// durable before the first id of the block is used, so ids stay unique across restarts and crashes; a
// crash skips the rest of its block, as Kafka's block allocation does.

import type { MetaStore } from '../storage/meta-store.ts';

/** Ids claimed per durable write (Kafka's blocks are 1000 ids). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;
/** Meta store key of the next block's first id. */
export const PRODUCER_ID_BLOCK_KEY = 'producer-id-block';

/** The stored value under PRODUCER_ID_BLOCK_KEY. */
export interface ProducerIdBlock {
  nextBlockStart: number;
}

/**
 * Hands out producer ids, unique for the life of the data directory.
 *
 * @example
 * const ids = new ProducerIdManager(metaStore);
 * const producerId = await ids.generate(); // 0, then 1, ...; after a restart 1000, ...
 */
export class ProducerIdManager {
  private readonly meta: MetaStore<unknown>;
  private next: number;
  private blockEnd: number;
  private claiming: Promise<void> | null = null;

  constructor(meta: MetaStore<unknown>) {
    this.meta = meta;
    const stored = meta.get(PRODUCER_ID_BLOCK_KEY) as ProducerIdBlock | undefined;
    this.next = stored?.nextBlockStart ?? 0;
    this.blockEnd = this.next;
  }

  /** A new producer id; waits for a durable write once per block. */
  async generate(): Promise<number> {
    while (this.next >= this.blockEnd) {
      this.claiming ??= this.claimBlock().finally(() => {
        this.claiming = null;
      });
      await this.claiming;
    }
    return this.next++;
  }

  private async claimBlock(): Promise<void> {
    const end = this.blockEnd + PRODUCER_ID_BLOCK_SIZE;
    await this.meta.put(PRODUCER_ID_BLOCK_KEY, { nextBlockStart: end } satisfies ProducerIdBlock);
    this.blockEnd = end;
  }
}
