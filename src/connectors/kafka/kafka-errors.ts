import { StreamError } from '../../common/errors.ts';
import { isUnreachable, unknownTopicOf } from '../../kafka/client-errors.ts';
import { explainKafkaError } from '../../kafka/explain-error.ts';

/**
 * A StreamError for a failed Kafka operation of a connector: a missing topic, an unreachable cluster, or
 * `fallback` for anything else. Messages say which connector, where, and what to check.
 *
 * @example throw kafkaFailure('kafka source', bootstrap, 'fetch records', error, 'CON_KAFKA_READ_FAILED');
 */
export function kafkaFailure(
  connector: string,
  bootstrap: string,
  what: string,
  error: unknown,
  fallback:
    | 'CON_KAFKA_READ_FAILED'
    | 'CON_KAFKA_WRITE_FAILED'
    | 'CON_KAFKA_COMMIT_FAILED'
    | 'CON_KAFKA_TRANSACTION_FAILED',
): StreamError {
  if (error instanceof StreamError) return error;
  const details = { connector, bootstrap };
  const topic = unknownTopicOf(error);
  if (topic !== undefined) {
    return new StreamError(
      'CON_KAFKA_TOPIC_NOT_FOUND',
      `${connector}: topic "${topic}" does not exist at ${bootstrap}. Create it (eddy topics create ${topic}) ` +
        'or fix the topic name.',
      { cause: error, details: { ...details, topic } },
    );
  }
  const reason = explainKafkaError(error);
  if (isUnreachable(error)) {
    return new StreamError(
      'CON_KAFKA_UNAVAILABLE',
      `${connector} cannot ${what}: no answer from the Kafka cluster at ${bootstrap} (${reason}). ` +
        'Check that the broker runs and that the bootstrap address (--bootstrap) is right.',
      { cause: error, details },
    );
  }
  return new StreamError(fallback, `${connector} cannot ${what} at ${bootstrap}: ${reason}`, {
    cause: error,
    details,
  });
}

/** A Kafka connector was given no bootstrap address, neither in its config nor by the job. */
export function missingBootstrap(connector: string): StreamError {
  return new StreamError(
    'CON_INVALID_CONFIG',
    `${connector} config is invalid: "bootstrap" is required when the job has no Kafka cluster; ` +
      'set bootstrap: "host:port" or run the job with --bootstrap.',
    { details: { connector } },
  );
}
