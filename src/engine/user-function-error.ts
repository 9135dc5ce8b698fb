import { StreamError } from '../common/errors.ts';

const MAX_ELEMENT_TEXT = 500;

/**
 * Wraps an exception thrown by user code so the job fails with the operator's name, the element that
 * was being processed and the original cause.
 *
 * @example
 * try { fn(value) } catch (cause) { throw userFunctionFailed('parse clicks', value, cause) }
 */
export function userFunctionFailed(operatorName: string, element: unknown, cause: unknown): StreamError {
  if (cause instanceof StreamError && cause.code === 'ENG_USER_FUNCTION_FAILED') return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const text = describeElement(element);
  return new StreamError(
    'ENG_USER_FUNCTION_FAILED',
    `operator "${operatorName}" failed on element ${text}: ${reason}`,
    { cause, details: { operator: operatorName, element: text } },
  );
}

/**
 * Wraps an exception thrown by user code outside element processing (open, close, a watermark
 * generator), naming the operator and the hook.
 *
 * @example
 * throw userHookFailed('enrich', 'open()', cause); // operator "enrich" failed in open(): ...
 */
export function userHookFailed(operatorName: string, hook: string, cause: unknown): StreamError {
  if (cause instanceof StreamError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StreamError(
    'ENG_USER_FUNCTION_FAILED',
    `operator "${operatorName}" failed in ${hook}: ${reason}`,
    {
      cause,
      details: { operator: operatorName, hook },
    },
  );
}

export function describeElement(element: unknown): string {
  let text: string;
  try {
    text =
      typeof element === 'string' ? JSON.stringify(element) : (JSON.stringify(element) ?? String(element));
  } catch {
    text = String(element);
  }
  return text.length > MAX_ELEMENT_TEXT ? `${text.slice(0, MAX_ELEMENT_TEXT)}…` : text;
}
