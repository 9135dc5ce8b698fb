import type { StreamEnvironment } from '../../api/index.ts';
import { WatermarkStrategy } from '../../api/index.ts';
import { seededRandom } from '../../common/random.ts';
import { datagenSource, kafkaSink } from '../../connectors/index.ts';

export interface ClickGeneratorOptions {
  readonly topic: string;
  /** Events per second of real time. */
  readonly rate: number;
  /** Simulated seconds per real second, so minute windows close within a short demo. */
  readonly speed: number;
  /** Simulated time of event 0 (epoch ms). */
  readonly start: number;
  /** Stop after this many events (unbounded when absent). */
  readonly count?: number;
}

const PAGES = ['/home', '/products', '/products/42', '/cart', '/checkout', '/search', '/about', '/blog'];
const ACTIONS = ['view', 'view', 'view', 'click', 'click', 'scroll', 'purchase'];
const USERS = 40;

/**
 * The i-th generated record, as the text a producer would send: mostly valid clicks (some out of
 * order by up to 3 s, about 1 % more than a minute late, timestamps in seconds or milliseconds) and
 * about 0.5 % malformed records to show the dead-letter path.
 */
export function clickRecord(index: number, options: ClickGeneratorOptions): string {
  const next = seededRandom(index * 7919 + 17);
  const eventTime = options.start + Math.floor((index * 1000 * options.speed) / options.rate);
  if (next() < 0.005) return `{"user_id": "user-${index % USERS}", "page": `;
  const lateness = next() < 0.01 ? 90_000 : Math.floor(next() * 3_000);
  const time = eventTime - lateness;
  const inSeconds = next() < 0.3;
  const zipf = Math.floor(PAGES.length * next() ** 2);
  return JSON.stringify({
    user_id: `user-${Math.floor(USERS * next() ** 1.5)}`,
    page: PAGES[zipf],
    action: ACTIONS[Math.floor(next() * ACTIONS.length)],
    timestamp: inSeconds ? Math.floor(time / 1000) : time,
  });
}

/** Adds the generator (datagen → Kafka topic) to an environment; it runs as a job of its own. */
export function addClickGenerator(env: StreamEnvironment, options: ClickGeneratorOptions): void {
  env
    .fromSource(
      datagenSource<string>({
        generate: (index) => clickRecord(index, options),
        rate: options.rate,
        ...(options.count === undefined ? {} : { count: options.count }),
      }),
      WatermarkStrategy.noWatermarks<string>(),
      'click generator',
    )
    .sinkTo(kafkaSink<string>({ topic: options.topic, format: 'string', guarantee: 'at-least-once' }));
}
