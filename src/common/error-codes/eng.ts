import type { ErrorCodeRegistry } from './spec.ts';

/** Errors of the stream-processing runtime. Codes are added with the code that raises them. */
export const ENG_CODES = {
  ENG_USER_FUNCTION_FAILED: {
    domain: 'user',
    retriable: false,
    summary:
      'A user function threw while processing an element; the message names the operator and the element.',
  },
} as const satisfies ErrorCodeRegistry;
