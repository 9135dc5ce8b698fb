/** Who has to act when an error happens: the user fixes input, an outside system recovers, or we fix a bug. */
export type ErrorDomain = 'user' | 'external' | 'internal';

export interface ErrorCodeSpec {
  readonly domain: ErrorDomain;
  /** Whether repeating the same operation later may succeed. */
  readonly retriable: boolean;
  /** One line for docs/reference/errors.md and for logs. */
  readonly summary: string;
}

export type ErrorCodeRegistry = Readonly<Record<string, ErrorCodeSpec>>;
