/**
 * The provider library: which real IdPs the shipped scenarios reproduce, whether Logto's generic
 * connectors work with them, the settings that matter and the traps each scenario catches. The
 * facts behind each entry are cited in its fixture (fixtures/scenarios/providers/<id>/idp/).
 */
export interface ProviderEntry {
  id: string;
  name: string;
  /** yes: a generic connector works; no: it cannot, or not safely or lastingly (`caveat` says which; use `dedicated`). */
  generic: 'yes' | 'no';
  /** What qualifies the verdict (X: a generic config is possible but insecure). */
  caveat?: string;
  connector?: 'oauth2' | 'oidc';
  /** Logto's own connector for this provider, when there is one. */
  dedicated?: string;
  essentials: string;
  /** Each a known-bad scenario; one that rests on no source starts with "guess:". */
  traps: string[];
  /**
   * Where the generic connector keeps an email that Logto's dedicated connector for this provider would
   * drop as unverified: Logto core trusts a social email when linking accounts.
   */
  unverifiedEmail?: string;
  /** Where moving from the generic connector to the dedicated one changes the user's id: existing users are orphaned. */
  identityKey?: string;
  /**
   * Where this provider has a setting for what the generic guard refuses (by token answer field): the
   * check names it instead of "no setting fixes this".
   */
  fixes?: Record<string, string>;
  /**
   * A userinfo that takes another method than GET (Dropbox: POST), at its documented path: a refusal at that very path
   * is the method's, since the connector always GETs (a refusal elsewhere is a wrong userInfoEndpoint).
   */
  userinfoMethod?: { method: 'POST'; path: string };
  /** The scenario `init` starts from, relative to the provider folder. */
  starter: string;
  /** A scenario with the other generic connector, when that one works too (what `audit` compares a config of that kind with). */
  alternative?: string;
  /** The provider's own hosts (a match is the host itself or a subdomain): how `audit` recognises a tenant's connector. */
  hosts: string[];
  /** For self-hosted IdPs (any host): the endpoint path that gives the product away, e.g. Keycloak's `/realms/<realm>/`. */
  paths?: RegExp[];
}

export const PROVIDERS_DIR = 'fixtures/scenarios/providers';

