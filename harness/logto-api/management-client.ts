import { z } from 'zod';
import { LogtoHttp } from './logto-http.ts';

export interface ManagementCredentials {
  endpoint: string;
  appId: string;
  appSecret: string;
  /** https://default.logto.app/api (OSS) or https://<tenant-id>.logto.app/api (Cloud). */
  resource: string;
}

// The answers the harness reads, checked when they arrive (LogtoHttp): only the fields it uses are
// required, the rest passes through, so another Logto version's extra fields do no harm.
const record = z.record(z.string(), z.unknown());
const nullableString = z.string().nullable();

const connectorRecord = z.looseObject({
  id: z.string(),
  connectorId: z.string(),
  config: record,
  metadata: z.looseObject({ target: z.string().optional(), name: record.optional() }),
  syncProfile: z.boolean(),
  enableTokenStorage: z.boolean().optional(),
});
export type ConnectorRecord = z.infer<typeof connectorRecord>;

const userRecord = z.looseObject({
  id: z.string(),
  name: nullableString,
  avatar: nullableString,
  primaryEmail: nullableString,
  primaryPhone: nullableString,
  identities: z.record(z.string(), z.looseObject({ userId: z.string(), details: record.optional() })),
});
export type UserRecord = z.infer<typeof userRecord>;

const identityWithSecret = z.looseObject({
  identity: z.looseObject({ userId: z.string(), details: record.optional() }),
  tokenSecret: z
    .looseObject({
      metadata: z.looseObject({
        scope: z.string().optional(),
        expiresAt: z.number().optional(),
        tokenType: z.string().optional(),
        hasRefreshToken: z.boolean(),
      }),
    })
    .optional(),
});
export type IdentityWithSecret = z.infer<typeof identityWithSecret>;

const applicationRecord = z.looseObject({ id: z.string(), name: z.string(), type: z.string() });
export type ApplicationRecord = z.infer<typeof applicationRecord>;

const answers = {
  token: z
    .looseObject({ access_token: z.string().min(1), expires_in: z.number().optional() })
    .describe('an M2M access token'),
  connector: connectorRecord.describe('a connector'),
  connectors: z.array(connectorRecord).describe('a list of connectors'),
  signInExperience: z
    .looseObject({ socialSignInConnectorTargets: z.array(z.string()) })
    .describe('a sign-in experience'),
  application: applicationRecord.describe('an application'),
  applications: z.array(applicationRecord).describe('a list of applications'),
  secrets: z
    .array(z.looseObject({ name: z.string(), value: z.string(), expiresAt: z.number().nullable() }))
    .describe("a list of an application's secrets"),
  user: userRecord.describe('a user'),
  // A search's users are only told apart by what marks them as the harness's own.
  users: z
    .array(z.looseObject({ id: z.string(), primaryEmail: nullableString.optional(), identities: record.optional() }))
    .describe('a list of users'),
  identity: identityWithSecret.describe("a user's identity"),
  accountCenter: z
    .looseObject({ enabled: z.boolean(), fields: z.record(z.string(), z.string()).optional() })
    .describe('the account center settings'),
  ssoConnectors: z.array(record).describe('a list of enterprise SSO connectors'),
  anything: z.unknown(),
};

export interface ManagementClientOptions {
  /** Per call (default DEFAULT_API_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Progress lines while a call waits. */
  onWaiting?: (line: string) => void;
}

/** The Management API with an M2M token (client_credentials), fetched once and renewed before expiry. */
export class ManagementClient {
  readonly #http: LogtoHttp;
  readonly #credentials: ManagementCredentials;
  #token?: { value: string; expiresAt: number };

