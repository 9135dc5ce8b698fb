import { createServer, type Server, type Socket } from 'node:net';

export interface Listening {
  /** The addresses actually bound, e.g. ['127.0.0.1:9092', '[::1]:9092']. */
  addresses: string[];
  port: number;
  close(): Promise<void>;
}

/** Hosts that mean "loopback on both address families". */
const LOOPBACK_ALIASES = new Set(['localhost', 'loopback']);

/**
 * Listens on `host:port`. `localhost` binds both 127.0.0.1 and ::1 on the same port, because clients
 * resolve `localhost` to either (librdkafka and kafka-python often try ::1 first); a machine without
 * IPv6 gets IPv4 only. Port 0 picks a free port, shared by both families.
 */
export async function listen(
  host: string,
  port: number,
  onSocket: (socket: Socket) => void,
): Promise<Listening> {
  if (!LOOPBACK_ALIASES.has(host)) {
    const server = await bind(host, port, onSocket);
    const bound = boundPort(server);
    return { addresses: [formatAddress(host, bound)], port: bound, close: () => closeAll([server]) };
  }
  const v4 = await bind('127.0.0.1', port, onSocket);
  const bound = boundPort(v4);
  const servers = [v4];
  const hosts = ['127.0.0.1'];
  try {
    servers.push(await bind('::1', bound, onSocket));
    hosts.push('::1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRNOTAVAIL' && code !== 'EAFNOSUPPORT') {
      await closeAll(servers);
      throw error;
    }
  }
  return {
    addresses: hosts.map((h) => formatAddress(h, bound)),
    port: bound,
    close: () => closeAll(servers),
  };
}

function bind(host: string, port: number, onSocket: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onSocket);
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function boundPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

async function closeAll(servers: Server[]): Promise<void> {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}
