import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { maskText } from '../../lib/mask.ts';
import { fieldPath } from '../../lib/user-error.ts';
import { CookieJar } from '../follow-redirects.ts';
import { interruption, throwIfInterrupted } from '../../lib/interruption.ts';
import { DEFAULT_API_TIMEOUT_MS } from './api-timeout.ts';
import { EndpointAnswerError, firstBytes, type Answer, type AnswerProblem } from './endpoint-answer.ts';

/** A call still waiting after this long says so on the progress log (then every WAITING_EVERY_MS). */
const WAITING_AFTER_MS = 5_000;
const WAITING_EVERY_MS = 10_000;

/** Logto's error body: `{ code, message, data? }` (RequestError.toBody). */
export class LogtoApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly data: unknown;

  constructor(method: string, path: string, status: number, body: unknown) {
    const parsed = (body && typeof body === 'object' ? body : {}) as {
      code?: unknown;
      message?: unknown;
      data?: unknown;
    };
    const code = typeof parsed.code === 'string' ? parsed.code : `http_${status}`;
    const detail =
      typeof parsed.message === 'string' ? parsed.message : typeof body === 'string' ? body.slice(0, 200) : '';
    super(`${method} ${path} → ${status} ${code}${detail ? `: ${detail}` : ''}`);
    this.name = 'LogtoApiError';
    this.status = status;
    this.code = code;
    this.data = parsed.data;
  }
}

/** For a read the caller can do without (an identity Logto does not have): Logto's error answer is `undefined`, anything else still throws. */
export const undefinedOnLogtoError = (error: unknown): undefined => {
  if (error instanceof LogtoApiError) return undefined;
  throw error;
};

export interface LogtoResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface LogtoHttpOptions {
  /** The Experience API lives on the interaction cookie that /oidc/auth sets. */
  jar?: CookieJar;
  /** Per call, the answer read whole (default DEFAULT_API_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Progress lines while a call waits (stderr in the CLIs). */
  onWaiting?: (line: string) => void;
  /** The option that named the endpoint, for the error line (default --endpoint). */
  field?: string;
}

/** An answer read whole: the parsed body, and what answered (for an error about its shape). */
interface Exchange {
  status: number;
  body: { value: unknown; answer: Answer };
  headers: Headers;
}

interface RequestOptions<S extends z.ZodType> {
  /** What a usable answer looks like; its description names it in the error ("a list of connectors"). */
  schema?: S;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
const isHtml = (contentType: string, text: string) => /\bhtml\b/i.test(contentType) || /^\s*</.test(text);

/**
 * JSON over HTTP to one Logto endpoint. Every answer is checked here, once: an answer that is not
 * Logto's (no answer in time, a redirect, HTML, broken JSON, JSON of another shape) is an
 * EndpointAnswerError naming what answered; Logto's own error answers throw LogtoApiError.
 */
export class LogtoHttp {
  readonly endpoint: string;
  readonly jar: CookieJar | undefined;
  readonly #timeoutMs: number;
  readonly #onWaiting: ((line: string) => void) | undefined;
  readonly #field: string | undefined;

  constructor(endpoint: string, options: LogtoHttpOptions = {}) {
    this.endpoint = endpoint.replace(/\/$/, '');
    this.jar = options.jar;
    // Timers take whole milliseconds (AbortSignal.timeout throws on 0.5).
    this.#timeoutMs = Math.ceil(options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS);
    this.#onWaiting = options.onWaiting;
    this.#field = options.field;
  }

  url(path: string): string {
    return `${this.endpoint}${path}`;
  }

