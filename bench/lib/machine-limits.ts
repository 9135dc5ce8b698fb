// What this machine can do at best, measured in the same run as the broker figures so the two can be
// compared: sequential writes on the data disk (with and without fdatasync) and TCP over loopback
// between two Node processes. MB = 10^6 bytes.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface WriteLimit {
  mbPerSec: number;
  /** Writes (each followed by fdatasync when syncing) per second. */
  opsPerSec: number;
}

export interface SequentialWriteOptions {
  chunkBytes: number;
  /** Stop after this many bytes... */
  maxBytes: number;
  /** ...or after this long, whichever comes first. */
  maxMs: number;
  /** fdatasync after every chunk (what `fsync` mode pays per group commit). */
  sync: boolean;
}

/**
 * Appends `chunkBytes` of random data to a fresh file in `dir` until `maxBytes` or `maxMs`, optionally
 * with fdatasync after each write, then deletes the file.
 *
 * @example
 * sequentialWrite('/var/lib/eddy', { chunkBytes: 1 << 20, maxBytes: 256 << 20, maxMs: 3000, sync: true });
 */
export function sequentialWrite(dir: string, options: SequentialWriteOptions): WriteLimit {
  const { chunkBytes, maxBytes, maxMs, sync } = options;
  // Random bytes, so a compressing or deduplicating device cannot flatter the figure.
  const chunk = randomFillSync(Buffer.alloc(chunkBytes));
  const file = join(dir, `eddy-bench-write-${process.pid}-${chunkBytes}.tmp`);
  const fd = openSync(file, 'w');
  let written = 0;
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  try {
    while (written < maxBytes && elapsed < maxMs) {
      let off = 0;
      while (off < chunkBytes) off += writeSync(fd, chunk, off, chunkBytes - off);
      if (sync) fdatasyncSync(fd);
      written += chunkBytes;
      ops++;
      elapsed = performance.now() - start;
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  const seconds = elapsed / 1000;
  return { mbPerSec: written / 1e6 / seconds, opsPerSec: ops / seconds };
}

const SENDER = `
const net = require('node:net');
const [port, ms, chunkBytes] = process.argv.slice(1).map(Number);
const chunk = Buffer.alloc(chunkBytes, 7);
const socket = net.connect(port, '127.0.0.1', () => {
  const end = Date.now() + ms;
  const pump = () => {
    while (Date.now() < end) if (!socket.write(chunk)) return void socket.once('drain', pump);
    socket.end();
  };
  pump();
});
`;

/**
 * TCP throughput over 127.0.0.1 from a child Node process (sending `chunkBytes` writes for `ms`) to
 * this one, counted at the receiver from its first to its last byte.
 */
export async function loopbackTcp(ms: number, chunkBytes = 256 * 1024): Promise<{ mbPerSec: number }> {
  let received = 0;
  let first = 0;
  let last = 0;
  let ended: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const server = createServer((socket) => {
    socket.on('data', (data: Buffer) => {
      if (received === 0) first = performance.now();
      received += data.length;
      last = performance.now();
    });
    socket.on('end', ended);
    socket.on('error', ended);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const child = spawn(process.execPath, ['-e', SENDER, `${port}`, `${ms}`, `${chunkBytes}`], {
    stdio: 'inherit',
  });
  const code: number | null = await new Promise((resolve) => child.on('close', resolve));
  if (code === 0) await done;
  server.close();
  if (code !== 0 || received === 0)
    throw new Error(`loopback sender exited with ${code}, ${received} bytes received`);
  return { mbPerSec: received / 1e6 / ((last - first) / 1000) };
}
