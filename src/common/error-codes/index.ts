import { BRK_CODES } from './brk.ts';
import { CFG_CODES } from './cfg.ts';
import { CLI_CODES } from './cli.ts';
import { CON_CODES } from './con.ts';
import { ENG_CODES } from './eng.ts';
import type { ErrorCodeSpec } from './spec.ts';
import { SQL_CODES } from './sql.ts';

export type { ErrorCodeSpec, ErrorDomain } from './spec.ts';

/** Every module's registry, by prefix. A code's prefix names the module that raises it. */
export const ERROR_REGISTRIES = {
  BRK_: BRK_CODES,
  CFG_: CFG_CODES,
  CLI_: CLI_CODES,
  CON_: CON_CODES,
  ENG_: ENG_CODES,
  SQL_: SQL_CODES,
} as const;

export const ERROR_CODES = {
  ...BRK_CODES,
  ...CFG_CODES,
  ...CLI_CODES,
  ...CON_CODES,
  ...ENG_CODES,
  ...SQL_CODES,
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
