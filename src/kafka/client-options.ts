/** Options every eddy Kafka client shares. */
export interface KafkaClientOptions {
  /** `host:port`, or several separated by commas. */
  bootstrap: string;
  clientId?: string;
}

/** Splits a bootstrap string into the broker list the client library expects. */
export function bootstrapBrokers(bootstrap: string): string[] {
  return bootstrap
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function baseClientOptions(options: KafkaClientOptions, role: string) {
  return {
    clientId: options.clientId ?? `eddy-${role}`,
    bootstrapBrokers: bootstrapBrokers(options.bootstrap),
    // Fail fast with a clear message instead of retrying for minutes when nothing listens.
    retries: 2,
    retryDelay: 250,
    timeout: 10_000,
  };
}
