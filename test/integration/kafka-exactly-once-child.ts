// A job process that dies mid-checkpoint: it writes records with an exactly-once Kafka sink, prepares
// checkpoint 2 (the records are in the open transaction), says "prepared" and waits to be killed.
// Usage: node kafka-exactly-once-child.ts <bootstrap> <jobId> <topic> <value>...
import { KafkaSinkWriter } from '../../src/connectors/kafka/kafka-sink.ts';
import { batch, sinkContext } from '../../src/connectors/shared/testing.ts';

const [bootstrap, jobId, topic, ...values] = process.argv.slice(2);
const writer = new KafkaSinkWriter({ topic, format: 'string', guarantee: 'exactly-once' });
await writer.open(
  sinkContext({
    bootstrap,
    jobId,
    checkpointing: { interval: 1_000, timeout: 10_000, mode: 'exactly-once' },
  }),
);
await writer.write(batch(values));
await writer.prepareCommit(2);
process.stdout.write('prepared\n');
setInterval(() => undefined, 60_000);
