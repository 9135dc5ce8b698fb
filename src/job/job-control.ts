import { connect } from 'node:net';
import { ERROR_CODES } from '../common/error-codes/index.ts';
import { type ErrorCode, StreamError } from '../common/errors.ts';
import { type ControlRequest, type ControlResponse, controlSocketPath } from './control-server.ts';

/** Where `eddy run --state-dir D --job-id ID` listens, and how to reach it. */
export interface JobAddress {
  readonly stateDir: string;
  readonly jobId: string;
}

/**
 * Sends one control request to the job `eddy run` runs under `stateDir` with `jobId` and returns the
 * answer's fields. No socket, or nobody listening on it: ENG_JOB_NOT_RUNNING saying what to check. A
 * failed request: a StreamError with the code and message the job answered.
 *
 * The job may close the socket without an answer when the request ended it (a cancel tears the
 * control server down with the job); that counts as done for `cancel` and as an error otherwise.
 *
 * @example
 * const { savepoint } = await controlJob({ stateDir: '.eddy/state', jobId: 'clicks' }, { command: 'savepoint', dir: '/backups' });
 */
export async function controlJob(
  address: JobAddress,
  request: ControlRequest,
): Promise<Record<string, unknown>> {
  const path = controlSocketPath(address.stateDir, address.jobId);
  const response = await exchange(path, request, address);
  if (response === undefined) {
    if (request.command === 'cancel') return {};
    throw new StreamError(
      'ENG_CHECKPOINT_FAILED',
      `job "${address.jobId}" ended before it answered the ${request.command} request; see the output of its eddy run`,
    );
  }
  if (!response.ok) {
    const code = isKnownCode(response.error.code) ? response.error.code : 'ENG_INTERNAL';
    throw new StreamError(code, `job "${address.jobId}": ${response.error.message}`);
  }
  const { ok: _ok, id: _id, ...fields } = response;
  return fields;
}

/** Resolves with the first answer line, or undefined when the socket closed without one. */
function exchange(
  path: string,
  request: ControlRequest,
  address: JobAddress,
): Promise<ControlResponse | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffered = '';
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      action();
    };
    socket.setEncoding('utf8');
    socket.once('error', (cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT' || cause.code === 'ECONNREFUSED' || cause.code === 'ENOTSOCK')
        settle(() => reject(notRunning(address, path)));
      else
        settle(() =>
          reject(
            new StreamError(
              'ENG_JOB_NOT_RUNNING',
              `cannot reach job "${address.jobId}" on ${path}: ${cause.message}`,
              {
                cause,
              },
            ),
          ),
        );
    });
    socket.once('connect', () => socket.write(`${JSON.stringify({ id: 1, ...request })}\n`));
    socket.on('data', (text: string) => {
      buffered += text;
      const end = buffered.indexOf('\n');
      if (end >= 0) settle(() => resolve(JSON.parse(buffered.slice(0, end)) as ControlResponse));
    });
    socket.once('close', () => settle(() => resolve(undefined)));
  });
}

function notRunning(address: JobAddress, path: string): StreamError {
  return new StreamError(
    'ENG_JOB_NOT_RUNNING',
    `no job "${address.jobId}" runs with state dir ${address.stateDir} (nothing answers on ${path}); check the job id and that --state-dir matches the one given to eddy run`,
    { details: { path } },
  );
}

function isKnownCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
