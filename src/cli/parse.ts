import { StreamError } from '../common/errors.ts';

/** A positive integer flag value, or a CLI_BAD_ARGUMENT error naming the flag. */
export function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new StreamError('CLI_BAD_ARGUMENT', `${flag} needs a whole number of at least 1, got "${text}"`);
  }
  return value;
}

/** `k=v` pairs from repeated `--config` flags. */
export function keyValuePairs(flag: string, pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new StreamError('CLI_BAD_ARGUMENT', `${flag} needs key=value, got "${pair}"`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** commander collector for repeatable flags. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
