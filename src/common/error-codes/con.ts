import type { ErrorCodeRegistry } from './spec.ts';

/** Errors of the sources and sinks. Codes are added with the code that raises them. */
export const CON_CODES = {} as const satisfies ErrorCodeRegistry;
