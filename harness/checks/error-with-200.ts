import type { JournalEntry } from '../../mock-idp/journal.ts';
import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';

/** What makes a 200 body an error in a provider's own convention; undefined for a real answer. Pure. */
export function errorIn200Body(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  if (fields.ok === false)
    return `"ok": false${fields.error ? `, "error": ${JSON.stringify(fields.error)}` : ''} (Slack's convention)`;
  if (typeof fields.errcode === 'number' && fields.errcode !== 0)
    return `"errcode": ${fields.errcode}${fields.errmsg ? `, "errmsg": ${JSON.stringify(fields.errmsg)}` : ''} (WeChat's convention)`;
  if (typeof fields.resultcode === 'string' && fields.resultcode !== '00')
    return `"resultcode": ${JSON.stringify(fields.resultcode)}${fields.message ? `, "message": ${JSON.stringify(fields.message)}` : ''} (Naver's convention)`;
  if (typeof fields.error === 'string' && fields.access_token === undefined)
    return `"error": ${JSON.stringify(fields.error)}${fields.error_description ? `, "error_description": ${JSON.stringify(fields.error_description)}` : ''}`;
  return undefined;
}

/** The first token or userinfo answer that was an error dressed as HTTP 200. Pure. */
export function disguisedError(journal: JournalEntry[]): { entry: JournalEntry; said: string } | undefined {
  for (const entry of journal) {
    if ((entry.endpoint !== 'token' && entry.endpoint !== 'userinfo') || entry.response.status !== 200) continue;
    const said = errorIn200Body(entry.response.body);
    if (said) return { entry, said };
  }
  return undefined;
}

/** One sentence for the sign-in check and this one: why the connector's error names no IdP error. */
export function explainDisguisedError(found: { entry: JournalEntry; said: string }): string {
  const where = found.entry.endpoint === 'token' ? 'token endpoint' : 'userinfo endpoint';
  const consequence =
    found.entry.endpoint === 'token'
      ? 'the connector takes any 200 for a token response, finds no access_token (or token_type) and fails with connector.invalid_response'
      : 'the connector takes any 200 for a profile, finds no id and fails with connector.invalid_response';
  return (
    `the ${where} answered HTTP 200 with an error body: ${found.said}; ${consequence}.` +
    ` Fix what the IdP's error names (often the client secret, the code or the redirect URI)`
  );
}

/** Errors served with HTTP 200 (Slack, Naver, WeChat): the real reason, which no Logto error shows. */
export function checkErrorWith200(observation: Observation): CheckResult[] {
  const found = disguisedError(observation.journal);
  if (!found) return [];
  return [
    {
      id: 'idp.error-with-200',
      title: 'IdP error served with HTTP 200',
      status: 'fail',
      message: explainDisguisedError(found),
      evidence: { endpoint: found.entry.endpoint, status: 200, body: found.entry.response.body },
      hint:
        'the generic connector cannot tell these errors from answers: fix the cause the body names;' +
        " if it persists, use the provider's dedicated Logto connector, which reads its error convention",
    },
  ];
}
