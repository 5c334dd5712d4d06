import type { EndpointName } from '../fixture/schema.ts';

/** Where each endpoint lives; oidc-provider's routes are set from this too, so discovery agrees. */
export interface EndpointPaths {
  authorization: string;
  token: string;
  userinfo: string;
  jwks: string;
  revocation: string;
  endSession: string;
}

export const paths = (userinfoPath: string): EndpointPaths => ({
  authorization: '/authorize',
  token: '/token',
  userinfo: userinfoPath,
  jwks: '/jwks',
  revocation: '/revoke',
  endSession: '/logout',
});

/** A path as a router pattern that matches only itself: the router reads `:name`, `*`, `(`, `{`, `?`, `!` and `+` as pattern syntax. */
export const literalRoute = (path: string): string => path.replace(/[{}()[\]+?!:*\\]/g, '\\$&');

export const DISCOVERY_PATH = '/.well-known/openid-configuration';

export function endpointFor(path: string, endpoints: EndpointPaths): EndpointName | 'login' | 'admin' | 'other' {
  if (path === DISCOVERY_PATH) return 'discovery';
  if (path === endpoints.jwks) return 'jwks';
  if (path === endpoints.authorization || path.startsWith(`${endpoints.authorization}/`)) return 'authorize';
  if (path === endpoints.token) return 'token';
  if (path === endpoints.userinfo) return 'userinfo';
  if (path === endpoints.revocation) return 'revocation';
  if (path === endpoints.endSession || path.startsWith(`${endpoints.endSession}/`)) return 'end_session';
  if (path.startsWith('/interaction/')) return 'login';
  if (path.startsWith('/_')) return 'admin';
  return 'other';
}
