/**
 * A pass-through HTTP proxy in front of an external Genesys gateway (GENESYS_GATEWAY_URL): the
 * rotator's functions reach Genesys through it, so `npm start` counts the rotator's own calls by
 * route, as the embedded stand-in's request log does. Bodies and headers pass unchanged and are
 * never recorded: they carry credentials.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  /** `METHOD /path` with ids replaced by `{id}`, as the stand-in's request log names routes. */
  readonly route: string;
  readonly status: number | null;
}

export interface GenesysCountingProxy {
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$/i;

/** The route of a request path: ids become `{id}` and the query string is dropped. */
export function routeOf(method: string, url: string): string {
  const path = url.split('?')[0] ?? '';
  const segments = path.split('/').map((segment) => (ID_SEGMENT.test(segment) ? '{id}' : segment));
  return `${method} ${segments.join('/')}`;
}

export async function startGenesysCountingProxy(targetUrl: string): Promise<GenesysCountingProxy> {
  const target = new URL(targetUrl);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const requests: ProxiedRequest[] = [];
  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const record = {
      route: routeOf(incoming.method ?? 'GET', incoming.url ?? '/'),
      status: null as number | null,
    };
    requests.push(record);
    const upstream = send(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: incoming.method,
        path: `${target.pathname.replace(/\/$/, '')}${incoming.url ?? '/'}`,
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        record.status = answer.statusCode ?? null;
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    // A dropped upstream connection is dropped here too, so the SDK sees what it would have seen.
    upstream.on('error', () => incoming.socket.destroy());
    incoming.pipe(upstream);
  };
  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
