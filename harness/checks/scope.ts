import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';

/**
 * The scope string as the connector sends it. Both connectors send it as written (the OIDC one
 * splits it on spaces or `+` and appends `openid` when no part is exactly `openid`), and RFC 6749
 * §3.3 separates scopes with spaces: `openid,profile,email` is ONE scope to an OIDC IdP, which then
 * grants none of profile or email. Pure.
 */
export function scopeFindings(kind: 'oauth2' | 'oidc', scope: unknown): CheckResult[] {
  if (typeof scope !== 'string' || scope.trim() === '') return [];
  const findings: CheckResult[] = [];
  const parts = scope.split(/[ +]/).filter(Boolean);
  const glued = parts.filter((part) => /[,;]/.test(part));
  if (glued.length > 0) {
    const spaced = [...new Set(parts.flatMap((part) => part.split(/[,;]/)).filter(Boolean))].join(' ');
    const sent = kind === 'oidc' && !parts.includes('openid') ? `${parts.join(' ')} openid` : scope;
    findings.push({
      id: 'scope.separator',
      title: 'Scope separators',
      // Some plain OAuth 2.0 APIs (GitHub, Facebook) read commas too; an OpenID Connect IdP does not.
      status: kind === 'oidc' || parts.some((part) => /(^|[,;])openid([,;]|$)/.test(part)) ? 'fail' : 'warn',
      message:
        `scope ${JSON.stringify(scope)} separates scopes with ${glued.some((part) => part.includes(';')) ? 'semicolons' : 'commas'}: ` +
        `the connector sends ${JSON.stringify(sent)}, and an IdP reads space-separated scopes (RFC 6749 §3.3), so ` +
        `${glued.map((part) => JSON.stringify(part)).join(', ')} ${glued.length === 1 ? 'is one unknown scope' : 'are unknown scopes'}`,
      evidence: { scope, sent },
      hint: `set "scope": ${JSON.stringify(spaced)}`,
    });
  }
  const seen = new Set<string>();
  const repeated = [...new Set(parts.filter((part) => (seen.has(part) ? true : (seen.add(part), false))))];
  if (repeated.length > 0) {
    findings.push({
      id: 'scope.duplicate',
      title: 'Scope duplicates',
      status: 'warn',
      message:
        `scope ${JSON.stringify(scope)} names ${repeated.map((part) => JSON.stringify(part)).join(', ')}` +
        ` more than once: some IdPs refuse it (invalid_scope)`,
      evidence: { scope },
      hint: `set "scope": ${JSON.stringify([...new Set(parts)].join(' '))}`,
    });
  }
  return findings;
}

/**
 * With token storage, Logto keeps the granted scope in the token set's metadata only when the token
 * answer has one (core `libraries/social.ts`): without it the Console and the Account API show no
 * grants for the stored token, and an app cannot tell what the token may do.
 */
export function grantedScopeFindings(observation: Observation): CheckResult[] {
  if (!observation.scenario.enableTokenStorage) return [];
  const answer = journalViews(observation).codeExchange?.response;
  const body = answer?.status === 200 ? answer.body : undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('access_token' in body)) return [];
  const scope = (body as Record<string, unknown>).scope;
  if (typeof scope === 'string')
    return [
      {
        id: 'scope.granted',
        title: 'Granted scope',
        status: 'pass',
        message: `the token answer says what was granted ("${scope}"): Logto stores it with the token`,
      },
    ];
  return [
    {
      id: 'scope.granted',
      title: 'Granted scope',
      status: 'warn',
      message:
        'the token answer carries no scope: Logto stores the token without a granted scope, so the Console and the Account API show no grants for it',
      evidence: { tokenAnswerFields: Object.keys(body) },
      hint:
        'no connector setting adds one: if the app needs to know the grants,' +
        ' the IdP must return scope in its token answer (RFC 6749 §5.1 requires it when it differs from what was asked)',
    },
  ];
}

export const checkScope = (observation: Observation): CheckResult[] => [
  ...scopeFindings(observation.scenario.connector, observation.config.scope),
  ...grantedScopeFindings(observation),
];
