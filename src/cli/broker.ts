import { startBroker } from '../broker/index.ts';
import type { CliCommand } from './command.ts';

interface BrokerStartFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  durability?: string;
  partitions?: string;
}

export const brokerCommand: CliCommand = {
  name: 'broker',
  register(parent, context) {
    const broker = parent.command('broker').description('run the embedded Kafka-compatible broker');
    broker
      .command('start')
      .description('start the broker in the foreground; stops cleanly on SIGINT or SIGTERM')
      .option('--host <host>', 'address to listen on (default localhost = 127.0.0.1 and ::1)')
      .option('--port <port>', 'port (default 9092; 0 picks a free one)')
      .option('--data-dir <dir>', 'data directory (default .eddy/broker)')
      .option('--durability <mode>', 'fsync (default) or os')
      .option('--partitions <n>', 'partitions of auto-created topics (default 1)')
      .action(async (flags: BrokerStartFlags) => {
        const settings = context.config({
          brokerHost: flags.host,
          brokerPort: flags.port,
          brokerDataDir: flags.dataDir,
          brokerDurability: flags.durability,
          brokerPartitions: flags.partitions,
        });
        const handle = await startBroker({
          host: settings.brokerHost,
          port: settings.brokerPort,
          dataDir: settings.brokerDataDir,
          durability: settings.brokerDurability,
          defaultPartitions: settings.brokerPartitions,
          logger: context.logger('broker'),
        });
        context.stdout.write(`eddy broker listening on ${settings.brokerHost}:${handle.port}\n`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        await handle.close();
      });
  },
};
