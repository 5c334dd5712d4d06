import type { Fixture } from '../fixture/schema.ts';
import { formEncode } from './shape-token-response.ts';
import type { MockIdpMiddleware } from './state.ts';

type TokenSettings = Pick<Fixture['tokenResponse'], 'omitFields' | 'renameFields' | 'scopeAs'>;

const reshapes = (settings: TokenSettings) =>
  settings.omitFields.length > 0 || Object.keys(settings.renameFields).length > 0 || settings.scopeAs === 'array';

/** Sets `value` at a dot path, making the objects on the way. */
function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node =
      next && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : (node[key] = {});
  }
  node[keys.at(-1)!] = value;
}

/** The answer's fields left out, renamed or nested, and the scope as an array, as the fixture says. Pure. */
export function reshapeFields(fields: Record<string, unknown>, settings: TokenSettings): Record<string, unknown> {
  const shaped = { ...fields };
  if (settings.scopeAs === 'array' && typeof shaped.scope === 'string')
    shaped.scope = shaped.scope.split(' ').filter(Boolean);
  for (const name of settings.omitFields) delete shaped[name];
  const moved: Array<[string, unknown]> = [];
  for (const [from, to] of Object.entries(settings.renameFields)) {
    if (!(from in shaped)) continue;
    moved.push([to, shaped[from]]);
    delete shaped[from];
  }
  for (const [to, value] of moved) setAt(shaped, to, value);
  return shaped;
}

/**
 * Token answers that the connectors' guards refuse though the IdP works: no `scope` (or any other
 * standard field), camelCase names, the access token inside an object, a `scope` array. Applied to
 * the answer as it goes out (JSON or form), after every other shaping.
 */
export function reshapeTokenFields(settings: TokenSettings): MockIdpMiddleware | undefined {
  if (!reshapes(settings)) return undefined;
  return async function reshapeTokenFields(ctx, next) {
    await next();
    if (ctx.status !== 200) return;
    if (typeof ctx.body === 'string') {
      ctx.body = formEncode(reshapeFields(Object.fromEntries(new URLSearchParams(ctx.body)), settings));
    } else if (ctx.body && typeof ctx.body === 'object') {
      ctx.body = reshapeFields(ctx.body as Record<string, unknown>, settings);
    }
  };
}
