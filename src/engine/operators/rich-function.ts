import type { RuntimeContext } from '../../plan/functions.ts';
import { userHookFailed } from '../user-function-error.ts';

/** The lifecycle hooks rich user functions may have. */
export interface RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

/**
 * Calls a user function's open(), turning a throw into ENG_USER_FUNCTION_FAILED naming the operator.
 *
 * @example
 * await openFunction(node.fn, ctx.runtime, node.name);
 */
export async function openFunction(
  fn: RichFunction,
  ctx: RuntimeContext,
  operatorName: string,
): Promise<void> {
  if (fn.open === undefined) return;
  try {
    await fn.open(ctx);
  } catch (cause) {
    throw userHookFailed(operatorName, 'open()', cause);
  }
}

export async function closeFunction(fn: RichFunction, operatorName: string): Promise<void> {
  if (fn.close === undefined) return;
  try {
    await fn.close();
  } catch (cause) {
    throw userHookFailed(operatorName, 'close()', cause);
  }
}
