import { setTimeout as sleep } from 'node:timers/promises';
import type { EndpointName, Fault } from '../fixture/schema.ts';
import type { AuthorizeErrorAnswer } from './authorize-error.ts';
import { detectClientAuth } from './client-auth-of.ts';
import type { MockIdpMiddleware } from './state.ts';

/**
 * Counts calls per endpoint and applies the fixture's faults: status + body + headers, an error
 * redirect back to the client (authorize), latency, Nth call only.
 */
export const injectFaults = (
  faults: Fault[],
  endpointOf: (path: string) => string,
  answerAuthorizeError: AuthorizeErrorAnswer,
): MockIdpMiddleware => {
  const calls = new Map<string, number>();
  /** The fault this call gets, if any; every call to an endpoint with faults is counted. */
  const faultOf = (endpoint: EndpointName): Fault | undefined => {
    const relevant = faults.filter((fault) => fault.endpoint === endpoint);
    if (relevant.length === 0) return undefined;
    const call = (calls.get(endpoint) ?? 0) + 1;
    calls.set(endpoint, call);
    return relevant.find((candidate) => candidate.nth === undefined || candidate.nth === call);
  };
  return async (ctx, next) => {
    const endpoint = endpointOf(ctx.path) as EndpointName;
    const fault = faultOf(endpoint);
    if (!fault) {
      await next();
      return;
    }
    const { journal, params } = ctx.state;
    journal.fault = [
      fault.status ? `status ${fault.status}` : undefined,
      fault.errorRedirect ? `redirect error=${fault.errorRedirect.error}` : undefined,
      fault.latencyMs ? `latency ${fault.latencyMs} ms` : undefined,
      fault.nth ? `call #${fault.nth}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    if (fault.latencyMs) await delayAtLeast(fault.latencyMs);
    if (fault.errorRedirect) return answerAuthorizeError(ctx, fault.errorRedirect);
    if (fault.status === undefined) {
      await next();
      return;
    }
    // The method a token request used is a fact of the request, whether or not a fault answers it.
    if (endpoint === 'token' || endpoint === 'revocation') {
      const seen = detectClientAuth(ctx.req.headers, params);
      journal.clientAuth = { method: seen.method, ...(seen.clientId ? { clientId: seen.clientId } : {}) };
    }
    ctx.status = fault.status;
    // Before the body: koa types a body only when no content-type is set, so the fixture's wins.
    if (fault.headers) ctx.set(fault.headers);
    if (typeof fault.body === 'string') {
      if (!ctx.response.get('content-type')) ctx.type = 'text/plain';
      ctx.body = fault.body;
    } else {
      ctx.body = fault.body ?? {
        error: 'temporarily_unavailable',
        error_description: `fault injected by the fixture (${journal.fault})`,
      };
    }
  };
};

/**
 * A timer may fire up to a millisecond before its delay by the monotonic clock (libuv counts whole
 * milliseconds from the loop's cached time); a fixture's latency is a promised minimum, so sleep the rest.
 */
const delayAtLeast = async (ms: number): Promise<void> => {
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) await sleep(Math.ceil(left));
};
