// Runs kcat (Debian's, on librdkafka) as a child process with a timeout, for the compat tests.
import { execFileSync, spawn } from 'node:child_process';

/** Why kcat tests cannot run here, or null when kcat is installed. */
export function kcatMissing(): string | null {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'ignore', timeout: 5_000 });
    return null;
  } catch {
    return 'kcat is not installed (Debian package "kcat"); install it to run the librdkafka compatibility tests';
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kcat args`, feeding `input` on stdin; kills it after `timeoutMs`. */
export function kcat(args: string[], input = '', timeoutMs = 15_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** Runs kcat and fails with its stderr when it exits non-zero. */
export async function kcatOk(args: string[], input = '', timeoutMs = 15_000): Promise<string> {
  const result = await kcat(args, input, timeoutMs);
  if (result.code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}
