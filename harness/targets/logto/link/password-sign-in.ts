import { z } from 'zod';
import { CookieJar, followRedirects } from '../../../follow-redirects.ts';
import { LogtoHttp } from '../../../logto-api/logto-http.ts';

const answers = {
  verification: z.looseObject({ verificationId: z.string() }).describe('a password verification'),
  submitted: z.looseObject({ redirectTo: z.string() }).describe('where the sign-in goes next (redirectTo)'),
};

/**
 * A username-and-password sign-in through Logto's Experience API (what its sign-in page does):
 * /oidc/auth sets the interaction cookie, the password is verified, the user identified, the
 * interaction submitted and followed back to the application. Returns the application's callback
 * URL; a refusal throws LogtoApiError with Logto's code.
 */
export async function signInWithPassword(input: {
  endpoint: string;
  authorizationUrl: string;
  appRedirectUri: string;
  username: string;
  password: string;
  apiTimeoutMs?: number;
}): Promise<string> {
  const jar = new CookieJar();
  const logto = new LogtoHttp(input.endpoint, {
    jar,
    ...(input.apiTimeoutMs ? { timeoutMs: input.apiTimeoutMs } : {}),
  });
  const origin = new URL(logto.endpoint).origin;
  const atExperiencePage = (url: string) => {
    const parsed = new URL(url);
    return parsed.origin === origin && !parsed.pathname.startsWith('/oidc');
  };
  const started = await followRedirects(input.authorizationUrl, atExperiencePage, { jar });
  if (!started.callbackUrl)
    throw new Error(
      `Logto did not send the browser to its sign-in page (${started.stoppedAt?.status} at ${started.stoppedAt?.url})`,
    );
  await logto.request('PUT', '/api/experience', { json: { interactionEvent: 'SignIn' } });
  const { body } = await logto.request('POST', '/api/experience/verification/password', {
    schema: answers.verification,
    json: { identifier: { type: 'username', value: input.username }, password: input.password },
  });
  await logto.request('POST', '/api/experience/identification', { json: { verificationId: body.verificationId } });
  const submitted = await logto.request('POST', '/api/experience/submit', { schema: answers.submitted, json: {} });
  const back = await followRedirects(submitted.body.redirectTo, (url) => url.startsWith(input.appRedirectUri), { jar });
  if (!back.callbackUrl)
    throw new Error(`Logto did not redirect to the application (${back.stoppedAt?.status} at ${back.stoppedAt?.url})`);
  return back.callbackUrl;
}
