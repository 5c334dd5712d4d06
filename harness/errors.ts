import type { ObservedError } from './observation.ts';

// Logto core (koa-connector-error-handler) answers every ConnectorError as `connector.<code>`:
// 401 for auth code/token/id_token problems, 501 not implemented, 429 for limits, and 400 for
// everything else, `general` included (seen from a real Logto 1.42: a failed refresh is 400).
export const LOGTO_INTERNAL_ERROR = 'http_500';
export const LOGTO_BAD_REQUEST = 'http_400';

export const logtoCodeFor = (connectorCode: string): string => `connector.${connectorCode}`;

// Every ConnectorErrorCodes value of @logto/connector-kit: a thrown error is a ConnectorError by its code, not by its text.
const STATUS_BY_CODE: Record<string, number> = {
  general: 400,
  invalid_metadata: 400,
  unexpected_type: 400,
  invalid_config_guard: 400,
  invalid_request_parameters: 400,
  insufficient_request_parameters: 400,
  invalid_config: 400,
  invalid_response: 400,
  invalid_certificate: 400,
  template_not_found: 400,
  template_not_supported: 400,
  social_auth_code_invalid: 401,
  social_invalid_access_token: 401,
  social_invalid_id_token: 401,
  authorization_failed: 401,
  not_implemented: 501,
  rate_limit_exceeded: 429,
  usage_limit_exceeded: 429,
};

/** The HTTP status Logto answers a ConnectorError with. Pure. */
export const logtoStatusFor = (connectorCode: string): number => STATUS_BY_CODE[connectorCode] ?? 400;

type ConnectorErrorShape = Error & { code: string; data?: unknown };

/**
 * A ConnectorError by its shape, as koa recognises errors without instanceof (the connector packages
 * bring their own copy of connector-kit): one of the kit's codes, and the `data` its constructor sets.
 */
export function isConnectorError(error: unknown): error is ConnectorErrorShape {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && Object.hasOwn(STATUS_BY_CODE, code) && Object.hasOwn(error, 'data');
}

/** A thrown value from connector code → what a Logto user would see. */
export function observeError(error: unknown, stage: ObservedError['stage']): ObservedError {
  if (isConnectorError(error)) {
    return {
      stage,
      logtoCode: logtoCodeFor(error.code),
      logtoStatus: logtoStatusFor(error.code),
      connectorCode: error.code,
      message: summarize(error.data) ?? error.message,
      data: error.data,
    };
  }
  // Anything else (a TypeError in the connector, a jose verification error, a network failure)
  // reaches Logto's error handler as it is: 500 "Internal server error." without a code (400 for a
  // SyntaxError). The harness names it by status, as the Logto target does for code-less answers.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const status = error instanceof SyntaxError ? 400 : 500;
  // What the thrown error says it is (jose's ERR_JWS_SIGNATURE_VERIFICATION_FAILED, a system error's ECONNREFUSED).
  const { code } = (error ?? {}) as { code?: unknown };
  return {
    stage,
    logtoCode: status === 400 ? LOGTO_BAD_REQUEST : LOGTO_INTERNAL_ERROR,
    logtoStatus: status,
    message,
    ...(typeof code === 'string' ? { errorCode: code } : {}),
  };
}

function summarize(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return typeof data === 'string' ? data : undefined;
  const record = data as Record<string, unknown>;
  if (Array.isArray(record.issues)) {
    return (record.issues as Array<{ path?: unknown[]; message?: string }>)
      .map((issue) => `${(issue.path ?? []).join('.') || '(root)'}: ${issue.message ?? ''}`)
      .join('; ');
  }
  if (typeof record.message === 'string') return record.message;
  return JSON.stringify(data).slice(0, 300);
}
