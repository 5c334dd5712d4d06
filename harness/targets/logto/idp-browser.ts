import { CookieJar, followRedirects } from '../../follow-redirects.ts';

/** The IdP kept the browser (an error page, no redirect): as in-process, Logto never hears of the sign-in. */
export class NeverBack extends Error {}

/**
 * The browser at the IdP, headless: from the authorization URI Logto gave it until the IdP sends it
 * back to `callbackUri`; returns the callback's query (Logto's `connectorData`). The IdP's redirects
 * name its public URL; the browser follows them at the one `rewrite` gives (a container's IdP).
 */
export async function throughTheIdp(input: {
  authorizationUri: string;
  callbackUri: string;
  rewrite?: (url: string) => string;
  /** Picks the IdP user (login_hint) when the connector did not. */
  idpUser?: string;
}): Promise<Record<string, string>> {
  const rewrite = input.rewrite ?? ((url: string) => url);
  const idpUrl = new URL(rewrite(input.authorizationUri));
  if (input.idpUser && !idpUrl.searchParams.has('login_hint')) idpUrl.searchParams.set('login_hint', input.idpUser);
  const jar = new CookieJar();
  let url = idpUrl.href;
  for (let leg = 0; leg < 10; leg += 1) {
    const hop = await followRedirects(
      rewrite(url),
      (candidate) => candidate.startsWith(input.callbackUri) || rewrite(candidate) !== candidate,
      { jar },
    );
    if (!hop.callbackUrl)
      throw new NeverBack(
        `the IdP did not send the browser back to Logto (${hop.stoppedAt?.status} at ${hop.stoppedAt?.url}: ${hop.stoppedAt?.body.slice(0, 200)})`,
      );
    if (hop.callbackUrl.startsWith(input.callbackUri)) return Object.fromEntries(new URL(hop.callbackUrl).searchParams);
    url = hop.callbackUrl;
  }
  throw new Error('too many redirects at the IdP');
}
