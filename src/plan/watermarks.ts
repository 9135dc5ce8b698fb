/** Extracts an event timestamp (epoch ms) from a record; recordTimestamp is the source's own (Kafka's), or NaN. */
export type TimestampAssigner<T> = (value: T, recordTimestamp: number) => number;

/** Tracks what a source split has seen and says how far event time has certainly progressed. */
export interface WatermarkGenerator<T> {
  onEvent(value: T, timestamp: number): void;
  /** Called every watermark interval; returns the current watermark (undefined: none yet). */
  currentWatermark(): number | undefined;
}

/**
 * How a source (or assignTimestampsAndWatermarks) derives timestamps and watermarks. Built with the
 * `WatermarkStrategy` helpers in the API; the engine creates one generator per source split (Kafka
 * partition) and emits the minimum over splits that are not idle.
 *
 * Semantics follow Flink: bounded out-of-orderness emits `maxTimestamp - bound - 1`; monotonous is
 * bound 0; an element is late when its window's last millisecond plus allowed lateness is at or below
 * the current watermark.
 */
export interface WatermarkStrategySpec<T> {
  readonly kind: 'bounded-out-of-orderness' | 'monotonous' | 'custom' | 'none';
  /** For 'bounded-out-of-orderness'. */
  readonly maxOutOfOrderness?: number;
  /** Without one, the source's record timestamp is used (Kafka's timestamp); none at all is a bad record. */
  readonly timestampAssigner?: TimestampAssigner<T>;
  /** A split with no records for this long stops holding the watermark back until it has records again. */
  readonly idleTimeout?: number;
  /** For 'custom'. */
  readonly createGenerator?: () => WatermarkGenerator<T>;
}