  constructor(credentials: ManagementCredentials, options: ManagementClientOptions = {}) {
    this.#credentials = credentials;
    this.#http = new LogtoHttp(credentials.endpoint, options);
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt > Date.now() + 30_000) return this.#token.value;
    const { appId, appSecret, resource } = this.#credentials;
    const { body } = await this.#http.request('POST', '/oidc/token', {
      schema: answers.token,
      form: { grant_type: 'client_credentials', resource, scope: 'all' },
      headers: { authorization: `Basic ${Buffer.from(`${appId}:${appSecret}`).toString('base64')}` },
    });
    // Without expires_in the token is fetched again for the next call.
    this.#token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 0) * 1000 };
    return body.access_token;
  }

  async #call<S extends z.ZodType>(method: string, path: string, schema: S, json?: unknown): Promise<z.output<S>> {
    const authorization = `Bearer ${await this.#accessToken()}`;
    const { body } = await this.#http.request(method, `/api${path}`, {
      schema,
      ...(json === undefined ? {} : { json }),
      headers: { authorization },
    });
    return body;
  }

  /** Any call, its answer only checked to be Logto's JSON (a test's setup, a one-off read). */
  call(method: string, path: string, json?: unknown): Promise<unknown> {
    return this.#call(method, path, answers.anything, json);
  }

  createConnector(input: {
    connectorId: string;
    config: Record<string, unknown>;
    metadata: { target: string; name: { en: string } };
    syncProfile: boolean;
    enableTokenStorage: boolean;
  }) {
    return this.#call('POST', '/connectors', answers.connector, input);
  }

  listConnectors() {
    return this.#call('GET', '/connectors', answers.connectors);
  }

  /** Enterprise SSO connectors (Logto 1.12+); judged item by item by the audit. */
  listSsoConnectors() {
    return this.#call('GET', '/sso-connectors', answers.ssoConnectors);
  }

  deleteConnector(id: string) {
    return this.#call('DELETE', `/connectors/${encodeURIComponent(id)}`, answers.anything);
  }

  getSignInExperience() {
    return this.#call('GET', '/sign-in-exp', answers.signInExperience);
  }

  patchSignInExperience(patch: Record<string, unknown>) {
    return this.#call('PATCH', '/sign-in-exp', answers.signInExperience, patch);
  }

  createApplication(input: {
    name: string;
    type: 'Traditional';
    oidcClientMetadata: { redirectUris: string[]; postLogoutRedirectUris: string[] };
  }) {
    return this.#call('POST', '/applications', answers.application, input);
  }

  listApplications() {
    return this.#call('GET', '/applications?page=1&page_size=100', answers.applications);
  }

  /** Logto 1.42 no longer returns the secret on creation. */
  applicationSecrets(id: string) {
    return this.#call('GET', `/applications/${encodeURIComponent(id)}/secrets`, answers.secrets);
  }

  deleteApplication(id: string) {
    return this.#call('DELETE', `/applications/${encodeURIComponent(id)}`, answers.anything);
  }

  getUser(id: string) {
    return this.#call('GET', `/users/${encodeURIComponent(id)}`, answers.user);
  }

  getIdentity(userId: string, target: string) {
    return this.#call(
      'GET',
      `/users/${encodeURIComponent(userId)}/identities/${encodeURIComponent(target)}?includeTokenSecret=true`,
      answers.identity,
    );
  }

  getAccountCenter() {
    return this.#call('GET', '/account-center', answers.accountCenter);
  }

  /** `fields` replaces the whole control list (Logto stores it with 'replace'): send every field. */
  patchAccountCenter(patch: { enabled?: boolean; fields?: Record<string, string> }) {
    return this.#call('PATCH', '/account-center', answers.accountCenter, patch);
  }

  /** A user who signs in with a username and password (the one a linking scenario links an identity to). */
  createUser(input: { username: string; password: string; primaryEmail: string; name: string }) {
    return this.#call('POST', '/users', answers.user, input);
  }

  searchUsers(search: string) {
    return this.#call('GET', `/users?search=${encodeURIComponent(`%${search}%`)}&page=1&page_size=100`, answers.users);
  }

  deleteUser(id: string) {
    return this.#call('DELETE', `/users/${encodeURIComponent(id)}`, answers.anything);
  }
}
