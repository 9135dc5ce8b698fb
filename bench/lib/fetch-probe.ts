// One Fetch request over a fresh connection, with eddy's own codec: the restart section of the broker
// bench uses it to time when a restarted broker first serves reads of its recovered log.
import { connect } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, FETCH_SCHEMA } from '../../src/protocol/index.ts';

/** One partition of a Fetch answer, reduced to what the bench reports. */
export interface ProbedPartition {
  partition: number;
  errorCode: number;
  highWatermark: number;
  recordBytes: number;
}

interface FetchAnswer {
  responses: {
    partitions: {
      partitionIndex: number;
      errorCode: number;
      highWatermark: number;
      records: Buffer | null;
    }[];
  }[];
}

const FETCH_VERSION = 12;

/**
 * Fetches up to 64 KiB from offset 0 of each of `partitions` of `topic` (maxWait 0) and resolves with
 * what each partition answered.
 *
 * @example
 * const parts = await fetchProbe('127.0.0.1', 9092, 'orders', [0, 1]);
 */
export function fetchProbe(
  host: string,
  port: number,
  topic: string,
  partitions: readonly number[],
  timeoutMs = 30_000,
): Promise<ProbedPartition[]> {
  const request = encodeRequestFrame(
    FETCH_SCHEMA,
    { apiVersion: FETCH_VERSION, correlationId: 1, clientId: 'eddy-bench' },
    {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: partitions.map((partition) => ({
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: 0,
            logStartOffset: -1,
            partitionMaxBytes: 64 * 1024,
          })),
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
  );
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => fail(new Error(`no Fetch answer within ${timeoutMs} ms`)), timeoutMs);
    const chunks: Buffer[] = [];
    let received = 0;
    function fail(error: Error): void {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    }
    socket.on('error', fail);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < 4) return;
      const all = Buffer.concat(chunks);
      const size = all.readInt32BE(0);
      if (all.length < 4 + size) return;
      clearTimeout(timer);
      socket.destroy();
      try {
        const { body } = decodeResponseFrame<FetchAnswer>(
          FETCH_SCHEMA,
          FETCH_VERSION,
          all.subarray(4, 4 + size),
        );
        resolve(
          body.responses.flatMap((t) =>
            t.partitions.map((p) => ({
              partition: p.partitionIndex,
              errorCode: p.errorCode,
              highWatermark: Number(p.highWatermark),
              recordBytes: p.records?.length ?? 0,
            })),
          ),
        );
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}
