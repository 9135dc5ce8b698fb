import type { Connector } from '../connector.ts';
import { kafkaSinkSide } from './kafka-sink.ts';
import { kafkaSourceSide } from './kafka-source.ts';

export const kafkaConnector: Connector = { id: 'kafka', source: kafkaSourceSide, sink: kafkaSinkSide };
