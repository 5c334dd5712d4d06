import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Fixture, MockIdp } from '../../../mock-idp/index.ts';
import { basic, hopToRedirect, postForm, REDIRECT_URI } from '../../helpers/browser-hops.ts';

/**
 * A raw sign-in with a fixture's first client, authenticating the way that client is registered
 * (always with PKCE, harmless for confidential clients): the wire format stays observable.
 */
export interface RawSignIn {
  callback: URL;
  /** The token response, or undefined when the authorize step returned an error. */
  token?: Awaited<ReturnType<typeof postForm>>;
}

export async function clientAuthFor(
  idp: MockIdp,
  fixture: Fixture,
  form: Record<string, string>,
  alg?: string,
): Promise<{ form: Record<string, string>; headers: Record<string, string> }> {
  const client = fixture.clients[0]!;
  const secret = client.clientSecret ?? '';
  switch (client.tokenEndpointAuthMethod) {
    case 'client_secret_basic':
      return { form, headers: { authorization: basic(client.clientId, secret) } };
    case 'client_secret_post':
      return { form: { ...form, client_id: client.clientId, client_secret: secret }, headers: {} };
    case 'client_secret_jwt': {
      const assertion = await new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: alg ?? client.clientSecretJwtAlg ?? 'HS256' })
        .setIssuer(client.clientId)
        .setSubject(client.clientId)
        .setAudience(idp.endpoints.token)
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(new TextEncoder().encode(secret));
      return {
        form: {
          ...form,
          client_id: client.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        },
        headers: {},
      };
    }
    case 'none':
      return { form: { ...form, client_id: client.clientId }, headers: {} };
  }
}

export async function rawSignIn(
  idp: MockIdp,
  fixture: Fixture,
  options: { authorize?: Record<string, string>; token?: Record<string, string>; pkce?: boolean } = {},
): Promise<RawSignIn> {
  const client = fixture.clients[0]!;
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(idp.endpoints.authorization);
  const params = {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    state: 'fixture-state',
    nonce: 'fixture-nonce',
    ...(options.pkce === false
      ? {}
      : { code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' }),
    ...options.authorize,
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const callback = await hopToRedirect(url, REDIRECT_URI);
  const code = callback.searchParams.get('code');
  if (!code) return { callback };
  const base = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    ...(options.pkce === false ? {} : { code_verifier: verifier }),
    ...options.token,
  };
  const { form, headers } = await clientAuthFor(idp, fixture, base);
  return { callback, token: await postForm(idp.endpoints.token, form, headers) };
}

/** The token response's fields, whichever encoding the fixture chose. */
export function tokenFields(token: { contentType: string | null; text: string }): Record<string, unknown> {
  return token.contentType?.includes('x-www-form-urlencoded')
    ? Object.fromEntries(new URLSearchParams(token.text))
    : (JSON.parse(token.text) as Record<string, unknown>);
}

export async function refresh(idp: MockIdp, fixture: Fixture, refreshToken: string) {
  const { form, headers } = await clientAuthFor(idp, fixture, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
  return postForm(idp.endpoints.token, form, headers);
}
