// Word count over a folder of text files, in tumbling processing-time windows.
//
//   eddy run examples/word-count/job.ts -- --input-dir ./texts --window 10s [--watch]
//
// Without --watch the files present at start are read and the job ends; with it, new files are picked
// up as they appear.
import {
  type Collector,
  defineJob,
  fileSource,
  parseDuration,
  StreamError,
  TumblingProcessingTimeWindows,
  WatermarkStrategy,
} from '../../src/index.ts';

export interface WordCount {
  readonly word: string;
  readonly count: number;
}

/** Lower-cased words: runs of letters, digits and apostrophes. */
export function words(line: string): string[] {
  return line.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

/** Emits (word, 1) for every word of a line. */
export function splitWords(line: string, out: Collector<WordCount>): void {
  for (const word of words(line)) out.collect({ word, count: 1 });
}

export default defineJob((env, { flags }) => {
  const windowSize = parseDuration(flags.window ?? '10s');
  if (windowSize === undefined || windowSize <= 0) {
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `--window needs a duration like 10s or 1m, got "${flags.window}"`,
    );
  }
  const watch = flags.watch === 'true';
  env
    .fromSource(
      fileSource<string>({
        path: flags['input-dir'] ?? '.',
        format: 'lines',
        ...(watch ? { watch: { interval: 1_000 } } : {}),
      }),
      WatermarkStrategy.noWatermarks<string>(),
      'text files',
    )
    .flatMap(splitWords)
    .keyBy((wc) => wc.word)
    .window(TumblingProcessingTimeWindows.of(windowSize))
    .reduce((a, b) => ({ word: a.word, count: a.count + b.count }))
    .name('count words')
    .print();
});
