// Child process for the compaction crash test: appends updates and compacts, over and over. With
// KILL_AT=<step>:<n> it stops at the n-th time the cleaner reaches <step> (see SwapHooks), prints
// "ready" and waits to be killed; without it, the parent kills it at a random moment.
// Every record is derived from its offset (recordAt), so the parent can check what survived.
// Usage: node clean-child.ts <dir>

import { compactionConfig } from '../compaction-config.ts';
import { cleanPartition } from '../log-cleaner.ts';
import { appendDerived, openCrashLog } from './crash-log.ts';

const [dir] = process.argv.slice(2);
const [killStep, killCount] = (process.env.KILL_AT ?? '').split(':');
let reached = 0;
const log = await openCrashLog(dir);
const config = compactionConfig({ 'cleanup.policy': 'compact', 'segment.bytes': '1024' });
const hooks = {
  async step(name: string): Promise<void> {
    if (name !== killStep || ++reached < Number(killCount)) return;
    process.stdout.write(`ready ${name}\n`);
    await new Promise(() => setInterval(() => undefined, 1000)); // hold here until SIGKILL
  },
};
process.stdout.write(`started ${log.logEndOffset}\n`);
for (;;) {
  await appendDerived(log, 20);
  await cleanPartition(log, config, { force: true, hooks });
  process.stdout.write('cleaned\n');
}
