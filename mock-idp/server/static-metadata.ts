import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import type { Fixture } from '../fixture/schema.ts';
import type { JournalStore } from './journal-store.ts';
import { answerDirectly, pathOf, queryOf } from './direct-answer.ts';
import { DISCOVERY_PATH, type EndpointPaths } from './paths.ts';

/** What oidc-provider is configured to support (provider.ts); discovery announces the same lists. */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'none'] as const;
export const CLIENT_AUTH_SIGNING_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export const ID_TOKEN_SIGNING_ALGS = ['RS256', 'ES256'] as const;
// oidc-provider's defaults for what the mock does not configure (pushed authorization requests and DPoP stay on).
const PAR_PATH = '/request';
const DPOP_SIGNING_ALGS = ['ES256', 'Ed25519', 'EdDSA'];
// oidc-provider's claims that are not scope-bound; `acr` is dropped as no acr values are configured.
const UNSCOPED_CLAIMS = ['sid', 'auth_time', 'iss'];

/**
 * The discovery document oidc-provider would render, computed from the issuer and the fixture
 * alone: never from a request's Host or X-Forwarded-Host (a client behind another name must not
 * redirect everyone else there), and ready before oidc-provider has even loaded.
 * A test renders oidc-provider's own document for the shipped fixtures and compares.
 */
export function discoveryDocument(
  issuer: string,
  fixture: Fixture,
  endpoints: EndpointPaths,
  claimNames: string[],
): Record<string, unknown> {
  const url = (path: string) => `${issuer}${path}`;
  const scopes = [...new Set([...fixture.scopes, 'openid'])];
  const openidClaims = claimNames.includes('sub') ? claimNames : [...claimNames, 'sub'];
  return {
    authorization_endpoint: url(endpoints.authorization),
    claims_parameter_supported: false,
    claims_supported: [...new Set([...openidClaims, ...UNSCOPED_CLAIMS])],
    code_challenge_methods_supported: ['S256'],
    end_session_endpoint: url(endpoints.endSession),
    grant_types_supported: ['authorization_code', 'refresh_token'],
    issuer,
    jwks_uri: url(endpoints.jwks),
    authorization_response_iss_parameter_supported: true,
    response_modes_supported: ['form_post', 'fragment', 'query'],
    response_types_supported: ['code'],
    scopes_supported: scopes,
    subject_types_supported: ['public'],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: CLIENT_AUTH_SIGNING_ALGS,
    token_endpoint: url(endpoints.token),
    id_token_signing_alg_values_supported: ID_TOKEN_SIGNING_ALGS,
    pushed_authorization_request_endpoint: url(PAR_PATH),
    request_uri_parameter_supported: false,
    // Azure AD B2C-like fixtures have none (userinfo.enabled: false), and discovery must not announce one.
    ...(fixture.userinfo.enabled ? { userinfo_endpoint: url(endpoints.userinfo) } : {}),
    dpop_signing_alg_values_supported: DPOP_SIGNING_ALGS,
    revocation_endpoint: url(endpoints.revocation),
    claim_types_supported: ['normal'],
  };
}

const PUBLIC_MEMBERS = ['kty', 'use', 'kid', 'alg', 'crv', 'e', 'n', 'x', 'y'] as const;
const ALG_OF: Record<string, string> = { RSA: 'RS256', EC: 'ES256' };

/**
 * The JWKS oidc-provider publishes for keys that name their kid and their kty's alg (generated keys
 * always do): their public halves, as signing keys. Undefined when oidc-provider would have to
 * derive something itself; it renders the JWKS then.
 */
export function publicJwks(keys: Array<Record<string, unknown>>): { keys: Array<Record<string, unknown>> } | undefined {
  if (!keys.every((key) => typeof key.kid === 'string' && key.alg === ALG_OF[String(key.kty)])) return undefined;
  return {
    keys: keys.map((key) => {
      const published: Record<string, unknown> = {};
      for (const member of PUBLIC_MEMBERS) if (key[member] !== undefined) published[member] = key[member];
      return { ...published, use: 'sig' };
    }),
  };
}

interface Document {
  endpoint: 'discovery' | 'jwks';
  body: string;
  headers: Record<string, string>;
}

/**
 * Discovery and JWKS never change while the IdP runs: both are rendered once, and answered straight
 * from the HTTP server (journaled all the same). Documents with a fault in the fixture go through
 * koa instead, where the fault applies per call; `answer` serves them there.
 */
export function staticMetadata(
  endpoints: EndpointPaths,
  faulted: ReadonlySet<string>,
  store: JournalStore,
  log: (line: string) => void,
) {
  const documents = new Map<string, Document>();
  const publish = (path: string, endpoint: Document['endpoint'], content: unknown, contentType: string) =>
    documents.set(path, {
      endpoint,
      body: JSON.stringify(content),
      headers: { 'content-type': contentType, 'access-control-allow-origin': '*' },
    });

  /** Serves a document; false when the request is not for one, or the document is not ready (koa takes it). */
  const serve = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== 'GET' || !request.url) return false;
    const document = documents.get(pathOf(request.url));
    if (!document || faulted.has(document.endpoint)) return false;
    answerDirectly(
      request,
      response,
      document.endpoint,
      queryOf(request.url),
      { status: 200, headers: document.headers, body: document.body },
      { store, log, started: performance.now() },
    );
    return true;
  };

  /** The same documents inside koa, after the fault middleware; what is not published yet passes on. */
  const answer: Middleware = async (ctx, next) => {
    const document = ctx.method === 'GET' || ctx.method === 'HEAD' ? documents.get(ctx.path) : undefined;
    if (!document) {
      await next();
      return;
    }
    ctx.status = 200;
    ctx.set(document.headers);
    ctx.body = JSON.parse(document.body) as unknown;
    ctx.type = document.headers['content-type']!;
  };

  return {
    discovery: (document: Record<string, unknown>) =>
      publish(DISCOVERY_PATH, 'discovery', document, 'application/json; charset=utf-8'),
    jwks: (jwks: unknown) => publish(endpoints.jwks, 'jwks', jwks, 'application/jwk-set+json; charset=utf-8'),
    serve,
    answer,
  };
}
