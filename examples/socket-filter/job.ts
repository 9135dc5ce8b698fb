// Log filter: read text lines from a socket, keep those starting with "INFO", print them.
//
//   nc -lk 9999            # in one terminal, then type lines
//   eddy run examples/socket-filter/job.ts -- --host localhost --port 9999
import { defineJob, socketTextSource, WatermarkStrategy } from '../../src/index.ts';

export default defineJob((env, { flags }) => {
  // One socket is read by one subtask (as Flink's socketTextStream), and lines print in order only
  // from one: more parallelism would add threads and "1> " prefixes, nothing else.
  env.setParallelism(1);
  env
    .fromSource(
      socketTextSource({ host: flags.host ?? 'localhost', port: Number(flags.port ?? 9999) }),
      WatermarkStrategy.noWatermarks<string>(),
      'log lines',
    )
    .filter((line) => line.startsWith('INFO'))
    .name('keep INFO lines')
    .print();
});
