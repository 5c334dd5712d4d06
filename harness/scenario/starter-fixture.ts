import type { FixtureInput } from '../../mock-idp/fixture/schema.ts';
import { wireName } from '../connectors/wire-name.ts';
import type { ConnectorKind } from '../connectors/load.ts';
import { effectiveProfileMap } from '../connectors/profile-map.ts';

/** A stand-in value at a dot path (`data.user.id` → { data: { user: { id } } }), arrays by numeric segment. */
function place(target: Record<string, unknown>, dotPath: string, value: unknown): void {
  const keys = dotPath.split('.');
  let node: Record<string, unknown> = target;
  keys.forEach((key, index) => {
    if (index === keys.length - 1) {
      node[key] = value;
      return;
    }
    const nextIsIndex = /^\d+$/.test(keys[index + 1]!);
    node[key] ??= nextIsIndex ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
}

const STAND_INS: Record<string, string> = {
  id: 'user-1',
  name: 'Ada Example',
  avatar: 'https://example.com/ada.png',
  email: 'ada@example.com',
  phone: '+15555550100',
};

/** The path of a URL, or `fallback` when it is not one. */
export function pathOf(url: unknown, fallback: string): string {
  try {
    return new URL(String(url)).pathname || fallback;
  } catch {
    return fallback;
  }
}

/**
 * A mock-idp fixture an unknown IdP may start from, built from the connector config alone: the
 * client as the config authenticates, the token body as the config can read it (a form body the
 * query-string default reads only without expires_in, which decodes to a string), a user whose
 * userinfo has a value at every profileMap path, customConfig as required parameters. It proves the
 * config is coherent, not that the IdP answers so: the description says to edit it. Pure.
 */
export function starterFixture(
  kind: ConnectorKind,
  config: Record<string, unknown>,
  options: { name: string; clientSecret: string },
): FixtureInput {
  const custom = (config.customConfig ?? {}) as Record<string, unknown>;
  const profile: Record<string, unknown> = {};
  const profileMap = effectiveProfileMap(config.profileMap);
  if (kind === 'oauth2')
    for (const [field, dotPath] of Object.entries(profileMap)) place(profile, dotPath, STAND_INS[field] ?? field);
  else Object.assign(profile, { sub: 'user-1', name: 'Ada Example', email: 'ada@example.com', email_verified: true });

  const method =
    typeof config.tokenEndpointAuthMethod === 'string' ? config.tokenEndpointAuthMethod : 'client_secret_post';
  const wireParams = Object.fromEntries(Object.keys(custom).map((key) => [wireName(key), true as const]));
  return {
    description: `starter fixture for ${options.name}: edit it to answer as the real IdP does (encoding, userinfo shape, quirks)`,
    clients: [
      {
        clientId: typeof config.clientId === 'string' && config.clientId !== '' ? config.clientId : 'client-id',
        clientSecret: options.clientSecret,
        tokenEndpointAuthMethod: method as 'client_secret_post',
        ...(method === 'client_secret_jwt' && typeof config.clientSecretJwtSigningAlgorithm === 'string'
          ? { clientSecretJwtAlg: config.clientSecretJwtSigningAlgorithm as 'HS256' }
          : {}),
      },
    ],
    users: [{ id: 'user-1', profile }],
    defaultUser: 'user-1',
    ...(typeof config.scope === 'string'
      ? { scopes: [...new Set(['openid', ...config.scope.split(/[ +]/).filter(Boolean)])] }
      : {}),
    ...(kind === 'oauth2'
      ? {
          tokenResponse:
            config.tokenEndpointResponseType === 'json'
              ? { encoding: 'json' as const }
              : { encoding: 'form' as const, expiresIn: 'absent' as const },
          userinfo: { path: pathOf(config.userInfoEndpoint, '/userinfo') },
        }
      : {}),
    ...(Object.keys(wireParams).length > 0 ? { requiredParams: { authorize: wireParams, token: wireParams } } : {}),
  };
}
