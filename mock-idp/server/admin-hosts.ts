import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { UserError } from '../../lib/user-error.ts';
import { pathOf } from './direct-answer.ts';

/** Names of this machine a browser page cannot be rebound to: a page's own name never resolves to them. */
export const LOCAL_NAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

/**
 * The host name in a Host header or an --allowed-host value (`name`, `name:port`, `[::1]:4000`), as
 * a URL spells it: lowercase, IPv6 in brackets, no trailing dot. Undefined for anything else.
 */
export function hostnameOf(host: string): string | undefined {
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || host.includes('/'))
    return undefined;
  return url.hostname.replace(/\.$/, '');
}

/** --allowed-host values (StartOptions.allowedHosts, MOCK_IDP_ALLOWED_HOSTS) as host names, checked before anything listens. */
export function checkedAllowedHosts(names: readonly string[], field = 'allowedHosts'): string[] {
  return names.map((name) => {
    const hostname = hostnameOf(name.trim());
    if (!hostname)
      throw new UserError({
        field,
        message: `"${name}" is not a host name`,
        hint: "give a name as the browser's address bar shows it, e.g. idp.lan or idp.lan:4000",
      });
    return hostname;
  });
}

const isIpLiteral = (hostname: string) => isIP(hostname.replace(/^\[(.*)\]$/, '$1')) !== 0;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The journal and the user directory (every route under `/_`, the journal page too) answer only
 * requests addressed to a name of this IdP: a page on another name that a DNS rebinding points at
 * this port would otherwise read the journal and change users. The names: localhost, the issuer's
 * host, any IP address (a page's name never is one, and these routes send no CORS headers) and the
 * extra ones given. The port is not compared (Docker maps it). The OAuth endpoints answer any Host:
 * Logto in a container reaches the IdP through a container name. A userinfo path under `/_` stays
 * an OAuth endpoint.
 *
 * Returns whether it answered the request (with a 403 saying which names are allowed).
 */
export function adminHostGuard(
  issuerHostname: string,
  extra: readonly string[],
  userinfoPath: string,
  log: (line: string) => void,
) {
  const allowed = [...new Set([...LOCAL_NAMES, issuerHostname, ...extra])];
  const isAllowed = (host: string | undefined) => {
    const hostname = host === undefined ? undefined : hostnameOf(host);
    return hostname !== undefined && (allowed.includes(hostname) || isIpLiteral(hostname));
  };

  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = request.url ?? '/';
    // The common case first: an OAuth request in origin form.
    if (url.startsWith('/') && !url.startsWith('/_')) return false;
    let path: string;
    let target: string | undefined;
    if (url.startsWith('/')) {
      path = pathOf(url);
    } else {
      // Absolute form (`GET http://name/_journal`): koa routes it by its path, so its name counts too.
      try {
        const parsed = new URL(url);
        path = parsed.pathname;
        target = parsed.host;
      } catch {
        return false;
      }
    }
    if (!path.startsWith('/_') || path === userinfoPath) return false;
    const host = request.headers.host;
    if (isAllowed(host) && (target === undefined || isAllowed(target))) return false;

    const refused = JSON.stringify((target !== undefined && !isAllowed(target) ? target : host) ?? '').slice(0, 200);
    const named = allowed.join(', ');
    log(
      `refused ${request.method} ${JSON.stringify(path).slice(0, 200)}: Host ${refused} is not a name of this IdP (allowed: ${named}, IP addresses)`,
    );
    const description =
      `Host ${refused} is not a name of this IdP: the journal and users (/_ routes) answer only ${named} and IP addresses, ` +
      'so that a web page under another name cannot read them. To allow a name, start mock-idp with --allowed-host <name> ' +
      '(repeatable) or MOCK_IDP_ALLOWED_HOSTS=<name>,<name>.';
    const body = JSON.stringify({ error: 'host_not_allowed', error_description: description, allowed_hosts: allowed });
    response.writeHead(403, {
      'content-type': JSON_TYPE,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    return true;
  };
}
