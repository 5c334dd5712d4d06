import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CookieJar, followRedirects } from '../../follow-redirects.ts';
import { LogtoApiError, LogtoHttp } from '../../logto-api/logto-http.ts';
import { NEVER_BACK_AT_LOGTO } from '../../observation.ts';
import { NeverBack, throughTheIdp } from './idp-browser.ts';
import type { LogtoFailure } from './observation.ts';

export interface ExperienceInput {
  endpoint: string;
  /** The application's authorization URL (from the SDK). */
  authorizationUrl: string;
  /** Where the application receives the code. */
  appRedirectUri: string;
  /** The Logto connector id (the instance, not the factory). */
  connectorId: string;
  /** Picks the IdP user (login_hint). */
  idpUser?: string;
  /** The IdP as the browser reaches it, when Logto reaches it at another URL (containers). */
  rewriteIdpUrl?: (url: string) => string;
  /** The IdP journal's last seq: each step records which entries it caused (for the report's diagram). */
  journalSeq?: () => number | Promise<number>;
  /** Per Experience API call (default DEFAULT_API_TIMEOUT_MS). */
  apiTimeoutMs?: number;
}

const answers = {
  authorization: z
    .looseObject({ authorizationUri: z.string(), verificationId: z.string() })
    .describe("the IdP's authorization URI"),
  submitted: z.looseObject({ redirectTo: z.string() }).describe('where the sign-in goes next (redirectTo)'),
};

/** One step of the sign-in as the report draws it: its answer, and the IdP journal entries it caused. */
export interface ExperienceStep {
  name: string;
  status?: number;
  /** The Logto error code or the harness's message, when the step failed. */
  error?: string;
  journal: { after: number; until: number };
}

export type ExperienceOutcome = ({ callbackUrl: string; registered: boolean } | { failure: LogtoFailure }) & {
  steps: ExperienceStep[];
};

const fail = (step: string, error: unknown): { failure: LogtoFailure } => ({
  failure:
    error instanceof LogtoApiError
      ? { step, status: error.status, code: error.code, message: error.message }
      : { step, code: error instanceof NeverBack ? NEVER_BACK_AT_LOGTO : 'harness', message: (error as Error).message },
});

/**
 * The browser's part of a social sign-in, through Logto's Experience API (what Logto's own sign-in
 * page does): start the interaction, get the IdP URL, sign in there headlessly, verify the
 * callback, identify (register on first sign-in), submit, follow back to the application.
 */
export async function signInThroughExperience(input: ExperienceInput): Promise<ExperienceOutcome> {
  const steps: ExperienceStep[] = [];
  return { ...(await signIn(input, steps)), steps };
}

async function signIn(
  input: ExperienceInput,
  steps: ExperienceStep[],
): Promise<{ callbackUrl: string; registered: boolean } | { failure: LogtoFailure }> {
  const jar = new CookieJar();
  const logto = new LogtoHttp(input.endpoint, {
    jar,
    ...(input.apiTimeoutMs ? { timeoutMs: input.apiTimeoutMs } : {}),
  });
  // The IdP may run elsewhere (a container): its journal is read over HTTP, and a failed read only costs the diagram.
  const seq = async () => (input.journalSeq ? await Promise.resolve(input.journalSeq()).catch(() => 0) : 0);
  // Steps follow one another with nothing between them that reaches the IdP: where one ends, the next begins
  // (one journal read per step, not two).
  let reached: number | undefined;
  const until = async () => (reached = await seq());
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T | { failure: LogtoFailure }> => {
    const after = reached ?? (await seq());
    try {
      const result = await run();
      const status = (result as { status?: unknown } | undefined)?.status;
      steps.push({ name, ...(typeof status === 'number' ? { status } : {}), journal: { after, until: await until() } });
      return result;
    } catch (error) {
      const failed = fail(name, error);
      steps.push({
        name,
        ...(failed.failure.status ? { status: failed.failure.status } : {}),
        error: `${failed.failure.code}: ${failed.failure.message}`,
        journal: { after, until: await until() },
      });
      return failed;
    }
  };
  const failed = (value: unknown): value is { failure: LogtoFailure } =>
    Boolean(value && typeof value === 'object' && 'failure' in value);

  // /oidc/auth sets the interaction cookie and sends the browser to a page of Logto's sign-in app
  // (/sign-in, or /register by the first-screen setting); that page is not loaded.
  const logtoOrigin = new URL(logto.endpoint).origin;
  const isExperiencePage = (url: string) => {
    const parsed = new URL(url);
    return parsed.origin === logtoOrigin && !parsed.pathname.startsWith('/oidc');
  };
  const started = await step('GET /oidc/auth', async () => {
    const first = await followRedirects(
      input.authorizationUrl,
      (url) => isExperiencePage(url) || url.startsWith(input.appRedirectUri),
      { jar },
    );
    if (!first.callbackUrl)
      throw new Error(
        `Logto did not send the browser to its sign-in page (${first.stoppedAt?.status} at ${first.stoppedAt?.url})`,
      );
  });
  if (failed(started)) return started;

  const begin = await step('PUT /api/experience', () =>
    logto.request('PUT', '/api/experience', { json: { interactionEvent: 'SignIn' } }),
  );
  if (failed(begin)) return begin;

  const socialRedirectUri = `${logto.endpoint}/callback/${input.connectorId}`;
  const authorization = await step('POST …/social/:connectorId/authorization-uri', () =>
    logto.request(
      'POST',
      `/api/experience/verification/social/${encodeURIComponent(input.connectorId)}/authorization-uri`,
      {
        schema: answers.authorization,
        json: { state: randomUUID(), redirectUri: socialRedirectUri },
      },
    ),
  );
  if (failed(authorization)) return authorization;
  const { authorizationUri, verificationId } = authorization.body;

  const atIdp = await step('the IdP', () =>
    throughTheIdp({
      authorizationUri,
      callbackUri: socialRedirectUri,
      ...(input.rewriteIdpUrl ? { rewrite: input.rewriteIdpUrl } : {}),
      ...(input.idpUser ? { idpUser: input.idpUser } : {}),
    }),
  );
  if (failed(atIdp)) return atIdp;

  const verified = await step('POST …/social/:connectorId/verify', () =>
    logto.request('POST', `/api/experience/verification/social/${encodeURIComponent(input.connectorId)}/verify`, {
      json: { verificationId, connectorData: atIdp },
    }),
  );
  if (failed(verified)) return verified;

  let registered = false;
  const identified = await step('POST /api/experience/identification', async () => {
    try {
      await logto.request('POST', '/api/experience/identification', { json: { verificationId } });
    } catch (error) {
      if (!(error instanceof LogtoApiError) || error.code !== 'user.identity_not_exist') throw error;
      registered = true;
      await logto.request('PUT', '/api/experience/interaction-event', { json: { interactionEvent: 'Register' } });
      await logto.request('POST', '/api/experience/identification', { json: { verificationId } });
    }
  });
  if (failed(identified)) return identified;

  const submitted = await step('POST /api/experience/submit', () =>
    logto.request('POST', '/api/experience/submit', { schema: answers.submitted, json: {} }),
  );
  if (failed(submitted)) return submitted;

  const back = await step('back to the application', async () => {
    const hop = await followRedirects(submitted.body.redirectTo, (url) => url.startsWith(input.appRedirectUri), {
      jar,
    });
    if (!hop.callbackUrl)
      throw new Error(`Logto did not redirect to the application (${hop.stoppedAt?.status} at ${hop.stoppedAt?.url})`);
    return hop.callbackUrl;
  });
  if (failed(back)) return back;
  return { callbackUrl: back, registered };
}
