import type { MessageToProduce } from '@platformatic/kafka';
import type { RepartitionRecord } from '../../engine/repartition/repartition-records.ts';

/** Records per send are capped by bytes, as in the Kafka sink (under Kafka's 1 MiB message.max.bytes). */
export const REQUEST_BYTES = 512 * 1024;
/** Header bytes per record besides key and value (two short headers), for the request-size estimate. */
const HEADER_BYTES = 32;
/**
 * The widest range of record timestamps in one request. The client (via @platformatic/dynamic-buffer
 * 0.3.1) writes a record's timestamp delta from the batch's first one as a zigzag varint that is only
 * right below 2^31 in magnitude (it shifts by 31 bits and masks 32): a larger delta is silently read
 * back as another time. Event times more than ~12 days apart therefore go in separate requests.
 */
export const MAX_TIMESTAMP_RANGE = 2 ** 30;

/** Messages for one SharedTransaction.send, and their estimated size. */
export interface ProduceRequest {
  readonly messages: MessageToProduce[];
  readonly bytes: number;
}

/**
 * Turns encoded repartition records into producer messages for explicit partitions (`partitions[i]`
 * for `records[i]`), split into requests of at most `maxBytes` (a larger record goes alone) whose
 * timestamps lie within MAX_TIMESTAMP_RANGE, in order. A record without a Kafka timestamp (a control
 * record, or an element whose time travels in a header) gets its predecessor's, which readers ignore:
 * left to the client it would be the current time, often far from the elements' event times.
 *
 * @example
 * const requests = produceRequests('job-repartition-0', encoder.data(batch, groups), [2, 0, 2]);
 * for (const { messages, bytes } of requests) await txn.send(segment, messages, bytes);
 */
export function produceRequests(
  topic: string,
  records: readonly RepartitionRecord[],
  partitions: readonly number[],
  maxBytes = REQUEST_BYTES,
): ProduceRequest[] {
  const requests: ProduceRequest[] = [];
  let messages: MessageToProduce[] = [];
  let bytes = 0;
  let headers: RepartitionRecord['headers'] | undefined;
  let headerMap = new Map<Buffer, Buffer>();
  let last = records.find((r) => r.timestamp !== undefined)?.timestamp ?? Date.now();
  let [low, high] = [last, last];
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    // The encoder shares one header list among a batch's data records; so do the messages.
    if (record.headers !== headers) {
      headers = record.headers;
      headerMap = new Map(headers);
    }
    const size = record.key.length + (record.value?.length ?? 0) + HEADER_BYTES;
    const time = record.timestamp ?? last;
    const [from, to] = [Math.min(low, time), Math.max(high, time)];
    if (messages.length > 0 && (bytes + size > maxBytes || to - from >= MAX_TIMESTAMP_RANGE)) {
      requests.push({ messages, bytes });
      messages = [];
      bytes = 0;
      [low, high] = [time, time];
    } else [low, high] = [from, to];
    messages.push(toMessage(topic, partitions[i], record, headerMap, time));
    bytes += size;
    last = time;
  }
  if (messages.length > 0) requests.push({ messages, bytes });
  return requests;
}

function toMessage(
  topic: string,
  partition: number,
  record: RepartitionRecord,
  headers: Map<Buffer, Buffer>,
  timestamp: number,
): MessageToProduce {
  const message: MessageToProduce = {
    topic,
    partition,
    key: record.key,
    headers,
    timestamp: BigInt(timestamp),
  };
  // A control record without a value is left without one (the client writes null): a null value
  // would not survive the worker-thread transaction proxy, which converts values to Buffers.
  if (record.value !== null) message.value = record.value;
  return message;
}
