import type { Batch } from './batch.ts';

/** What travels on a channel between tasks: a closed union. */
export type ChannelMessage =
  | { readonly kind: 'data'; readonly batch: Batch<unknown> }
  | { readonly kind: 'watermark'; readonly time: number }
  /** An input with nothing to say for a while stops holding back the minimum watermark. */
  | { readonly kind: 'idle'; readonly idle: boolean }
  | { readonly kind: 'barrier'; readonly checkpointId: number }
  | { readonly kind: 'end' };
