import { nextAnswered } from './error-boundary.ts';
import type { MockIdpMiddleware } from './state.ts';

type Template = Record<string, unknown>;

/** The template with `{{error}}` / `{{error_description}}` filled in, wherever they occur in a string. Pure. */
export function fillErrorTemplate(template: unknown, error: string, description: string): unknown {
  if (typeof template === 'string')
    return template.replaceAll('{{error}}', error).replaceAll('{{error_description}}', description);
  if (Array.isArray(template)) return template.map((item) => fillErrorTemplate(item, error, description));
  if (template && typeof template === 'object') {
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [key, fillErrorTemplate(value, error, description)]),
    );
  }
  return template;
}

/** What an error response said, whatever its shape (an OAuth error object, JSON text, plain text). */
function readError(body: unknown, status: number): { error: string; description: string } {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { error: `http_${status}`, description: body };
    }
  }
  const fields = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  return { error: String(fields.error ?? `http_${status}`), description: String(fields.error_description ?? '') };
}

/**
 * Slack (`ok: false`), Naver and WeChat (`errcode`) answer errors with HTTP 200 and their own
 * body: every 4xx/5xx of the endpoint is re-served so, the real reason kept in the template.
 */
export function errorsWith200(template: Template | undefined): MockIdpMiddleware | undefined {
  if (!template) return undefined;
  return async function errorsWith200(ctx, next) {
    await nextAnswered(ctx, next);
    if (ctx.status < 400) return;
    const { error, description } = readError(ctx.body, ctx.status);
    ctx.status = 200;
    ctx.remove('www-authenticate');
    ctx.body = fillErrorTemplate(template, error, description);
  };
}
