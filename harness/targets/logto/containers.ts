import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { GenericContainer, getContainerRuntimeClient, Network, TestContainers, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { LogtoHttp } from './logto-http.ts';

/** Pinned, and overridable: LOGTO_IMAGE=svhd/logto:<tag> (or ghcr.io/logto-io/logto:<tag>). */
export const DEFAULT_LOGTO_IMAGE = 'svhd/logto:1.42.0';
export const DEFAULT_POSTGRES_IMAGE = 'postgres:17-alpine';
/** The Management API resource of a self-hosted Logto's default tenant. */
export const OSS_MANAGEMENT_RESOURCE = 'https://default.logto.app/api';

export interface LogtoStack {
  /** Logto's user endpoint as this process reaches it (also its issuer: ENDPOINT is set to it). */
  endpoint: string;
  m2mAppId: string;
  m2mAppSecret: string;
  resource: string;
  /** Where Logto, inside its container, reaches a mock IdP listening on `idpPort` of this host. */
  idpPublicUrl: string;
  idpPort: number;
  stop(): Promise<void>;
}

export interface StackOptions {
  logtoImage?: string;
  postgresImage?: string;
  /** Host port the mock IdP will listen on (default: a free one). */
  idpPort?: number;
  log?: (line: string) => void;
}

/** Whether testcontainers can reach a Docker/Podman engine, and if not, why (one line). */
export async function detectContainerRuntime(): Promise<{ available: true } | { available: false; reason: string }> {
  try {
    await getContainerRuntimeClient();
    return { available: true };
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0];
    return { available: false, reason: `no container runtime reachable (${detail}; DOCKER_HOST=${process.env.DOCKER_HOST ?? 'unset'})` };
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Management API access on a fresh instance: the container runs with INTEGRATION_TEST=true, which
 * makes Logto accept a `development-user-id` header in place of a token. That is used only here,
 * inside this throwaway container, to create an M2M app with the management role; everything
 * after uses that app's real client_credentials token.
 */
async function bootstrapM2m(endpoint: string): Promise<{ appId: string; appSecret: string }> {
  const http = new LogtoHttp(endpoint);
  const headers = { 'development-user-id': 'harness-bootstrap' };
  const { body: roles } = await http.request<Array<{ id: string; name: string }>>('GET', '/api/roles?type=MachineToMachine', { headers });
  const role = roles.find((candidate) => candidate.name === 'Logto Management API access') ?? roles[0];
  if (!role) throw new Error('the fresh Logto has no machine-to-machine role to grant Management API access');
  const { body: app } = await http.request<{ id: string }>('POST', '/api/applications', { headers, json: { name: 'harness-bootstrap-m2m', type: 'MachineToMachine' } });
  await http.request('POST', `/api/applications/${app.id}/roles`, { headers, json: { roleIds: [role.id] } });
  const { body: secrets } = await http.request<Array<{ value: string }>>('GET', `/api/applications/${app.id}/secrets`, { headers });
  const secret = secrets[0]?.value;
  if (!secret) throw new Error('Logto returned no secret for the bootstrap M2M app');
  return { appId: app.id, appSecret: secret };
}

/** PostgreSQL + Logto (seeded, Secret Vault on), ready for the Logto target; stop() removes it all. */
export async function startLogtoStack(options: StackOptions = {}): Promise<LogtoStack> {
  const log = options.log ?? (() => {});
  const logtoImage = options.logtoImage ?? process.env.LOGTO_IMAGE ?? DEFAULT_LOGTO_IMAGE;
  const postgresImage = options.postgresImage ?? DEFAULT_POSTGRES_IMAGE;
  const idpPort = options.idpPort ?? (await freePort());
  const logtoPort = await freePort();
  const password = randomBytes(12).toString('hex');
  const started: Array<StartedTestContainer | StartedNetwork> = [];
  const stop = async () => {
    for (const resource of started.reverse()) await resource.stop().catch(() => undefined);
  };
  try {
    // Must precede the containers: it adds host.testcontainers.internal to the ones started after.
    await TestContainers.exposeHostPorts(idpPort);
    const network = await new Network().start();
    started.push(network);
    log(`starting ${postgresImage}`);
    const postgres = await new GenericContainer(postgresImage)
      .withNetwork(network)
      .withNetworkAliases('postgres')
      .withEnvironment({ POSTGRES_USER: 'postgres', POSTGRES_PASSWORD: password })
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    started.push(postgres);
    const endpoint = `http://localhost:${logtoPort}`;
    log(`starting ${logtoImage} (seed, then start; this takes a minute)`);
    const logto = await new GenericContainer(logtoImage)
      .withNetwork(network)
      .withExposedPorts({ container: 3001, host: logtoPort })
      .withEntrypoint(['sh', '-c', 'npm run cli db seed -- --swe && npm start'])
      .withEnvironment({
        DB_URL: `postgres://postgres:${password}@postgres:5432/logto`,
        ENDPOINT: endpoint,
        TRUST_PROXY_HEADER: '1',
        SECRET_VAULT_KEK: randomBytes(32).toString('base64'),
        INTEGRATION_TEST: 'true',
      })
      .withWaitStrategy(Wait.forHttp('/api/status', 3001).forStatusCode(204))
      .withStartupTimeout(240_000)
      .start();
    started.push(logto);
    const { appId, appSecret } = await bootstrapM2m(endpoint);
    return { endpoint, m2mAppId: appId, m2mAppSecret: appSecret, resource: OSS_MANAGEMENT_RESOURCE, idpPublicUrl: `http://host.testcontainers.internal:${idpPort}`, idpPort, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
