import type { JournalEntry } from '../../mock-idp/journal.ts';
import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { findProvider } from '../providers/catalog.ts';
import { journalViews } from './journal-views.ts';

/**
 * The token answer against the connector's own zod guard, field by field, from what the IdP really
 * sent (the journal), for the code exchange and the refresh. The guards, as published:
 * - @logto/connector-oauth 1.7.8 `oauth2AccessTokenResponseGuard`: access_token string, token_type
 *   string, expires_in number?, refresh_token string?, scope string? (code exchange and refresh);
 * - @logto/connector-oidc 1.7.5 `accessTokenResponseGuard`: id_token string (in EVERY answer, the
 *   refresh included), access_token string?, token_type string?, expires_in number?, refresh_token
 *   string?, scope string?.
 * A guard refusal is Logto's `connector.invalid_response` with the raw zod text; this check names each
 * field with its value and JSON type, and the setting that fixes it, or says plainly that none does.
 */
type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'absent';
interface FieldRule {
  field: string;
  type: 'string' | 'number';
  required: boolean;
}

const rule = (field: string, type: FieldRule['type'], required = false): FieldRule => ({ field, type, required });
export const TOKEN_GUARDS: Record<'oauth2' | 'oidc', FieldRule[]> = {
  oauth2: [
    rule('access_token', 'string', true),
    rule('token_type', 'string', true),
    rule('expires_in', 'number'),
    rule('refresh_token', 'string'),
    rule('scope', 'string'),
  ],
  oidc: [
    rule('id_token', 'string', true),
    rule('access_token', 'string'),
    rule('token_type', 'string'),
    rule('expires_in', 'number'),
    rule('refresh_token', 'string'),
    rule('scope', 'string'),
  ],
};

export const jsonType = (value: unknown): JsonType =>
  value === undefined
    ? 'absent'
    : value === null
      ? 'null'
      : Array.isArray(value)
        ? 'array'
        : (typeof value as 'string' | 'number' | 'boolean' | 'object');

export interface Rejection {
  field: string;
  value: unknown;
  type: JsonType;
  expected: string;
  /** Why no setting of this connector fixes it, in the connector's terms. */
  why: string;
  /** The other generic connector, when it would read this answer. */
  instead?: string;
}

/** Where a field the guard wants at the top level sits instead: camelCase, or nested in an object. */
function misplaced(body: Record<string, unknown>, field: string): string | undefined {
  const camel = field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  if (camel !== field && camel in body) return camel;
  for (const [key, value] of Object.entries(body)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = value as Record<string, unknown>;
      if (field in inner) return `${key}.${field}`;
      if (camel in inner) return `${key}.${camel}`;
    }
  }
  return undefined;
}

/** The fields of one token answer the guard refuses, each with its fix or why there is none. Pure. */
export function guardRejections(
  kind: 'oauth2' | 'oidc',
  body: Record<string, unknown>,
  context: { grant: 'code' | 'refresh'; form: boolean },
): Rejection[] {
  const rejections: Rejection[] = [];
  for (const { field, type, required } of TOKEN_GUARDS[kind]) {
    const value = body[field];
    const actual = jsonType(value);
    if (actual === type || (actual === 'absent' && !required)) continue;
    const expected = `${required ? '' : 'absent or '}a ${type}`;
    const elsewhere = actual === 'absent' ? misplaced(body, field) : undefined;
    const base = { field, value, type: actual, expected };
    if (elsewhere) {
      rejections.push({
        ...base,
        why: `the IdP sends it as "${elsewhere}", and the connector reads only the top-level snake_case "${field}"`,
      });
    } else if (field === 'expires_in' && context.form) {
      rejections.push({
        ...base,
        why: 'a form-encoded body carries only strings, and the connector sends no Accept header to ask for JSON',
      });
    } else if (field === 'id_token') {
      rejections.push({
        ...base,
        why:
          context.grant === 'refresh'
            ? 'the OIDC connector wants an id_token in every token answer, the refresh answer included: every stored-token refresh through Logto fails'
            : 'the IdP issues no id_token for this client, although the OIDC connector always asks for openid',
        instead:
          'the OAuth2 connector reads the profile from userInfoEndpoint and needs no id_token: switch to it if the IdP has a userinfo endpoint',
      });
    } else if (field === 'token_type' && actual === 'absent') {
      rejections.push({
        ...base,
        why: 'the OAuth2 connector requires token_type (it is the userinfo Authorization scheme), and no setting supplies one',
        instead: 'the OIDC connector does not require token_type: switch to it if the IdP issues id_tokens',
      });
    } else {
      rejections.push({ ...base, why: 'no setting changes how the connector reads the answer' });
    }
  }
  return rejections;
}

