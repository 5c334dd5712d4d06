/** A browser's part of a sign-in, without a browser: follow redirects, keep cookies, stop at the app. */

export interface FollowResult {
  /** The URL that matched `stopAt`, with the IdP's callback query. */
  callbackUrl?: string;
  /** Every hop, for the report when something goes wrong. */
  hops: Array<{ url: string; status: number }>;
  /**
   * Set when the chain ended somewhere else (a page that needs a person, an error body), with the
   * response headers (cookies left out: they are the session's).
   */
  stoppedAt?: { url: string; status: number; headers: Record<string, string>; body: string; redirectLoop?: true };
}

export const MAX_REDIRECTS = 20;

export class CookieJar {
  readonly #cookies = new Map<string, Map<string, string>>();

  store(url: string, setCookies: string[]): void {
    const host = new URL(url).host;
    const jar = this.#cookies.get(host) ?? new Map<string, string>();
    for (const header of setCookies) {
      const [pair = ''] = header.split(';');
      const index = pair.indexOf('=');
      if (index <= 0) continue;
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/;\s*max-age=0/i.test(header) || /expires=Thu, 01 Jan 1970/i.test(header)) jar.delete(name);
      else jar.set(name, value);
    }
    this.#cookies.set(host, jar);
  }

  header(url: string): string | undefined {
    const jar = this.#cookies.get(new URL(url).host);
    return jar && jar.size > 0 ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : undefined;
  }
}

export async function followRedirects(
  start: string,
  stopAt: (url: string) => boolean,
  options: { jar?: CookieJar; signal?: AbortSignal } = {},
): Promise<FollowResult> {
  const jar = options.jar ?? new CookieJar();
  const hops: FollowResult['hops'] = [];
  let url = start;
  for (let hop = 0; hop < MAX_REDIRECTS; hop += 1) {
    if (stopAt(url)) return { callbackUrl: url, hops };
    const cookie = jar.header(url);
    const response = await fetch(url, {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
      ...(options.signal ? { signal: options.signal } : {}),
    });
    jar.store(url, response.headers.getSetCookie());
    hops.push({ url, status: response.status });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url).href;
      continue;
    }
    const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'set-cookie'));
    return { hops, stoppedAt: { url, status: response.status, headers, body: (await response.text()).slice(0, 2000) } };
  }
  return {
    hops,
    stoppedAt: { url, status: 0, headers: {}, body: `gave up after ${MAX_REDIRECTS} redirects`, redirectLoop: true },
  };
}
