import { createSecretKey, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { ClientAuthMethod, FixtureClient } from '../fixture/schema.ts';
import type { AssertionRecord } from '../journal.ts';

/*
 * How a client authenticated, read off the request alone (no koa, no fixture): the mock IdP's
 * client-auth check and the harness's recording proxy both journal a token request through these.
 */

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const isBasic = (authorization: string | string[] | undefined): authorization is string =>
  typeof authorization === 'string' && /^basic\s/i.test(authorization);

/** A Basic authorization header's id and secret as sent (not form-decoded); undefined for another scheme or no colon. */
export function basicCredentials(
  authorization: string | string[] | undefined,
): { id: string; secret: string } | undefined {
  if (!isBasic(authorization)) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** The method a request used, read off the request itself (not what the client is registered for). */
export function detectClientAuth(
  headers: Record<string, string | string[] | undefined>,
  params: Record<string, string>,
): { method: ClientAuthMethod | 'unknown'; clientId?: string; rawClientId?: string } {
  if (isBasic(headers.authorization)) {
    const rawClientId = basicCredentials(headers.authorization)?.id;
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

export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
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

/** The assertion as decoded from the request, for the journal: whether it verified is settled once the IdP has answered. */
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
export async function assertionProblem(
  assertion: string,
  client: Pick<FixtureClient, 'clientId' | 'clientSecret' | 'clientSecretJwtAlg'> | undefined,
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

/** A client_secret_jwt request's assertion as sent, decoded, and whether its type is the one RFC 7523 names. */
export function assertionOf(params: Record<string, string>): AssertionRecord {
  const record = decodeAssertion(params.client_assertion);
  if (params.client_assertion_type !== JWT_BEARER)
    record.error = `client_assertion_type must be ${JWT_BEARER}, got ${params.client_assertion_type ?? 'nothing'}`;
  return record;
}
