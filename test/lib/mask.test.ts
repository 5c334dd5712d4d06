import { afterEach, describe, expect, it } from 'vitest';
import {
  forgetSecrets,
  isSecretKey,
  mask,
  maskForOutput,
  maskSecrets,
  maskText,
  rememberSecrets,
  secretValuesOf,
} from '../../lib/mask.ts';

const ACCESS = 'RCzgRV3pT4w9qkLW9Ow5eDpJuCdtpWo5oD8RcQwM9h5'; // 43, as oidc-provider issues them
const REFRESH = '9SgSX1i3LpQznJnX4giGcbcpbD6IyjsZ2ZTgYreRkrd';
const JWT =
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvY3RvY2F0In0.Nyz2bjhJUQErz-DTFFHZtB_yqGwtFM-o8jNrO_DitrBYSjBBmNBvtzYd4e5uup88ffNqyUTOvOKo2j6G3IiLJWQ';

afterEach(() => forgetSecrets());

describe('mask', () => {
  it('shows the first 4 characters and the length, and leaves a masked value as it is', () => {
    expect(mask('post-secret-0123456789')).toBe('post…(22)');
    expect(mask('short')).toBe('***(5)');
    expect(mask(mask(ACCESS))).toBe('RCzg…(43)');
    expect(mask(mask('short'))).toBe('***(5)');
  });

  it('shows no prefix that would end the value early in a URL, form or JSON text', () => {
    expect(mask('a&b=cdefghij')).toBe('***(12)');
    expect(mask('"quoted-secret"')).toBe('***(15)');
  });

  it('masks the journal and check fields once: a second pass keeps the real length', () => {
    const once = maskSecrets({ access_token: ACCESS, token_type: 'bearer' });
    expect(maskSecrets(once)).toEqual({ access_token: 'RCzg…(43)', token_type: 'bearer' });
  });
});

describe('isSecretKey', () => {
  it.each([
    'client_secret',
    'clientSecret',
    'password',
    'passwd',
    'api_key',
    'apiKey',
    'x-api-key',
    'private_key',
    'refresh_token',
    'accessToken',
    'idToken',
    'm2mAppSecret',
    'client_assertion',
    'code_verifier',
    'codeVerifier',
    'authorization',
    // Named by their last word, or holding a password anywhere (issue #22).
    'partner_key',
    'partnerKey',
    'subscription-key',
    'Ocp-Apim-Subscription-Key',
    'app_key',
    'signing_secret',
    'signingSecret',
    'SigningSecret',
    'db_password',
    'userPassword',
    'password_hash',
    'passphrase',
    'x-auth-token',
    'authToken',
    'session_token',
    'tokenSecret',
    'HARNESS_ACME_CLIENT_SECRET',
  ])('%s is a secret', (key) => expect(isSecretKey(key)).toBe(true));
  it.each([
    'tokenEndpoint',
    'token_type',
    'tokenType',
    'expires_in',
    'client_id',
    'scope',
    'state',
    'atToken',
    'client_assertion_type',
    'tokenEndpointAuthMethod',
    'code',
    'enableTokenStorage',
    'keys',
    // Configuration that only starts or goes on with such a word, and public keys.
    'token_endpoint',
    'token_endpoint_auth_method',
    'tokenEndpointResponseType',
    'id_token_signed_response_alg',
    'refresh_token_rotation',
    'clientSecretJwtSigningAlgorithm',
    'client_secret_expires_at',
    'keyId',
    'key_id',
    'kid',
    'public_key',
    'publicKey',
    'monkey',
    'jwks',
    'tokenFrom',
  ])('%s is not a secret', (key) => expect(isSecretKey(key)).toBe(false));
});

