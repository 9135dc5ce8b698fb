// A minimal Kafka client over a real socket, built on eddy's own protocol codec: sends one request
// and decodes its response. For tests that need exact control of versions and bytes.
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, type MessageSchema } from '../../src/protocol/index.ts';

export class KafkaSocket {
  private readonly socket: Socket;
  private buffered = Buffer.alloc(0);
  private waiters: ((frame: Buffer | null) => void)[] = [];
  private correlationId = 1;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiters.shift()?.(frame);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const waiter of this.waiters.splice(0)) waiter(null);
    });
    socket.on('error', () => {});
  }

  static open(host: string, port: number): Promise<KafkaSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(new KafkaSocket(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends raw bytes and resolves with the next response frame (without size), or null if closed. */
  sendRaw(bytes: Buffer): Promise<Buffer | null> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(null);
      this.waiters.push(resolve);
      this.socket.write(bytes);
    });
  }

  async request<T = Record<string, unknown>>(
    schema: MessageSchema,
    apiVersion: number,
    body: unknown,
  ): Promise<T> {
    const correlationId = this.correlationId++;
    const frame = await this.sendRaw(
      encodeRequestFrame(schema, { apiVersion, correlationId, clientId: 'test' }, body),
    );
    if (frame === null)
      throw new Error(`connection closed instead of answering ${schema.name} v${apiVersion}`);
    const decoded = decodeResponseFrame<T>(schema, apiVersion, frame);
    if (decoded.correlationId !== correlationId) throw new Error('correlation id mismatch');
    return decoded.body;
  }

  close(): void {
    this.socket.destroy();
  }
}