  /** A 2xx answer of the schema's shape; Logto's error answers throw LogtoApiError. */
  async request<S extends z.ZodType = z.ZodUnknown>(
    method: string,
    path: string,
    options: RequestOptions<S> = {},
  ): Promise<LogtoResponse<z.output<S>>> {
    const { status, body, headers } = await this.#exchange(method, path, options);
    if (status >= 400) throw new LogtoApiError(method, path, status, body.value);
    return { status, body: this.#shaped(method, path, body, options.schema), headers };
  }

  /** Any status, its JSON of the schema's shape: for an API whose error answers are what the caller observes (the Account API). */
  async answer<S extends z.ZodType = z.ZodUnknown>(
    method: string,
    path: string,
    options: RequestOptions<S> = {},
  ): Promise<LogtoResponse<z.output<S>>> {
    const { status, body, headers } = await this.#exchange(method, path, options);
    return { status, body: this.#shaped(method, path, body, options.schema), headers };
  }

  #fail(problem: AnswerProblem, method: string, path: string, answer?: Answer, detail?: string): EndpointAnswerError {
    return new EndpointAnswerError({
      problem,
      request: `${method} ${this.url(path)}`,
      endpoint: this.endpoint,
      ...(answer ? { answer } : {}),
      ...(detail ? { detail } : {}),
      ...(this.#field ? { field: this.#field } : {}),
    });
  }

  #shaped<S extends z.ZodType>(
    method: string,
    path: string,
    body: { value: unknown; answer: Answer },
    schema: S | undefined,
  ): z.output<S> {
    if (!schema) return body.value as z.output<S>;
    const parsed = schema.safeParse(body.value);
    if (parsed.success) return parsed.data;
    const [issue] = parsed.error.issues;
    const where = issue && issue.path.length > 0 ? `${fieldPath(issue.path)}: ` : '';
    const what = `${body.value === undefined ? 'no body' : 'JSON'}, but not ${schema.description ?? 'what Logto answers'}`;
    throw this.#fail(
      'unexpected-shape',
      method,
      path,
      body.answer,
      `${what} (${where}${issue?.message ?? 'no detail'})`,
    );
  }

  async #exchange(method: string, path: string, options: RequestOptions<z.ZodType>): Promise<Exchange> {
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
    const signal = AbortSignal.timeout(this.#timeoutMs);
    const started = performance.now();
    const onWaiting = this.#onWaiting;
    let waiting: NodeJS.Timeout | undefined;
    if (onWaiting) {
      const say = (): void => {
        const waited = seconds(performance.now() - started);
        onWaiting(
          `waiting for ${this.endpoint} (${method} ${path}): ${waited}, giving up at ${seconds(this.#timeoutMs)} (--api-timeout)`,
        );
        waiting = setTimeout(say, WAITING_EVERY_MS);
      };
      waiting = setTimeout(say, WAITING_AFTER_MS);
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        redirect: 'manual',
        // Ctrl-C or SIGTERM (lib/interruption.ts) ends a call at once, as the timeout does.
        signal: AbortSignal.any([signal, interruption.signal]),
        ...(body === undefined ? {} : { body }),
      });
      text = await response.text();
    } catch (error) {
      throwIfInterrupted(interruption.signal);
      if (signal.aborted)
        throw this.#fail('timeout', method, path, undefined, `${seconds(this.#timeoutMs)} (--api-timeout)`);
      // fetch rejects with a TypeError when no HTTP answer came (refused, reset, DNS); its cause has the system's code.
      if (error instanceof TypeError) {
        const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
        throw this.#fail('unreachable', method, path, undefined, String(cause?.code ?? cause?.message ?? ''));
      }
      throw error;
    } finally {
      clearTimeout(waiting);
    }
    this.jar?.store(url, response.headers.getSetCookie());
    const contentType = response.headers.get('content-type') ?? '';
    const answer: Answer = { status: response.status, contentType, firstBytes: firstBytes(text) };
    if (response.status >= 300 && response.status < 400) {
      throw this.#fail('redirect', method, path, {
        ...answer,
        location: maskLocation(response.headers.get('location'), url),
      });
    }
    return {
      status: response.status,
      body: { value: this.#parse(method, path, contentType, text, answer), answer },
      headers: response.headers,
    };
  }

  /**
   * Logto answers JSON, or nothing: a 204, or koa's stand-in for an empty body, the status text as plain
   * text (`POST /api/experience/identification` → 201 "Created"). Anything else is not Logto's answer.
   */
  #parse(method: string, path: string, contentType: string, text: string, answer: Answer): unknown {
    if (text === '') return undefined;
    if (/^text\/plain\b/i.test(contentType) && text === STATUS_CODES[answer.status]) return undefined;
    if (/\bjson\b/i.test(contentType)) {
      try {
        return JSON.parse(text);
      } catch {
        // Not the parser's message: it quotes the body, unmasked.
        throw this.#fail(isHtml('', text) ? 'html' : 'not-json', method, path, answer, 'broken JSON');
      }
    }
    throw this.#fail(isHtml(contentType, text) ? 'html' : 'not-json', method, path, answer);
  }
}

function maskLocation(location: string | null, base: string): string {
  if (!location) return '';
  try {
    return maskText(new URL(location, base).href);
  } catch {
    return maskText(location);
  }
}
