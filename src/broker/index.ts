export { type BrokerHandle, type BrokerOptions, startBroker } from './broker.ts';
export type { BrokerConfig, BrokerState } from './broker-state.ts';
export {
  type FaultAction,
  FaultInjector,
  type FaultInjectorOptions,
  type FaultRule,
} from './faults/fault-injector.ts';
