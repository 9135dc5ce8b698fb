/**
 * One readable line for an error from the Kafka client library. The library nests the broker's answer
 * inside aggregate errors ("Creating topics failed." → response error → protocol error with the
 * broker's message); the innermost messages are the ones that say what to fix.
 */
export function explainKafkaError(error: unknown): string {
  const leaves = new Set<string>();
  collectLeaves(error, leaves, 0);
  const top = error instanceof Error ? error.message : String(error);
  const details = [...leaves].filter((m) => m !== top);
  return details.length === 0 ? top : `${top} ${details.join('; ')}`;
}

function collectLeaves(error: unknown, leaves: Set<string>, depth: number): void {
  if (depth > 5 || !(error instanceof Error)) return;
  const nested = error instanceof AggregateError ? error.errors : [];
  if (nested.length > 0) {
    for (const inner of nested) collectLeaves(inner, leaves, depth + 1);
    return;
  }
  const serverMessage = (error as { serverErrorMessage?: unknown }).serverErrorMessage;
  leaves.add(typeof serverMessage === 'string' && serverMessage !== '' ? serverMessage : error.message);
}
