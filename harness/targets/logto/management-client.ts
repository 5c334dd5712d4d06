import { LogtoHttp } from './logto-http.ts';

export interface ManagementCredentials {
  endpoint: string;
  appId: string;
  appSecret: string;
  /** https://default.logto.app/api (OSS) or https://<tenant-id>.logto.app/api (Cloud). */
  resource: string;
}

export interface ConnectorRecord {
  id: string;
  connectorId: string;
  config: Record<string, unknown>;
  metadata: { target?: string; name?: Record<string, string> };
  syncProfile: boolean;
  enableTokenStorage?: boolean;
}

export interface UserRecord {
  id: string;
  name: string | null;
  avatar: string | null;
  primaryEmail: string | null;
  primaryPhone: string | null;
  identities: Record<string, { userId: string; details?: Record<string, unknown> }>;
}

export interface IdentityWithSecret {
  identity: { userId: string; details?: Record<string, unknown> };
  tokenSecret?: { metadata: { scope?: string; expiresAt?: number; tokenType?: string; hasRefreshToken: boolean } };
}

export interface ApplicationRecord {
  id: string;
  name: string;
  type: string;
}

/** The Management API with an M2M token (client_credentials), fetched once and renewed before expiry. */
export class ManagementClient {
  readonly #http: LogtoHttp;
  readonly #credentials: ManagementCredentials;
  #token?: { value: string; expiresAt: number };

  constructor(credentials: ManagementCredentials) {
    this.#credentials = credentials;
    this.#http = new LogtoHttp(credentials.endpoint);
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt > Date.now() + 30_000) return this.#token.value;
    const { appId, appSecret, resource } = this.#credentials;
    const { body } = await this.#http.request<{ access_token: string; expires_in: number }>('POST', '/oidc/token', {
      form: { grant_type: 'client_credentials', resource, scope: 'all' },
      headers: { authorization: `Basic ${Buffer.from(`${appId}:${appSecret}`).toString('base64')}` },
    });
    this.#token = { value: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
    return body.access_token;
  }

  async call<T>(method: string, path: string, json?: unknown): Promise<T> {
    const { body } = await this.#http.request<T>(method, `/api${path}`, { ...(json === undefined ? {} : { json }), headers: { authorization: `Bearer ${await this.#accessToken()}` } });
    return body;
  }

  createConnector(input: { connectorId: string; config: Record<string, unknown>; metadata: { target: string; name: { en: string } }; syncProfile: boolean; enableTokenStorage: boolean }) {
    return this.call<ConnectorRecord>('POST', '/connectors', input);
  }

  listConnectors() {
    return this.call<ConnectorRecord[]>('GET', '/connectors');
  }

  deleteConnector(id: string) {
    return this.call<unknown>('DELETE', `/connectors/${encodeURIComponent(id)}`);
  }

  getSignInExperience() {
    return this.call<Record<string, unknown>>('GET', '/sign-in-exp');
  }

  patchSignInExperience(patch: Record<string, unknown>) {
    return this.call<Record<string, unknown>>('PATCH', '/sign-in-exp', patch);
  }

  createApplication(input: { name: string; type: 'Traditional'; oidcClientMetadata: { redirectUris: string[]; postLogoutRedirectUris: string[] } }) {
    return this.call<ApplicationRecord>('POST', '/applications', input);
  }

  listApplications() {
    return this.call<ApplicationRecord[]>('GET', '/applications?page=1&page_size=100');
  }

  /** Logto 1.42 no longer returns the secret on creation. */
  applicationSecrets(id: string) {
    return this.call<Array<{ name: string; value: string; expiresAt: number | null }>>('GET', `/applications/${encodeURIComponent(id)}/secrets`);
  }

  deleteApplication(id: string) {
    return this.call<unknown>('DELETE', `/applications/${encodeURIComponent(id)}`);
  }

  getUser(id: string) {
    return this.call<UserRecord>('GET', `/users/${encodeURIComponent(id)}`);
  }

  getIdentity(userId: string, target: string) {
    return this.call<IdentityWithSecret>('GET', `/users/${encodeURIComponent(userId)}/identities/${encodeURIComponent(target)}?includeTokenSecret=true`);
  }

  getAccountCenter() {
    return this.call<{ enabled: boolean }>('GET', '/account-center');
  }

  patchAccountCenter(patch: { enabled: boolean }) {
    return this.call<{ enabled: boolean }>('PATCH', '/account-center', patch);
  }

  searchUsers(search: string) {
    return this.call<UserRecord[]>('GET', `/users?search=${encodeURIComponent(`%${search}%`)}&page=1&page_size=100`);
  }

  deleteUser(id: string) {
    return this.call<unknown>('DELETE', `/users/${encodeURIComponent(id)}`);
  }
}
