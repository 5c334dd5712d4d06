import { CookieJar } from '../../follow-redirects.ts';

/** Logto's error body: `{ code, message, data? }` (RequestError.toBody). */
export class LogtoApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly data: unknown;

  constructor(method: string, path: string, status: number, body: unknown) {
    const parsed = (body && typeof body === 'object' ? body : {}) as { code?: unknown; message?: unknown; data?: unknown };
    const code = typeof parsed.code === 'string' ? parsed.code : `http_${status}`;
    const detail = typeof parsed.message === 'string' ? parsed.message : typeof body === 'string' ? body.slice(0, 200) : '';
    super(`${method} ${path} → ${status} ${code}${detail ? `: ${detail}` : ''}`);
    this.name = 'LogtoApiError';
    this.status = status;
    this.code = code;
    this.data = parsed.data;
  }
}

export interface LogtoResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * JSON over HTTP to one Logto endpoint, with an optional cookie jar (the Experience API lives on
 * the interaction cookie that /oidc/auth sets). Non-2xx answers throw LogtoApiError.
 */
export class LogtoHttp {
  readonly endpoint: string;
  readonly jar: CookieJar | undefined;

  constructor(endpoint: string, jar?: CookieJar) {
    this.endpoint = endpoint.replace(/\/$/, '');
    this.jar = jar;
  }

  url(path: string): string {
    return `${this.endpoint}${path}`;
  }

  async request<T = unknown>(method: string, path: string, options: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<LogtoResponse<T>> {
    const url = this.url(path);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const cookie = this.jar?.header(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(url, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
    this.jar?.store(url, response.headers.getSetCookie());
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    if (response.status >= 400) throw new LogtoApiError(method, path, response.status, parsed);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}
