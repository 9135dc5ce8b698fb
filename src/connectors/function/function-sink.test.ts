import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { connectorResolver } from '../registry.ts';
import { functionSink } from './function-sink.ts';

test('calls open, write per batch (awaiting it), flush and close in order', async () => {
  const calls: string[] = [];
  const writer = connectorResolver.createSink(
    functionSink<unknown>({
      open: (ctx) => void calls.push(`open ${ctx.subtaskIndex}`),
      write: async (values, timestamps) => {
        await new Promise((r) => setTimeout(r, 5));
        calls.push(`write ${(values as number[]).join(',')} @${timestamps.join(',')}`);
      },
      flush: () => void calls.push('flush'),
      close: () => void calls.push('close'),
    }),
  );
  await writer.open({ jobName: 'j', jobId: 'j-1', operatorName: 'sink', subtaskIndex: 0, parallelism: 1 });
  await writer.write({ values: [1, 2], timestamps: [10, 20] });
  await writer.flush();
  await writer.close();
  assert.deepEqual(calls, ['open 0', 'write 1,2 @10,20', 'flush', 'close']);
});

test('a config without write is refused with the key named', () => {
  assert.throws(
    () => functionSink({} as never),
    (error: unknown) => isStreamError(error) && /write/.test(error.message),
  );
});
