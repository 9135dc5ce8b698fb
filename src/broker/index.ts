export { type BrokerHandle, type BrokerOptions, startBroker } from './broker.ts';
export type { BrokerConfig, BrokerState } from './broker-state.ts';
