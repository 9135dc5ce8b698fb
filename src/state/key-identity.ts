/**
 * JavaScript Maps compare keys by identity, but two keys that look alike (`['a', 1]` twice) must share
 * state, as they share a key group. Primitive keys are used as they are; anything else is replaced by
 * its JSON text, prefixed with a character no ordinary string key starts with.
 *
 * @example
 * mapKeyOf('user-1') === 'user-1';
 * mapKeyOf(['a', 1]) === mapKeyOf(['a', 1]);
 */
export function mapKeyOf(key: unknown): unknown {
  if (typeof key !== 'object' || key === null) return key;
  return `\u0000${JSON.stringify(key)}`;
}