describe('maskText', () => {
  it('masks the tokens of a form-encoded body with their decoded length, and keeps the other parameters', () => {
    const body = `access_token=${ACCESS}&expires_in=3600&id_token=${JWT}&refresh_token=${REFRESH}&scope=openid+offline_access&token_type=bearer`;
    expect(maskText(`Logto shows connector.invalid_response (sign-in): ${body}`)).toBe(
      `Logto shows connector.invalid_response (sign-in): access_token=RCzg…(43)&expires_in=3600&id_token=eyJh…(${JWT.length})` +
        `&refresh_token=9SgS…(43)&scope=openid+offline_access&token_type=bearer`,
    );
    expect(maskText('client_secret=a%26b%3Dc%20d%2Be')).toBe('client_secret=***(9)');
  });

  it('masks JSON bodies quoted in a message, also JSON quoted inside JSON, and JS-style objects', () => {
    expect(maskText(`{"access_token":"${ACCESS}","token_type":"Bearer","expires_in":3600}`)).toBe(
      '{"access_token":"RCzg…(43)","token_type":"Bearer","expires_in":3600}',
    );
    expect(maskText(JSON.stringify({ body: JSON.stringify({ refresh_token: REFRESH, scope: 'openid' }) }))).toBe(
      '{"body":"{\\"refresh_token\\":\\"9SgS…(43)\\",\\"scope\\":\\"openid\\"}"}',
    );
    expect(maskText(`{ client_secret: 'proxy-secret-0123456789', client_id: 'proxy' }`)).toBe(
      `{ client_secret: 'prox…(23)', client_id: 'proxy' }`,
    );
  });

  it('masks secret query parameters of a URL, and the code only where it is a parameter', () => {
    const url = `http://127.0.0.1:4100/authorize?response_type=code&client_id=cc-client&state=db5af71d&client_secret=cc-client-secret-value-123456&api_key=cc-api-key&apiKey=abcdefghijkl&audience=https%3A%2F%2Fapi.example`;
    expect(maskText(`the IdP did not redirect back: 500 at ${url}`)).toBe(
      'the IdP did not redirect back: 500 at http://127.0.0.1:4100/authorize?response_type=code&client_id=cc-client&state=db5af71d&client_secret=cc-c…(29)&api_key=cc-a…(10)&apiKey=abcd…(12)&audience=https%3A%2F%2Fapi.example',
    );
    expect(maskText('http://logto/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz')).toBe(
      'http://logto/callback?code=Splx…(22)&state=xyz',
    );
    expect(maskText('code=SplxlOBeZQQYbYS6WxSbIA')).toBe('code=Splx…(22)');
    expect(maskText('error code=connector.general')).toBe('error code=connector.general');
    // The value ends where prose resumes.
    expect(maskText('against http://h/t?api_key=abcdefghij: must pass [client_secret=abcdefghij]')).toBe(
      'against http://h/t?api_key=abcd…(10): must pass [client_secret=abcd…(10)]',
    );
  });

  it('masks Authorization credentials after any blank, and JWTs anywhere', () => {
    expect(maskText(`Authorization: Bearer ${ACCESS}`)).toBe('Authorization: Bearer RCzg…(43)');
    expect(maskText('authorization: Basic\tcG9zdDpwb3N0LXNlY3JldA==')).toBe('authorization: Basic\tcG9z…(24)');
    expect(maskText(`assertion ${JWT} rejected`)).toBe(`assertion eyJh…(${JWT.length}) rejected`);
    expect(maskText('client_secret_basic with HTTP Basic credentials; the Bearer token scheme')).toBe(
      'client_secret_basic with HTTP Basic credentials; the Bearer token scheme',
    );
  });

  it('masks the password of a URL that carries one (scheme://user:password@host), and keeps the user', () => {
    expect(
      maskText(
        'Request cannot be constructed from a URL that includes credentials: http://admin:Sup3rSecretPw@127.0.0.1:1/oidc/token',
      ),
    ).toBe(
      'Request cannot be constructed from a URL that includes credentials: http://admin:Sup3…(13)@127.0.0.1:1/oidc/token',
    );
    expect(maskText("option '--endpoint <url>' argument 'https://:pw%40x@h' is invalid")).toBe(
      "option '--endpoint <url>' argument 'https://:***(6)@h' is invalid",
    );
    for (const plain of [
      'http://127.0.0.1:3001/api',
      'mailto:someone@example.com',
      'http://h/a:b@c',
      'at http://user@host/x',
    ])
      expect(maskText(plain)).toBe(plain);
  });

  it('masks remembered secret values wherever they appear verbatim, URL-encoded or JSON-escaped', () => {
    rememberSecrets({
      clientSecret: 'post-secret-0123456789',
      customConfig: { apiKey: 'k e/y"0123456789', audience: 'https://api.example' },
    });
    expect(maskText('value: post-secret-0123456789, sent as post-secret-0123456789')).toBe(
      'value: post…(22), sent as post…(22)',
    );
    expect(
      maskText(`x=${encodeURIComponent('k e/y"0123456789')} "${JSON.stringify('k e/y"0123456789').slice(1, -1)}"`),
    ).toBe('x=***(16) "***(16)"');
    expect(maskText('audience https://api.example')).toBe('audience https://api.example');
  });

  it("remembers no field name or token's public part a secret's name holds, and every secret beside them", () => {
    // A scenario's fixture: renameFields names where a token goes, idToken.audience is the aud claim.
    const scenario = {
      idp: {
        fixture: {
          idToken: {
            audience: 'some-other-client',
            issuer: 'https://issuer.example',
            signingSecret: 'nested-secret-0123',
          },
          tokenResponse: {
            renameFields: { access_token: 'accessToken', refresh_token: 'data.refreshToken' },
            extraFields: { access_token: 'real-access-token-0123456789' },
          },
        },
      },
      tokens: { id_token: 'real-id-token-0123456789', idToken: { value: 'inner-token-0123456789' } },
    };
    expect(secretValuesOf(scenario).sort()).toEqual([
      'inner-token-0123456789',
      'nested-secret-0123',
      'real-access-token-0123456789',
      'real-id-token-0123456789',
    ]);
    rememberSecrets(scenario);
    const plain =
      'audience: expected "c", got "some-other-client" (https://issuer.example); the IdP sends it as "accessToken"' +
      ' and "data.refreshToken"';
    expect(maskText(plain)).toBe(plain);
    expect(maskText('got some-other-client-0123456789, nested-secret-0123, real-id-token-0123456789')).toBe(
      'got some-other-client-0123456789, nest…(18), real…(24)',
    );
    expect(maskText('as "accessToken": real-access-token-0123456789 inner-token-0123456789')).toBe(
      'as "accessToken": real…(28) inne…(22)',
    );
  });

  it('masks a remembered secret in every encoding an error may quote it in, and in any mix of them', () => {
    const secret = 'k/e+y=v & "q" \\ü-0123';
    rememberSecrets({ clientSecret: secret });
    const masked = mask(secret);
    expect(masked).toBe('k/e+…(21)');
    const form = new URLSearchParams({ s: secret }).toString().slice(2);
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    const encodings = [
      form, // as a form sends it: %2F, + for a space
      form.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
      encodeURIComponent(secret),
      encodeURI(secret), // `/`, `+` and `=` left as they are
      encodeURIComponent(encodeURIComponent(secret)),
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/').replace('ü', '\\u00FC'), // PHP's json_encode
      JSON.stringify(JSON.stringify(secret)).slice(3, -3),
      secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/\//g, '&#x2F;'),
      // Two stacked: HTML of JSON, HTML twice, a percent-encoded HTML page, percent-encoded JSON.
      JSON.stringify(secret).slice(1, -1).replace(/&/g, '&amp;').replace(/"/g, '&quot;'),
      secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/\//g, '&#x2F;').replace(/&/g, '&amp;'),
      encodeURIComponent(secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;')),
      encodeURIComponent(JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/')),
    ];
    for (const encoded of encodings)
      expect(maskText(`the IdP says: ${encoded}.`), encoded).toBe(`the IdP says: ${masked}.`);
    // base64 of any text holding it, at any offset: Basic credentials (RFC 6749's form-encoded pair too), base64url.
    for (const text of [`client:${secret}`, `c:${secret}`, `${secret}:x`, `client-id:${form}`]) {
      expect(maskText(`Basic ${base64(text)} seen`), text).toBe(`Basic ${masked} seen`);
      expect(maskText(`jwt=${base64(text).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')};`), text).toBe(
        `jwt=${masked};`,
      );
    }
  });

  it('leaves what only resembles a remembered secret alone', () => {
    rememberSecrets({ clientSecret: 'post-secret-0123456789' });
    const otherBasic = Buffer.from('client:post-secret-9123456789').toString('base64');
    const near = [
      'post-secret-012345678',
      'post-secret-0123456788',
      'post%2Dsecret',
      otherBasic,
      'POST-SECRET-0123456789',
    ];
    for (const text of near) expect(maskText(`x ${text} y`)).toBe(`x ${text} y`);
  });

  it('is idempotent and leaves non-secrets alone', () => {
    rememberSecrets('post-secret-0123456789');
    const samples = [
      `access_token=${ACCESS}&token_type=bearer&id_token=${JWT}`,
      `{"access_token":"${ACCESS}","refresh_token":"${REFRESH}"}`,
      'Bearer ab+c/defghijklmnop== and client_secret=ab+cdefghij',
      'post-secret-0123456789',
    ];
    for (const sample of samples) expect(maskText(maskText(sample))).toBe(maskText(sample));
    // A help text's example stands for a value with an ellipsis.
    const example = '$ LOGTO_M2M_APP_SECRET=… connector-harness audit; client_secret=...';
    expect(maskText(example)).toBe(example);
    const plain =
      'set "tokenEndpointResponseType": "query-string"; tokenEndpoint http://127.0.0.1/token, token_type=Bearer, expires_in=3600, client_id=logto, scope=openid, state=abc, seen: client_secret_post';
    expect(maskText(plain)).toBe(plain);
  });

  it('stays linear on long runs of what its patterns look for (an error body can be large)', () => {
    rememberSecrets('k/e+y=v & "q" \\ü-0123');
    const started = performance.now();
    // Runs of what a remembered secret's forms start with, too.
    for (const text of ['%25'.repeat(60_000), 'k%2'.repeat(60_000), 'aG9z'.repeat(60_000), '&#x2F;'.repeat(30_000)])
      maskText(text);
    for (const text of [
      '\\'.repeat(100_000) + 'a":"x',
      'a'.repeat(200_000),
      '"a":'.repeat(50_000),
      'eyJ'.repeat(60_000),
      'Bearer '.repeat(30_000),
      `${'a'.repeat(100_000)}=`,
      'a.'.repeat(100_000),
      'x://u:'.repeat(40_000),
      `a://:${':'.repeat(100_000)}`,
    ])
      maskText(text);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('maskForOutput', () => {
  it('masks secret fields and every string, and keeps numbers and error codes', () => {
    const result = {
      error: { code: 'connector.invalid_response', status: 400, message: `access_token=${ACCESS}` },
      evidence: { clientSecret: 'abcdefghijk', body: { access_token: 'RCzg…(43)' } },
    };
    expect(maskForOutput(result)).toEqual({
      error: { code: 'connector.invalid_response', status: 400, message: 'access_token=RCzg…(43)' },
      evidence: { clientSecret: 'abcd…(11)', body: { access_token: 'RCzg…(43)' } },
    });
  });
});

describe("a private JWK's private members", () => {
  afterEach(() => forgetSecrets());
  // An EC P-256 key as a fixture's `keys:` holds it (a test value, not a key in use anywhere).
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    kid: 'test-key-1',
    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
  };

  it('are masked by maskSecrets and maskForOutput, the public members are not', () => {
    for (const masked of [maskSecrets({ keys: [jwk] }), maskForOutput({ keys: [jwk] })]) {
      expect(masked.keys[0]!.d).toBe(mask(jwk.d));
      expect(masked.keys[0]!.x).toBe(jwk.x);
      expect(masked.keys[0]!.kid).toBe('test-key-1');
    }
  });

  it('are remembered, so text that quotes them is masked; `d` outside a JWK stays a plain field', () => {
    expect(secretValuesOf({ keys: [jwk] })).toEqual([jwk.d]);
    expect(secretValuesOf({ d: 'not-a-key-member-value' })).toEqual([]);
    rememberSecrets([{ keys: [jwk] }]);
    expect(maskText(`fixture key refused: ${JSON.stringify(jwk)}`)).not.toContain(jwk.d);
  });
});
