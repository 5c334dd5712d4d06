import type { ObservedError } from './observation.ts';

// How Logto core turns a ConnectorError into the error code its API and sign-in page show.
const LOGTO_CODES: Record<string, string> = {
  insufficient_request_parameters: 'connector.insufficient_request_parameters',
  invalid_config: 'connector.invalid_config',
  invalid_config_guard: 'connector.invalid_config_guard',
  invalid_response: 'connector.invalid_response',
  template_not_found: 'connector.template_not_found',
  not_implemented: 'connector.not_implemented',
  social_invalid_access_token: 'connector.invalid_access_token',
  social_auth_code_invalid: 'connector.invalid_auth_code',
  social_invalid_id_token: 'connector.invalid_id_token',
  authorization_failed: 'connector.authorization_failed',
  rate_limit_exceeded: 'connector.rate_limit_exceeded',
};

export const logtoCodeFor = (connectorCode: string): string => LOGTO_CODES[connectorCode] ?? 'connector.general';

/** A thrown value from connector code → what a Logto user would see. */
export function observeError(error: unknown, stage: ObservedError['stage']): ObservedError {
  if (error instanceof Error && error.message.startsWith('ConnectorError') && typeof (error as { code?: unknown }).code === 'string') {
    const connectorError = error as Error & { code: string; data?: unknown };
    return { stage, logtoCode: logtoCodeFor(connectorError.code), connectorCode: connectorError.code, message: summarize(connectorError.data) ?? connectorError.message, data: connectorError.data };
  }
  // Anything else (a TypeError in the connector, a network failure) reaches Logto as an unexpected 500.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { stage, logtoCode: 'unknown (Logto answers 500 internal server error)', message };
}

function summarize(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return typeof data === 'string' ? data : undefined;
  const record = data as Record<string, unknown>;
  if (Array.isArray(record.issues)) {
    return (record.issues as Array<{ path?: unknown[]; message?: string }>).map((issue) => `${(issue.path ?? []).join('.') || '(root)'}: ${issue.message ?? ''}`).join('; ');
  }
  if (typeof record.message === 'string') return record.message;
  return JSON.stringify(data).slice(0, 300);
}
