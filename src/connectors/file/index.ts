import type { Connector } from '../connector.ts';
import { fileSinkSide } from './file-sink.ts';
import { fileSourceSide } from './file-source.ts';

export const fileConnector: Connector = { id: 'file', source: fileSourceSide, sink: fileSinkSide };