const shownValue = (rejection: Rejection) =>
  rejection.type === 'absent' ? 'absent' : `${JSON.stringify(rejection.value)} (a JSON ${rejection.type})`;

/** The ways out when no setting fixes an answer: Logto's dedicated connector first, when there is one. */
export function waysOut(
  providerId: string | undefined,
  proxy = 'rewrites the answer into what the connector reads',
): string[] {
  const provider = providerId ? findProvider(providerId) : undefined;
  return [
    ...(provider?.dedicated ? [`Logto's dedicated ${provider.dedicated} connector`] : []),
    `a small proxy in front of the IdP that ${proxy}`,
    "a custom connector built with Logto's connector kit",
  ];
}

function answerOf(entry: JournalEntry | undefined): Record<string, unknown> | undefined {
  if (!entry || entry.response.status !== 200) return undefined;
  const body = entry.response.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** How the connector parses this answer: an OAuth2 config reading JSON as a form (or back) is token.response-type's. */
function readAsConfigured(observation: Observation, entry: JournalEntry): { form: boolean } | undefined {
  const type = entry.response.contentType ?? '';
  const form = type.includes('x-www-form-urlencoded');
  const json = type.includes('json');
  if (observation.scenario.connector === 'oidc') return json ? { form: false } : undefined;
  const configured = observation.config.tokenEndpointResponseType ?? 'query-string';
  if (form && configured === 'query-string') return { form: true };
  if (json && configured === 'json') return { form: false };
  return undefined;
}

function guardCheck(
  observation: Observation,
  entry: JournalEntry | undefined,
  grant: 'code' | 'refresh',
): CheckResult[] {
  const body = answerOf(entry);
  const read = entry && body ? readAsConfigured(observation, entry) : undefined;
  // An error answer with HTTP 200 is idp.error-with-200's to explain.
  if (!entry || !body || !read || 'error' in body || 'errcode' in body || body.ok === false) return [];
  const kind = observation.scenario.connector;
  const id = grant === 'code' ? 'token.guard' : 'token.guard.refresh';
  const title = grant === 'code' ? 'Token answer (code exchange)' : 'Token answer (refresh)';
  const rejections = guardRejections(kind, body, { grant, form: read.form });
  const guard = kind === 'oauth2' ? "@logto/connector-oauth's" : "@logto/connector-oidc's";
  if (rejections.length === 0) {
    return [{ id, title, status: 'pass', message: `every field ${guard} guard reads is as it wants it` }];
  }
  const lines = rejections.map(
    (rejection) => `${rejection.field} is ${shownValue(rejection)}, the guard wants ${rejection.expected}`,
  );
  const message =
    `${guard} guard refuses the ${grant === 'code' ? 'code exchange' : 'refresh'}` +
    ` answer (Logto shows connector.invalid_response): ${lines.join('; ')}`;
  const connector = kind === 'oauth2' ? 'OAuth2' : 'OIDC';
  // The provider library may know a setting for what the generic rule cannot fix (Entra ID's v2.0 endpoints).
  const provider = observation.scenario.provider ? findProvider(observation.scenario.provider) : undefined;
  const known = rejections.map((rejection) => provider?.fixes?.[rejection.field]);
  if (known.every(Boolean)) {
    return [
      {
        id,
        title,
        status: 'fail',
        message,
        evidence: { answer: body },
        hint: [...new Set(known)].join('; '),
      },
    ];
  }
  const reason = rejections.map((rejection) => `${rejection.field}: ${rejection.why}`).join('; ');
  const instead = [...new Set(rejections.flatMap((rejection) => (rejection.instead ? [rejection.instead] : [])))];
  const ways = [...instead, ...waysOut(observation.scenario.provider)];
  return [
    {
      id,
      title,
      status: 'fail',
      message,
      evidence: {
        answer: body,
        rejected: rejections.map(({ field, type, expected, why }) => ({ field, type, expected, why })),
      },
      hint: `no setting of the ${connector} connector fixes this (${reason}). Ways out: ${ways.join('; or ')}`,
      unfixable: { reason, waysOut: ways },
    },
  ];
}

export function checkTokenGuard(observation: Observation): CheckResult[] {
  const { codeExchange, refresh } = journalViews(observation);
  return [...guardCheck(observation, codeExchange, 'code'), ...guardCheck(observation, refresh, 'refresh')];
}
