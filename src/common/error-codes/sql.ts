import type { ErrorCodeRegistry } from './spec.ts';

/** Errors of the SQL front end. Codes are added with the code that raises them. */
export const SQL_CODES = {} as const satisfies ErrorCodeRegistry;