export const providers: ProviderEntry[] = [
  {
    id: 'github',
    hosts: ['github.com'],
    name: 'GitHub (OAuth app)',
    generic: 'yes',
    connector: 'oauth2',
    dedicated: 'GitHub',
    essentials: 'tokenEndpointResponseType query-string (default); profileMap id: id, avatar: avatar_url',
    traps: [
      '"json" against the form body → keep query-string',
      "email is the PUBLIC email, null for most → Logto's GitHub connector reads /user/emails",
      'GitHub App with expiring tokens: form expires_in is a string → no generic fix, use the GitHub connector',
    ],
    starter: 'github.yaml',
  },
  {
    id: 'google',
    hosts: ['accounts.google.com', 'googleapis.com'],
    name: 'Google',
    generic: 'yes',
    connector: 'oidc',
    dedicated: 'Google',
    essentials: 'customConfig access_type: offline + authRequestOptionalConfig prompt: consent for refresh tokens',
    traps: ['access_type=offline alone: no refresh token for a returning user → add prompt=consent'],
    starter: 'google.yaml',
  },
  {
    id: 'x',
    hosts: ['x.com', 'twitter.com'],
    name: 'X (Twitter)',
    generic: 'no',
    caveat:
      'no SAFE generic config: X also accepts plain PKCE and customConfig reaches both authorize and token, so a fixed ' +
      'code_challenge/code_verifier pair could pass; untested, and a fixed verifier defeats PKCE: not recommended',
    dedicated: 'X (Twitter)',
    essentials:
      'PKCE is mandatory; the generic connectors send no code_challenge. Email: scope ' +
      "users.email + user.fields=confirmed_email (Logto's X connector asks for both)",
    traps: ["authorize refused (PKCE required) → use Logto's X connector"],
    starter: 'known-bad-no-pkce.yaml',
  },
  {
    id: 'naver',
    hosts: ['naver.com'],
    name: 'Naver',
    generic: 'no',
    dedicated: 'Naver',
    essentials: 'id at response.id (a JSON string); expires_in is a JSON string',
    traps: [
      "string expires_in → no generic fix, use Logto's Naver connector",
      'token errors served with HTTP 200 (seen by third-party clients, not documented) → the harness shows the body; userinfo error 024 comes with HTTP 401',
    ],
    starter: 'known-bad-string-expires-in.yaml',
  },
  {
    id: 'kakao',
    hosts: ['kakao.com'],
    name: 'Kakao',
    generic: 'yes',
    connector: 'oauth2',
    dedicated: 'Kakao',
    essentials:
      'tokenEndpointResponseType json; profileMap id: id (number), email: kakao_account.email, name: kakao_account.profile.nickname',
    traps: [
      'email at the top level → kakao_account.email',
      'query-string default against JSON → json',
      'kakao_account.is_email_valid false: the generic connector keeps the email',
    ],
    unverifiedEmail:
      "Logto's Kakao connector keeps the email only when kakao_account.is_email_valid is true; the generic OAuth2 connector keeps it whatever the flag says",
    starter: 'kakao.yaml',
  },
  {
    id: 'line',
    hosts: ['line.me'],
    name: 'LINE',
    generic: 'yes',
    connector: 'oauth2',
    dedicated: 'LINE',
    essentials:
      'tokenEndpointResponseType json; profileMap id: userId, name: displayName, avatar: pictureUrl (no email)',
    traps: ['default profileMap id → userId'],
    starter: 'line.yaml',
  },
  {
    id: 'discord',
    hosts: ['discord.com'],
    name: 'Discord',
    generic: 'yes',
    connector: 'oauth2',
    dedicated: 'Discord',
    essentials: 'tokenEndpointResponseType json; profileMap name: global_name, avatar pointed at a missing field',
    traps: [
      'avatar is a hash, not a URL → warning with the fix',
      'verified false: the generic connector keeps the email',
    ],
    unverifiedEmail:
      "Logto's Discord connector keeps the email only when verified is true; the generic OAuth2 connector keeps it whatever the flag says",
    starter: 'discord.yaml',
  },
  {
    id: 'slack',
    hosts: ['slack.com'],
    name: 'Slack (Sign in with Slack)',
    generic: 'yes',
    connector: 'oidc',
    dedicated: 'Slack',
    essentials: 'OIDC connector, issuer https://slack.com',
    traps: ["errors are HTTP 200 {ok:false} → the harness names Slack's error"],
    starter: 'slack.yaml',
  },
  {
    id: 'entra-id',
    hosts: ['login.microsoftonline.com'],
    name: 'Microsoft Entra ID',
    generic: 'yes',
    connector: 'oidc',
    dedicated: 'Microsoft Entra ID (Azure AD)',
    essentials: "v2.0 endpoints; idTokenVerificationConfig.issuer = the list of accepted tenants' issuers",
    traps: [
      "/common's {tenantid} issuer never matches → list the tenants",
      'v1.0 endpoint: string expires_in → use v2.0 with the OIDC connector',
    ],
    identityKey:
      "Logto's Microsoft Entra ID (Azure AD) connector keys users by the Graph /me id (= the oid claim); the OIDC " +
      'connector by the id_token sub, which is pairwise per application: moving between them orphans every existing user',
    fixes: {
      expires_in:
        'use the v2.0 endpoints (…/oauth2/v2.0/authorize and …/oauth2/v2.0/token) with the OIDC connector:' +
        ' the v1.0 endpoint sends expires_in as a string, v2.0 as a number',
    },
    starter: 'entra-id.yaml',
  },
  {
    id: 'azure-ad-b2c',
    hosts: ['b2clogin.com'],
    name: 'Azure AD B2C (user flow)',
    generic: 'yes',
    connector: 'oidc',
    essentials:
      'OIDC connector (claims from the id_token), scope openid alone: no access token, so no string expires_in',
    traps: [
      'OAuth2 connector: no userinfo endpoint (404) → OIDC connector',
      "an access token (the app's API scope, offline_access) brings a string expires_in " +
        '→ the OIDC guard refuses it; custom policies: SendTokenResponseBodyWithJsonNumbers',
    ],
    fixes: {
      expires_in:
        'ask for scope openid alone (B2C then issues no access token), or in a custom policy ' +
        'set SendTokenResponseBodyWithJsonNumbers so B2C sends expires_in as a number',
    },
    starter: 'azure-ad-b2c.yaml',
  },
  {
    id: 'wechat',
    hosts: ['weixin.qq.com'],
    name: 'WeChat (website login)',
    generic: 'no',
    dedicated: 'WeChat (web)',
    essentials: 'appid/secret parameter names, no token_type, openid on userinfo',
    traps: [
      'client_id refused',
      'errcode with HTTP 200',
      "no token_type even with appid/secret in customConfig → use Logto's WeChat connector",
    ],
    identityKey:
      "Logto's WeChat connector keys users by unionid ?? openid; a generic setup maps openid. unionid appears " +
      'once the app is bound to a WeChat Open Platform account: moving then orphans every existing user',
    starter: 'known-bad-standard-config.yaml',
  },
  {
    id: 'alibaba',
    hosts: ['alibabacloud.com', 'aliyun.com'],
    name: 'Alibaba Cloud',
    generic: 'yes',
    connector: 'oauth2',
    essentials:
      "tokenEndpointResponseType json; profileMap id: sub. expires_in: Alibaba's doc samples " +
      'send a string, its SDK README a number; this config works only with the number',
    traps: [
      'default id path (no `id` field) → sub',
      'if Alibaba sends the string expires_in its docs show → connector.invalid_response, no generic fix (sources disagree: capture one with `record`)',
    ],
    starter: 'alibaba.yaml',
  },
  {
    id: 'linkedin',
    hosts: ['linkedin.com'],
    name: 'LinkedIn (OpenID Connect)',
    generic: 'yes',
    connector: 'oidc',
    dedicated: 'LinkedIn',
    essentials: 'acceptStringTypedBooleanClaims: true; client_secret_post',
    traps: ['email_verified "true" refused → acceptStringTypedBooleanClaims'],
    starter: 'linkedin.yaml',
  },
  {
    id: 'huggingface',
    hosts: ['huggingface.co'],
    name: 'Hugging Face',
    generic: 'yes',
    connector: 'oidc',
    dedicated: 'Hugging Face',
    essentials: 'OIDC connector; tokenEndpointAuthMethod client_secret_basic',
    traps: [
      "guess: no source says Hugging Face refuses Logto's client_secret_post default; " +
        "Logto's own Hugging Face connector uses client_secret_basic, so the library does too",
    ],
    starter: 'huggingface.yaml',
  },
  {
    id: 'okta',
    hosts: ['okta.com'],
    name: 'Okta',
    generic: 'yes',
    connector: 'oidc',
    essentials: 'client_secret_basic; issuer https://{domain}/oauth2/default for the default server',
    traps: [
      "org issuer for /oauth2/default tokens → the discovery document's issuer",
      'client_id in customConfig beside Basic → refused, remove it',
    ],
    starter: 'okta.yaml',
  },
  {
    id: 'facebook',
    hosts: ['facebook.com'],
    name: 'Facebook',
    generic: 'yes',
    connector: 'oauth2',
    dedicated: 'Facebook',
    essentials: 'userInfoEndpoint …/me?fields=id,name,email,picture; avatar: picture.data.url',
    traps: ['no fields= → id and name only', 'avatar: picture (an object) fails the sign-in → picture.data.url'],
    starter: 'facebook.yaml',
  },
  {
    id: 'patreon',
    hosts: ['patreon.com'],
    name: 'Patreon',
    generic: 'yes',
    connector: 'oauth2',
    dedicated: 'Patreon',
    essentials: 'userInfoEndpoint …/identity?fields[user]=…; profileMap data.id, data.attributes.*',
    traps: ['no fields[user] → no attributes', 'default id → data.id'],
    starter: 'patreon.yaml',
  },
  {
    id: 'auth0',
    hosts: ['auth0.com'],
    name: 'Auth0',
    generic: 'yes',
    connector: 'oidc',
    essentials: 'customConfig audience: <API identifier> for an access token your API accepts',
    traps: ['no audience → opaque access token (only /userinfo)'],
    starter: 'auth0.yaml',
  },
  {
    id: 'amazon',
    hosts: ['amazon.com'],
    name: 'Login with Amazon',
    generic: 'yes',
    connector: 'oauth2',
    dedicated: 'Amazon',
    essentials: 'tokenEndpointResponseType json; profileMap id: user_id',
    traps: ['default id path → user_id'],
    starter: 'amazon.yaml',
  },
  {
    id: 'gitlab',
    hosts: ['gitlab.com'],
    name: 'GitLab',
    generic: 'yes',
    connector: 'oauth2',
    dedicated: 'GitLab',
    essentials:
      'OAuth2 connector against /oauth/userinfo, tokenEndpointResponseType json, id: sub ' +
      '(the OIDC connector works too: the id_token carries name, email, email_verified)',
    traps: ['query-string default → json', 'email_verified false: the generic OAuth2 connector keeps the email'],
    alternative: 'gitlab-oidc.yaml',
    unverifiedEmail:
      "Logto's GitLab connector keeps the email only when email_verified is true; the " +
      'generic OAuth2 connector keeps it whatever the flag says (the OIDC connector drops it)',
    starter: 'gitlab.yaml',
  },
  {
    id: 'apple',
    hosts: ['appleid.apple.com'],
    name: 'Apple (Sign in with Apple)',
    generic: 'no',
    caveat:
      'no LASTING generic config: OIDC signs in with a pre-signed ES256 JWT as the secret, but it expires within 6 months ' +
      '(Logto cannot sign ES256), and the name comes only in the first form_post, which the OIDC connector never reads',
    dedicated: 'Apple',
    essentials:
      'OIDC, client_secret_post with an ES256 JWT you sign (≤ 6 months), scope openid email name, ' +
      'authRequestOptionalConfig.responseMode form_post, acceptStringTypedBooleanClaims: true',
    traps: [
      'email_verified "true" (a string) refused → acceptStringTypedBooleanClaims',
      'client_secret_jwt signs HS256 → invalid_client; Apple wants an ES256 JWT as client_secret',
      'name/email scopes without response_mode=form_post → Apple stops at its error page',
      "no name ever with the OIDC connector → Logto's Apple connector (first sign-in only)",
    ],
    starter: 'known-bad-no-name.yaml',
  },
  {
    id: 'keycloak',
    hosts: [],
    paths: [/\/realms\/[^/]+\/protocol\/openid-connect\//],
    name: 'Keycloak (self-hosted OIDC)',
    generic: 'yes',
    connector: 'oidc',
    essentials:
      'OIDC, issuer https://<host>/realms/<realm> (no /auth since Keycloak 17), jwksUri …/protocol/openid-connect/certs; post or basic',
    traps: [
      'client with a PKCE method set → Missing parameter: code_challenge_method; clear it (Logto sends no PKCE)',
      'email_verified false → email dropped, and trustUnverifiedEmail does not help (it covers an absent claim only)',
    ],
    starter: 'keycloak.yaml',
  },
  {
    id: 'aws-cognito',
    hosts: ['amazoncognito.com'],
    name: 'Amazon Cognito (user pool)',
    generic: 'yes',
    connector: 'oidc',
    essentials:
      'OIDC on the hosted-UI domain (…/oauth2/authorize, …/oauth2/token), issuer https://cognito-idp.<region>.amazonaws.com/<pool>, jwksUri <issuer>/.well-known/jwks.json; client_secret_basic',
    traps: ['the hosted-UI domain as the issuer → issuer mismatch (HTTP 500) → the cognito-idp URL'],
    starter: 'aws-cognito.yaml',
  },
  {
    id: 'zitadel',
    hosts: ['zitadel.cloud'],
    paths: [/^\/oauth\/v2\/(authorize|token)$/],
    name: 'ZITADEL',
    generic: 'yes',
    connector: 'oidc',
    essentials:
      'OIDC with "User Info inside ID Token" on (…/oauth/v2/authorize, …/oauth/v2/token, ' +
      'jwks …/oauth/v2/keys); or OAuth2 with userInfoEndpoint …/oidc/v1/userinfo, id: sub',
    traps: ['OIDC connector with the default app settings: id_token holds sub only → no name, no email, silently'],
    starter: 'zitadel.yaml',
    alternative: 'zitadel-oauth2.yaml',
  },
  {
    id: 'authentik',
    hosts: [],
    paths: [/^\/application\/o\//],
    name: 'authentik',
    generic: 'yes',
    connector: 'oidc',
    essentials:
      'OIDC, …/application/o/authorize/ and …/token/, issuer and jwksUri under …/application/o/<slug>/; a Signing Key on the provider',
    traps: [
      '≥ 2025.10 default mapping: email_verified false → email dropped, and trustUnverifiedEmail cannot restore it',
    ],
    starter: 'authentik.yaml',
  },
  {
    id: 'salesforce',
    hosts: ['salesforce.com'],
    name: 'Salesforce',
    generic: 'yes',
    connector: 'oauth2',
    essentials:
      'tokenEndpointResponseType json; userInfoEndpoint …/services/oauth2/userinfo; ' +
      'profileMap id: user_id; scope with refresh_token; sandboxes on test.salesforce.com',
    traps: ['an app or org that requires PKCE refuses Logto → turn the requirement off for its app'],
    starter: 'salesforce.yaml',
  },
  {
    id: 'twitch',
    hosts: ['twitch.tv'],
    name: 'Twitch',
    generic: 'no',
    essentials: 'the token answer’s scope is a JSON array; Helix wants a Client-Id header',
    traps: [
      'OAuth2 and OIDC: array scope → connector.invalid_response, no generic fix (a proxy or a custom connector)',
    ],
    starter: 'known-bad-scope-array.yaml',
  },
  {
    id: 'dropbox',
    hosts: ['dropbox.com', 'dropboxapi.com'],
    name: 'Dropbox',
    generic: 'no',
    caveat:
      "OAuth2 cannot (the account endpoint is POST only); OIDC might, but Dropbox's JWKS and issuer are unverified",
    essentials:
      'users/get_current_account takes POST only; customConfig token_access_type: offline for a refresh token',
    traps: ['OAuth2 connector GETs the account endpoint → refused, no generic fix'],
    userinfoMethod: { method: 'POST', path: '/2/users/get_current_account' },
    starter: 'known-bad-userinfo-post-only.yaml',
  },
  {
    id: 'spotify',
    hosts: ['spotify.com'],
    name: 'Spotify',
    generic: 'yes',
    connector: 'oauth2',
    essentials:
      'client_secret_basic; tokenEndpointResponseType json; profileMap id: id, name: display_name, ' +
      'avatar: images.0.url, email pointed at a missing field (Logto maps email by default)',
    traps: ['avatar: images (an array) → images.0.url', 'email mapped: Spotify calls it unverified → leave it out'],
    starter: 'spotify.yaml',
  },
  {
    id: 'bitbucket',
    hosts: ['bitbucket.org'],
    name: 'Bitbucket Cloud',
    generic: 'yes',
    connector: 'oauth2',
    essentials:
      'client_secret_basic; tokenEndpointResponseType json; userInfoEndpoint …/2.0/user; ' +
      'profileMap id: uuid, name: display_name, avatar: links.avatar.href (no email)',
    traps: [
      'email: only in a second call (/2.0/user/emails) → no generic fix',
      'avatar: links.avatar (an object) → links.avatar.href',
    ],
    starter: 'bitbucket.yaml',
  },
  {
    id: 'reddit',
    hosts: ['reddit.com'],
    name: 'Reddit',
    generic: 'yes',
    connector: 'oauth2',
    essentials:
      'client_secret_basic; tokenEndpointResponseType json; userInfoEndpoint https://oauth.reddit.com/api/v1/me; customConfig duration: permanent; no email',
    traps: ["Logto's client_secret_post default → client_secret_basic"],
    starter: 'reddit.yaml',
  },
  {
    id: 'notion',
    hosts: ['notion.com'],
    name: 'Notion',
    generic: 'no',
    essentials:
      'every call needs a Notion-Version header; users/me is the bot, the person is in the token answer (owner.user)',
    traps: ['users/me without Notion-Version → 400, no generic fix (a custom connector)'],
    starter: 'known-bad-no-version-header.yaml',
  },
  {
    id: 'atlassian',
    hosts: ['atlassian.com'],
    name: 'Atlassian (Jira, Confluence)',
    generic: 'yes',
    connector: 'oauth2',
    essentials:
      'tokenEndpointResponseType json; userInfoEndpoint https://api.atlassian.com/me; profileMap id: account_id; customConfig audience: api.atlassian.com, prompt: consent; scope read:me offline_access',
    traps: ['default id path → account_id'],
    starter: 'atlassian.yaml',
  },
];

export const findProvider = (id: string): ProviderEntry | undefined =>
  providers.find((provider) => provider.id === id.toLowerCase());

/** The provider whose hosts serve this config's authorization or token endpoint, if any. */
export function providerForEndpoints(...endpoints: unknown[]): ProviderEntry | undefined {
  const urls = endpoints.flatMap((endpoint) => {
    try {
      return typeof endpoint === 'string' ? [new URL(endpoint)] : [];
    } catch {
      return [];
    }
  });
  return providers.find(
    (provider) =>
      provider.hosts.some((host) => urls.some(({ hostname }) => hostname === host || hostname.endsWith(`.${host}`))) ||
      (provider.paths ?? []).some((pattern) => urls.some(({ pathname }) => pattern.test(pathname))),
  );
}
