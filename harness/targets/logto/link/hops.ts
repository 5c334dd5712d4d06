import type { JournalEntry } from '../../../../mock-idp/journal.ts';
import { clip, entryHop } from '../../../hops.ts';
import { browserTripHops, idpCallHops, journalBetween } from '../hops.ts';
import type { Hop } from '../../../model.ts';
import type { AccountCall } from '../../../logto-api/account-client.ts';
import type { LinkStep } from './steps.ts';

const USER_TOKEN = "Bearer: the signed-in user's access token (scope identities)";

/** Logto's answer in one line: its error code and message, or the (masked) body. */
function answerSummary(call: AccountCall): string {
  const body = call.body && typeof call.body === 'object' ? (call.body as Record<string, unknown>) : undefined;
  if (call.status >= 400)
    return clip(`${call.code ?? `http_${call.status}`}${typeof body?.message === 'string' ? `: ${body.message}` : ''}`);
  if (call.body === undefined) return 'ok';
  return clip(typeof call.body === 'string' ? call.body : JSON.stringify(call.body));
}

/**
 * A link through Logto's Account API as hops: each call from the app (the account page, with the
 * signed-in user's token) to Logto, with the IdP calls Logto's connector made inside it (the code
 * exchange and userinfo inside `verifications/social/verify`, a refresh inside the access-token
 * read); the browser's trip through the IdP; the app trying the stored token at the IdP. Pure.
 */
export function linkHops(steps: readonly LinkStep[], journal: readonly JournalEntry[]): Hop[] {
  return steps.flatMap((step): Hop[] => {
    if (step.kind === 'drawn') return step.hops;
    const entries = journalBetween(journal, step.journal);
    if (step.kind === 'browser') return browserTripHops(entries, step.error && clip(step.error));
    if (step.kind === 'probe') return entries.map((entry): Hop => ({ ...entryHop(entry, 'app'), role: 'token-probe' }));
    const calls = idpCallHops(entries);
    return [
      {
        role: step.call.request.endsWith('/access-token') ? 'token-read' : 'link',
        from: 'app',
        to: 'logto',
        request: step.call.request,
        params: { auth: USER_TOKEN, ...step.sent },
        ...(calls.length > 0 ? { calls } : {}),
        response: { status: step.call.status, summary: answerSummary(step.call) },
      },
    ];
  });
}
