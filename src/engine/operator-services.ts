import type { BadRecordPolicy } from '../plan/connectors.ts';
import { BadRecordRouter } from './bad-records.ts';

/**
 * What a few operators need from the running job besides their node: the watermark interval and
 * where bad records go (assignTimestampsAndWatermarks). The runtime passes real ones; without them
 * (an operator built alone in a test) the defaults apply and a dead-letter policy cannot open.
 */
export interface OperatorServices {
  readonly watermarkInterval: number;
  badRecordRouter(policy: BadRecordPolicy, operatorName: string): BadRecordRouter;
}

/**
 * @example
 * const services = defaultOperatorServices(); // interval 200 ms, bad records counted locally
 */
export function defaultOperatorServices(watermarkInterval = 200): OperatorServices {
  const counts = { badRecords: 0, deadLettered: 0, skipped: 0 };
  return {
    watermarkInterval,
    badRecordRouter: (policy, operatorName) => new BadRecordRouter({ policy, operatorName, counts }),
  };
}
