import type { ErrorCodeRegistry } from './spec.ts';

/** Errors from loading and validating configuration (flags, `EDDY_*` variables, eddy.config.json). */
export const CFG_CODES = {
  CFG_INVALID_VALUE: {
    domain: 'user',
    retriable: false,
    summary: 'A configuration key has a value outside what it allows.',
  },
  CFG_UNKNOWN_KEY: {
    domain: 'user',
    retriable: false,
    summary: 'A configuration key is not one eddy knows.',
  },
  CFG_FILE_UNREADABLE: {
    domain: 'user',
    retriable: false,
    summary: 'eddy.config.json exists but cannot be read or is not valid JSON.',
  },
} as const satisfies ErrorCodeRegistry;
