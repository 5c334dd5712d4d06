import type { Fixture } from '../fixture/schema.ts';
import type { MockIdpMiddleware } from './state.ts';

type Selection = NonNullable<Fixture['userinfo']['fieldSelection']>;

/** The profile with only the selected keys of the object at `selection.at` left. Pure. */
export function selectFields(
  profile: Record<string, unknown>,
  selection: Selection,
  asked: string | undefined,
): Record<string, unknown> {
  const keys = new Set([
    ...selection.always,
    ...(asked === undefined
      ? selection.defaults
      : asked
          .split(',')
          .map((key) => key.trim())
          .filter(Boolean)),
  ]);
  const pick = (object: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(object).filter(([key]) => keys.has(key)));
  if (!selection.at) return pick(profile);
  const copy = structuredClone(profile);
  const path = selection.at.split('.');
  let parent: Record<string, unknown> = copy;
  for (const step of path.slice(0, -1)) {
    const next = parent[step];
    if (!next || typeof next !== 'object') return copy;
    parent = next as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  const target = parent[last];
  if (target && typeof target === 'object' && !Array.isArray(target))
    parent[last] = pick(target as Record<string, unknown>);
  return copy;
}

/**
 * Facebook's Graph API returns `id` and `name` unless `fields=` asks for more; Patreon's identity
 * returns no attributes unless `fields[user]=` names them. Applied to the userinfo answer.
 */
export function selectUserinfoFields(selection: Selection | undefined): MockIdpMiddleware | undefined {
  if (!selection) return undefined;
  return async function selectUserinfoFields(ctx, next) {
    await next();
    if (ctx.status !== 200 || typeof ctx.body !== 'string') return;
    let profile: unknown;
    try {
      profile = JSON.parse(ctx.body);
    } catch {
      return;
    }
    if (!profile || typeof profile !== 'object' || Array.isArray(profile)) return;
    const asked = typeof ctx.query[selection.param] === 'string' ? (ctx.query[selection.param] as string) : undefined;
    ctx.body = JSON.stringify(selectFields(profile as Record<string, unknown>, selection, asked));
  };
}
