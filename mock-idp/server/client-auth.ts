import { createSecretKey, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { ClientAuthMethod, Fixture, FixtureClient } from '../fixture/schema.ts';
import type { AssertionRecord, ClientAuthRecord } from '../journal.ts';
import { OAuthError } from './oauth-error.ts';
import type { MockIdpMiddleware } from './state.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The method a request used, read off the request itself (not what the client is registered for). */
export function detectClientAuth(
  headers: Record<string, string | string[] | undefined>,
  params: Record<string, string>,
): { method: ClientAuthMethod | 'unknown'; clientId?: string; rawClientId?: string } {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && /^basic\s/i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const rawClientId = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : undefined;
    return {
      method: 'client_secret_basic',
      clientId: rawClientId === undefined ? undefined : safeDecode(rawClientId),
      rawClientId,
    };
  }
  if (params.client_assertion !== undefined || params.client_assertion_type !== undefined) {
    let clientId = params.client_id;
    if (!clientId && params.client_assertion) {
      try {
        const claims = decodeJwt(params.client_assertion);
        clientId = typeof claims.sub === 'string' ? claims.sub : undefined;
      } catch {
        // an undecodable assertion still says which method was attempted
      }
    }
    return { method: 'client_secret_jwt', clientId };
  }
  if (params.client_secret !== undefined) return { method: 'client_secret_post', clientId: params.client_id };
  if (params.client_id !== undefined) return { method: 'none', clientId: params.client_id };
  return { method: 'unknown' };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

/**
 * RFC 6749 §2.3.1 form-encodes id and secret before Basic; Logto (and many clients) do not, and
 * oidc-provider always form-decodes, so a secret with `+` or `%` would fail. When the parts AS SENT
 * are exactly the client's credentials, `encoded` is the header oidc-provider expects. `as`: how
 * the credentials were sent, when that made a difference.
 */
function readBasic(
  headers: Record<string, string | string[] | undefined>,
  client: FixtureClient | undefined,
): { as: NonNullable<ClientAuthRecord['basicCredentials']>; encoded?: string } | undefined {
  const authorization = headers.authorization;
  if (!client?.clientSecret || typeof authorization !== 'string') return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const [id, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  // `50%off` does not decode at all: that changes it too.
  const unchanged = (value: string) => /^[^%+]*$/.test(value);
  if (unchanged(id) && unchanged(secret)) return undefined;
  if (id === client.clientId && secret === client.clientSecret)
    return { as: 'raw', encoded: `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}` };
  return safeDecode(secret) === client.clientSecret ? { as: 'form-encoded' } : undefined;
}

// Imported once per secret: importing an HMAC key per request costs more than verifying with it.
const secretKeys = new Map<string, KeyObject>();
const secretKeyOf = (secret: string): KeyObject => {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret));
    secretKeys.set(secret, key);
  }
  return key;
};

/** The assertion as sent, for the journal: whether it verified is settled once the IdP has answered. */
function decodeAssertion(assertion: string | undefined): AssertionRecord {
  if (!assertion) return { header: {}, claims: {}, verified: false, error: 'client_assertion is missing' };
  try {
    return {
      header: decodeProtectedHeader(assertion),
      claims: decodeJwt(assertion),
      verified: false,
    };
  } catch (error) {
    return {
      header: {},
      claims: {},
      verified: false,
      error: `client_assertion is not a JWT (${(error as Error).message})`,
    };
  }
}

/** Why the assertion itself does not verify against the client's secret, or undefined when it does. */
async function assertionProblem(
  assertion: string,
  client: FixtureClient | undefined,
  audiences: string[],
): Promise<string | undefined> {
  if (!client?.clientSecret) return 'unknown client or client without a secret';
  try {
    await jwtVerify(assertion, secretKeyOf(client.clientSecret), {
      algorithms: client.clientSecretJwtAlg ? [client.clientSecretJwtAlg] : ['HS256', 'HS384', 'HS512'],
      audience: audiences,
      issuer: client.clientId,
      subject: client.clientId,
      requiredClaims: ['exp', 'jti'],
    });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Verified means the IdP accepted the request: oidc-provider verified signature, claims and jti
 * then, so an accepted request costs no second verification. A refused one is verified here, to
 * say why when the assertion is the reason; else the IdP's own reason stands.
 */
async function settleAssertion(
  record: AssertionRecord,
  assertion: string | undefined,
  accepted: boolean,
  refusal: string,
  client: FixtureClient | undefined,
  audiences: string[],
): Promise<void> {
  if (accepted && record.error === undefined) {
    record.verified = true;
    return;
  }
  record.verified = false;
  if (record.error === undefined && assertion) record.error = await assertionProblem(assertion, client, audiences);
  record.error ??= refusal;
}

/**
 * Before oidc-provider authenticates the client: a client registered for one method that is
 * approached with another gets `invalid_client` naming both, which oidc-provider's generic
 * "client authentication failed" does not.
 */
export const checkClientAuth = (fixture: Fixture, audiences: (path: string) => string[]): MockIdpMiddleware =>
  async function checkClientAuth(ctx, next) {
    const { params, journal } = ctx.state;
    const seen = detectClientAuth(ctx.req.headers, params);
    const client =
      fixture.clients.find((candidate) => candidate.clientId === seen.clientId) ??
      (seen.rawClientId === undefined
        ? undefined
        : fixture.clients.find((candidate) => candidate.clientId === seen.rawClientId));
    const record: ClientAuthRecord = {
      method: seen.method,
      ...(seen.clientId ? { clientId: seen.clientId } : {}),
      ...(client ? { expected: client.tokenEndpointAuthMethod } : {}),
    };
    if (seen.method === 'client_secret_basic' && client?.tokenEndpointAuthMethod === 'client_secret_basic') {
      const basic = readBasic(ctx.req.headers, client);
      if (basic) record.basicCredentials = basic.as;
      // A new headers object: the journal keeps the one received.
      if (basic?.encoded) ctx.req.headers = { ...ctx.req.headers, authorization: basic.encoded };
    }
    if (seen.method === 'client_secret_jwt') {
      record.assertion = decodeAssertion(params.client_assertion);
      if (params.client_assertion_type !== JWT_BEARER)
        record.assertion.error = `client_assertion_type must be ${JWT_BEARER}, got ${params.client_assertion_type ?? 'nothing'}`;
    }
    journal.clientAuth = record;
    if (client && seen.method !== 'unknown' && seen.method !== client.tokenEndpointAuthMethod) {
      const mismatch =
        `client authentication method mismatch: client "${client.clientId}" is registered for ${client.tokenEndpointAuthMethod}` +
        `, the request used ${seen.method}`;
      if (record.assertion)
        await settleAssertion(record.assertion, params.client_assertion, false, mismatch, client, audiences(ctx.path));
      throw new OAuthError(401, 'invalid_client', mismatch);
    }
    await next();
    if (record.assertion) {
      const refusal =
        journal.errorDetail ??
        (ctx.body as { error_description?: string } | undefined)?.error_description ??
        `rejected with ${ctx.status}`;
      await settleAssertion(
        record.assertion,
        params.client_assertion,
        ctx.status < 400,
        refusal,
        client,
        audiences(ctx.path),
      );
    }
  };
