// Small helpers shared by the group handlers (08, 09, 11–16).

import type { ConnectionInfo } from '../server/connection.ts';

/**
 * The client's address as Kafka reports it in DescribeGroups (`/127.0.0.1`): the connection's remote
 * address without the port.
 */
export function clientHost(connection: ConnectionInfo): string {
  const at = connection.remote.lastIndexOf(':');
  const host = at < 0 ? connection.remote : connection.remote.slice(0, at);
  return `/${host}`;
}
