// A job process that joins its job's group and prints each assignment as "assigned <generation> <tasks>",
// until the test kills it with SIGKILL (no LeaveGroup: the broker must notice by the session timeout).
// Usage: node kafka-group-member-child.ts <bootstrap> <groupId> <tasks> <sessionTimeoutMs>
import { joinJobGroup } from '../../src/kafka/group-membership.ts';

const [bootstrap, groupId, tasks, sessionTimeoutMs] = process.argv.slice(2);
const print = (a: { generation: number; tasks: readonly number[] }) =>
  process.stdout.write(`assigned ${a.generation} ${a.tasks.join(',')}\n`);
const member = await joinJobGroup({
  bootstrap,
  groupId,
  memberName: 'child',
  tasks: Number(tasks),
  sessionTimeoutMs: Number(sessionTimeoutMs),
  heartbeatIntervalMs: Math.floor(Number(sessionTimeoutMs) / 5),
  rebalanceTimeoutMs: 10_000,
});
member.on('assigned', print);
print(member.assignment);
