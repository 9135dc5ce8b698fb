/**
 * The plan stores user functions with `unknown` element types, since the runtime moves values without
 * looking at them; the facade's generic signatures are what keep input and output types consistent.
 * This is where a typed function is handed over as the plan's untyped one.
 */
export function erase<F>(fn: unknown): F {
  return fn as F;
}
