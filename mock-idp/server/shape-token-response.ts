import type { Fixture } from '../fixture/schema.ts';
import { bendIdToken, idTokenIsBent } from './id-token-quirks.ts';
import type { SigningKeys } from './keys.ts';
import type { MockIdpMiddleware } from './state.ts';

type TokenSettings = Fixture['tokenResponse'];

/** The fields of a successful token response as the fixture wants them on the wire. Pure. */
export function shapeTokenFields(body: Record<string, unknown>, settings: TokenSettings): Record<string, unknown> {
  const shaped: Record<string, unknown> = { ...body, token_type: settings.tokenType };
  if (!settings.idToken) delete shaped.id_token;
  if (settings.expiresIn === 'absent') delete shaped.expires_in;
  if (settings.expiresIn === 'string' && shaped.expires_in !== undefined) shaped.expires_in = String(shaped.expires_in);
  return { ...shaped, ...settings.extraFields };
}

export function formEncode(fields: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    form.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form.toString();
}

/** Rewrites oidc-provider's successful token responses; errors stay RFC 6749 JSON. */
export const shapeTokenResponse = (fixture: Fixture, keys: SigningKeys): MockIdpMiddleware =>
  async function shapeTokenResponse(ctx, next) {
    await next();
    if (ctx.status !== 200 || !ctx.body || typeof ctx.body !== 'object') return;
    const body = ctx.body as Record<string, unknown>;
    if (typeof body.id_token === 'string' && idTokenIsBent(fixture.idToken)) {
      body.id_token = await bendIdToken(body.id_token, fixture.idToken, keys);
    }
    const fields = shapeTokenFields(body, fixture.tokenResponse);
    if (fixture.refreshTokens.omitOnRefresh && ctx.state.params.grant_type === 'refresh_token')
      delete fields.refresh_token;
    if (fixture.tokenResponse.encoding === 'form') {
      ctx.type = 'application/x-www-form-urlencoded';
      ctx.body = formEncode(fields);
    } else {
      ctx.body = fields;
    }
  };
