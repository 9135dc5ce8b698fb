import { API_VERSIONS_SCHEMA } from '../../protocol/index.ts';
import { defineHandler } from './handler.ts';

interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  throttleTimeMs: number;
}

/** The versions of every API are derived from the handler registry, never written twice. */
export const apiVersionsHandler = defineHandler<unknown, ApiVersionsResponse>({
  schema: API_VERSIONS_SCHEMA,
  versions: { min: 0, max: 4 },
  handle(_request, { broker }) {
    return { errorCode: 0, apiKeys: broker.supportedApis.map((api) => ({ ...api })), throttleTimeMs: 0 };
  },
});
