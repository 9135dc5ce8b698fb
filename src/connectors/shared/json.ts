import { StreamError } from '../../common/errors.ts';
import { describeElement } from '../../engine/user-function-error.ts';

/**
 * JSON text of a value a sink writes; values JSON cannot represent (undefined, functions, BigInt,
 * cycles) fail with CON_RECORD_UNWRITABLE naming the sink instead of writing "undefined" or crashing.
 *
 * @example toJson({ a: 1 }, 'kafka sink') // '{"a":1}'
 */
export function toJson(value: unknown, sink: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw unwritable(sink, value, `JSON cannot represent it (${(cause as Error).message})`, cause);
  }
  if (text === undefined) throw unwritable(sink, value, `JSON cannot represent a ${typeof value}`);
  return text;
}

export function unwritable(sink: string, value: unknown, why: string, cause?: unknown): StreamError {
  return new StreamError(
    'CON_RECORD_UNWRITABLE',
    `${sink} cannot write ${describeElement(value)}: ${why}. Map the stream to a value the format can hold first.`,
    { cause, details: { sink } },
  );
}
