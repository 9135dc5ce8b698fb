import type { ErrorCodeRegistry } from './spec.ts';

/** Errors of the stream-processing runtime. Codes are added with the code that raises them. */
export const ENG_CODES = {} as const satisfies ErrorCodeRegistry;
