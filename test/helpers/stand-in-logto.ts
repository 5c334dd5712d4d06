import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInLogto {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * The two Management API answers `audit` reads (an M2M token, GET /api/connectors), on bare node:http at
 * 127.0.0.1: for what audit does with a tenant's stored configs, without a Logto in containers.
 */
export async function standInLogto(connectors: unknown[]): Promise<StandInLogto> {
  const server = createServer((request, response) => {
    request.resume();
    const json = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method === 'POST' && request.url === '/oidc/token') {
      return json(200, { access_token: 'stand-in-m2m-token', token_type: 'Bearer', expires_in: 3600 });
    }
    if (request.headers.authorization !== 'Bearer stand-in-m2m-token')
      return json(401, { code: 'auth.unauthorized', message: 'no token' });
    if (request.url === '/api/connectors') return json(200, connectors);
    if (request.url === '/api/sso-connectors') return json(200, []);
    return json(404, { code: 'entity.not_found', message: 'not here' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
