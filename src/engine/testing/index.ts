// The operator test harness, exported to users: `import { OperatorHarness } from 'eddy'`.
import type { TimeWindow } from '../../plan/windows.ts';
import { namespaceOf } from '../operators/window/assigners.ts';

export type { WindowHarnessSpec } from './harness-nodes.ts';
export type { HarnessSnapshot } from './harness-snapshots.ts';
export { type HarnessOptions, OperatorHarness, type TimestampedRecord } from './operator-harness.ts';

/**
 * The state namespace of a window, to read a ProcessWindowFunction's window state in a test.
 *
 * @example
 * h.state('user-1', seenDescriptor, windowNamespace({ start: 0, end: 10_000 }));
 */
export function windowNamespace(window: TimeWindow): string {
  return namespaceOf(window);
}
