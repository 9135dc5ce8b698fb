import type { ErrorCodeRegistry } from './spec.ts';

/** Errors raised by the `eddy` command line. */
export const CLI_CODES = {
  CLI_UNKNOWN_COMMAND: { domain: 'user', retriable: false, summary: 'The command is not one eddy knows.' },
  CLI_UNKNOWN_OPTION: { domain: 'user', retriable: false, summary: 'A flag is not one the command accepts.' },
  CLI_BAD_ARGUMENT: {
    domain: 'user',
    retriable: false,
    summary: 'An argument or flag value is missing or malformed.',
  },
  CLI_JOB_FILE_INVALID: {
    domain: 'user',
    retriable: false,
    summary: 'A job file could not be imported or does not default-export a function that builds the job.',
  },
} as const satisfies ErrorCodeRegistry;
