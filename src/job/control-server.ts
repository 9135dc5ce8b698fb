import { mkdir, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { StreamError } from '../common/errors.ts';
import type { Logger } from '../common/logging.ts';
import { jobStateDir } from '../engine/checkpoint/storage.ts';
import type { JobExecution } from '../engine/execute.ts';

/**
 * What another process may ask a running job, one JSON object per line. `id` is echoed back.
 *
 *   {"id":1,"command":"status"}
 *   {"id":2,"command":"checkpoint"}
 *   {"id":3,"command":"savepoint","dir":"/backups"}
 *   {"id":4,"command":"stop","dir":"/backups"}      savepoint, then the job stops
 *   {"id":5,"command":"cancel"}
 */
export type ControlRequest = { readonly id?: string | number } & (
  | { readonly command: 'status' | 'checkpoint' | 'cancel' }
  | { readonly command: 'savepoint' | 'stop'; readonly dir: string }
);

/** `{ id, ok: true, ... }` with the answer's fields, or `{ id, ok: false, error: { code, message } }`. */
export type ControlResponse =
  | ({ readonly id?: string | number; readonly ok: true } & Record<string, unknown>)
  | {
      readonly id?: string | number;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    };

/** Linux allows 107 bytes in a Unix socket path; longer state directories get no control socket. */
const MAX_SOCKET_PATH = 107;

/** `<stateDir>/<jobId>/control.sock`. */
export function controlSocketPath(stateDir: string, jobId: string): string {
  return join(jobStateDir(stateDir, jobId), 'control.sock');
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Listens on the job's control socket so `eddy savepoint`, `eddy stop` and friends can reach a job
 * that `eddy run` started. A socket left by a killed process is replaced; one that still answers
 * means the job runs elsewhere: ENG_JOB_ALREADY_RUNNING.
 *
 * @example
 * const server = await startControlServer(job.execution, { stateDir: '.eddy/state', jobId: 'clicks' });
 * // elsewhere: await sendControlRequest(server.path, { command: 'savepoint', dir: '/backups' });
 */
export async function startControlServer(
  /** Or a function returning it once the job has started: a server started first guards the job id. */
  execution: JobExecution | (() => JobExecution | undefined),
  options: { stateDir: string; jobId: string; logger?: Logger },
): Promise<ControlServer | undefined> {
  const path = controlSocketPath(options.stateDir, options.jobId);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    options.logger?.warn(
      { path },
      'the control socket path is too long for a Unix socket; no control socket',
    );
    return undefined;
  }
  await assertJobNotRunning(options);
  await unlink(path).catch(() => {});
  await mkdir(jobStateDir(options.stateDir, options.jobId), { recursive: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    serve(socket, execution);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    path,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(path).catch(() => {});
    },
  };
}

/**
 * Throws ENG_JOB_ALREADY_RUNNING when the job's control socket answers: a process runs this job id on
 * this state dir. `eddy run` checks before it starts anything, so a second process never restores,
 * writes a checkpoint or fences the first one's Kafka transaction.
 */
export async function assertJobNotRunning(options: { stateDir: string; jobId: string }): Promise<void> {
  const path = controlSocketPath(options.stateDir, options.jobId);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH || !(await answers(path))) return;
  throw new StreamError(
    'ENG_JOB_ALREADY_RUNNING',
    `job "${options.jobId}" already runs on ${options.stateDir} (its control socket ${path} answers); stop it ` +
      'first or pick another --job-id. Several processes of one job are not supported yet.',
    { details: { path } },
  );
}

function serve(socket: Socket, execution: JobExecution | (() => JobExecution | undefined)): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    buffered += text;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end).trim();
      buffered = buffered.slice(end + 1);
      if (line.length === 0) continue;
      void answer(line, execution).then((response) => {
        if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
      });
    }
  });
}

async function answer(
  line: string,
  executionOf: JobExecution | (() => JobExecution | undefined),
): Promise<ControlResponse> {
  let request: ControlRequest;
  try {
    request = JSON.parse(line) as ControlRequest;
  } catch {
    return failure(undefined, 'CLI_BAD_ARGUMENT', `not a JSON request: ${line.slice(0, 200)}`);
  }
  const id = request.id;
  const execution = typeof executionOf === 'function' ? executionOf() : executionOf;
  if (execution === undefined)
    return failure(id, 'ENG_CHECKPOINT_UNAVAILABLE', 'the job is still starting; ask again in a moment');
  try {
    switch (request.command) {
      case 'status': {
        const metrics = execution.metrics();
        return {
          id,
          ok: true,
          jobId: execution.jobId,
          restarts: metrics.restarts,
          checkpoints: metrics.checkpoints,
          restoredFrom: execution.restoredFrom ?? null,
        };
      }
      case 'checkpoint':
        return { id, ok: true, checkpointId: await execution.triggerCheckpoint() };
      case 'savepoint':
        return { id, ok: true, savepoint: await execution.triggerSavepoint(requireDir(request.dir)) };
      case 'stop':
        return { id, ok: true, savepoint: await execution.stopWithSavepoint(requireDir(request.dir)) };
      case 'cancel':
        await execution.cancel();
        return { id, ok: true };
      default:
        return failure(
          id,
          'CLI_BAD_ARGUMENT',
          `unknown command ${JSON.stringify((request as { command?: unknown }).command)}; use status, checkpoint, savepoint, stop or cancel`,
        );
    }
  } catch (error) {
    const code = error instanceof StreamError ? error.code : 'ENG_INTERNAL';
    return failure(id, code, error instanceof Error ? error.message : String(error));
  }
}

function requireDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir.length === 0)
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      'savepoint and stop need "dir": the directory to write the savepoint in',
    );
  return dir;
}

function failure(id: string | number | undefined, code: string, message: string): ControlResponse {
  return { id, ok: false, error: { code, message } };
}

/** True when something listens on the socket. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Sends one request to a job's control socket and resolves with its answer (the client side of
 * `eddy savepoint` / `eddy stop`).
 *
 * @example
 * const answer = await sendControlRequest(controlSocketPath('.eddy/state', 'clicks'), { command: 'stop', dir: '/backups' });
 */
export function sendControlRequest(path: string, request: ControlRequest): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.once('error', (cause) =>
      reject(
        new StreamError('CLI_BAD_ARGUMENT', `no running job answers on ${path}: ${cause.message}`, { cause }),
      ),
    );
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (text: string) => {
      buffered += text;
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      socket.destroy();
      resolve(JSON.parse(buffered.slice(0, end)) as ControlResponse);
    });
    // A job that ends while answering (cancel) may close the socket first; settle instead of hanging.
    socket.once('close', () =>
      reject(
        new StreamError('ENG_JOB_NOT_RUNNING', `the job on ${path} closed the connection without an answer`),
      ),
    );
  });
}
