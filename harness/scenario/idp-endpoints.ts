import type { Fixture } from '../../mock-idp/fixture/schema.ts';
import { ISSUER_PLACEHOLDER } from '../substitute.ts';

/**
 * The config fields the connector sends a request (and the client secret) to. A scenario that names a
 * fixture means that fixture's IdP: a real provider URL left in one of these would send the config's
 * secret to the real provider (and fail with "fetch failed"). The id_token issuer is only compared,
 * never contacted: it stays as written (a fixture's `issuer` plays the real one).
 */
type Field = 'authorizationEndpoint' | 'tokenEndpoint' | 'userInfoEndpoint' | 'jwksUri';

export interface EndpointRewrite {
  /** The config path, e.g. `tokenEndpoint`, `idTokenVerificationConfig.jwksUri`. */
  field: string;
  from: string;
  to: string;
}

const absolute = (value: unknown): URL | undefined => {
  if (typeof value !== 'string' || value.startsWith(ISSUER_PLACEHOLDER)) return undefined;
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) ? url : undefined;
  } catch {
    return undefined;
  }
};

/** Where the embedded mock IdP serves each endpoint (mock-idp/server/paths.ts), as a config value. */
function pointed(field: Field, url: URL, fixture: Fixture): string {
  switch (field) {
    case 'authorizationEndpoint':
      return `${ISSUER_PLACEHOLDER}/authorize${url.search}`;
    case 'tokenEndpoint':
      return `${ISSUER_PLACEHOLDER}/token${url.search}`;
    case 'userInfoEndpoint':
      return `${ISSUER_PLACEHOLDER}${fixture.userinfo.path}${url.search}`;
    case 'jwksUri':
      return `${ISSUER_PLACEHOLDER}/jwks`;
  }
}

/**
 * `config` with every real URL in a request-bearing field pointed at the fixture's IdP, and what was
 * rewritten (to say so). Values already under `{{issuer}}` stay. Pure.
 */
export function pointAtFixture(
  config: Record<string, unknown>,
  fixture: Fixture,
): { config: Record<string, unknown>; rewrites: EndpointRewrite[] } {
  const rewrites: EndpointRewrite[] = [];
  const rewrite = (field: Field, at: string, value: unknown): unknown => {
    const url = absolute(value);
    if (!url) return value;
    const to = pointed(field, url, fixture);
    rewrites.push({ field: at, from: value as string, to });
    return to;
  };
  const out: Record<string, unknown> = { ...config };
  for (const field of ['authorizationEndpoint', 'tokenEndpoint', 'userInfoEndpoint'] as const) {
    if (field in out) out[field] = rewrite(field, field, out[field]);
  }
  const verification = config.idTokenVerificationConfig;
  if (verification && typeof verification === 'object' && !Array.isArray(verification)) {
    const next: Record<string, unknown> = { ...(verification as Record<string, unknown>) };
    if ('jwksUri' in next) next.jwksUri = rewrite('jwksUri', 'idTokenVerificationConfig.jwksUri', next.jwksUri);
    out.idTokenVerificationConfig = next;
  }
  return { config: out, rewrites };
}

// The last two labels of a host name: api.github.com and github.com are one provider; an IP is only
// itself, and the loopback names are one machine. (A two-label public suffix such as co.uk is read as one site: strict enough.)
const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/;
const site = (host: string): string =>
  LOOPBACK.test(host) ? 'loopback' : /^[\d.]+$|^\[/.test(host) ? host : host.split('.').slice(-2).join('.');

/**
 * For a scenario whose IdP is given by URL: the request-bearing fields that point at another site
 * than that URL's (a request, and the client secret, would go to a host the scenario never named). Pure.
 */
export function endpointsElsewhere(
  config: Record<string, unknown>,
  idpUrl: string,
): Array<{ field: string; value: string }> {
  const wanted = site(new URL(idpUrl).hostname);
  const verification = (config.idTokenVerificationConfig ?? {}) as Record<string, unknown>;
  const fields: Array<[string, unknown]> = [
    ['authorizationEndpoint', config.authorizationEndpoint],
    ['tokenEndpoint', config.tokenEndpoint],
    ['userInfoEndpoint', config.userInfoEndpoint],
    ['idTokenVerificationConfig.jwksUri', verification.jwksUri],
  ];
  return fields.flatMap(([field, value]) => {
    const url = absolute(value);
    return url && site(url.hostname) !== wanted ? [{ field, value: value as string }] : [];
  });
}
