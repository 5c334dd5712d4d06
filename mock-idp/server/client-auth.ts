import type { Fixture, FixtureClient } from '../fixture/schema.ts';
import type { AssertionRecord, ClientAuthRecord } from '../journal.ts';
import { assertionOf, assertionProblem, basicCredentials, detectClientAuth, safeDecode } from './client-auth-of.ts';
import { OAuthError } from './oauth-error.ts';
import type { MockIdpMiddleware } from './state.ts';

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
  const credentials = client?.clientSecret ? basicCredentials(headers.authorization) : undefined;
  if (!client || !credentials) return undefined;
  const { id, secret } = credentials;
  // `50%off` does not decode at all: that changes it too.
  const unchanged = (value: string) => /^[^%+]*$/.test(value);
  if (unchanged(id) && unchanged(secret)) return undefined;
  if (id === client.clientId && secret === client.clientSecret)
    return { as: 'raw', encoded: `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}` };
  return safeDecode(secret) === client.clientSecret ? { as: 'form-encoded' } : undefined;
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
      record.assertion = assertionOf(params);
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
