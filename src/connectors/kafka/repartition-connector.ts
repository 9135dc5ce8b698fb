import type { Connector } from '../connector.ts';
import { repartitionSinkSide } from './repartition-sink.ts';
import { repartitionSourceSide } from './repartition-source.ts';

/**
 * The two ends of a repartition topic between the stages of a scaled-out job. Only plans rewritten by
 * splitAtKeyedEdges (src/job/scale-out) name it; users write keyBy.
 */
export const repartitionConnector: Connector = {
  id: 'kafka-repartition',
  source: repartitionSourceSide,
  sink: repartitionSinkSide,
};
