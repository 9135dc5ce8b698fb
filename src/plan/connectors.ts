/**
 * Sources and sinks are named by a connector id and a config; the connector registry
 * (src/connectors/registry.ts) turns them into running readers and writers. The type parameter is
 * what the source produces or the sink accepts; it exists for the type checker only.
 */
export interface SourceDescriptor<T> {
  readonly connector: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** A bounded source ends; when every source has ended the job finishes. */
  readonly bounded: boolean;
  readonly __type?: T;
}

export interface SinkDescriptor<T> {
  readonly connector: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly __type?: (value: T) => void;
}

/**
 * What happens to a record a source cannot turn into an element (undecodable bytes) or that has no
 * usable timestamp: fail the job, skip it (counted), or write it with the error and the original bytes
 * to a dead-letter sink (counted).
 */
export type BadRecordPolicy =
  | { readonly kind: 'fail' }
  | { readonly kind: 'skip' }
  | { readonly kind: 'dead-letter'; readonly sink: SinkDescriptor<DeadLetter> };

/** A record written to a dead-letter sink. */
export interface DeadLetter {
  readonly error: string;
  readonly source: string;
  /** Original bytes as base64 (null when the record had no value). */
  readonly value: string | null;
  readonly key: string | null;
  /** Where the record came from, e.g. { topic, partition, offset } for Kafka. */
  readonly origin: Readonly<Record<string, unknown>>;
  readonly timestamp: number;
}
