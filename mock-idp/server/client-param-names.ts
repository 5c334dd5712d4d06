import type { Fixture } from '../fixture/schema.ts';
import { invalidRequest } from './oauth-error.ts';
import { adjustParams } from './replay-params.ts';
import type { MockIdpMiddleware } from './state.ts';

/**
 * WeChat names the client credentials `appid` and `secret`. Requests with those names are turned
 * into standard ones for oidc-provider; requests with only the standard names are refused, as the
 * real IdP does not know them.
 */
export function renameClientParams(names: Fixture['clientParamNames']): MockIdpMiddleware | undefined {
  if (!names) return undefined;
  const renames = (
    [
      ['client_id', names.clientId],
      ['client_secret', names.clientSecret],
    ] as const
  ).filter((pair): pair is readonly ['client_id' | 'client_secret', string] => pair[1] !== undefined);
  return async function renameClientParams(ctx, next) {
    const { params } = ctx.state;
    // The resume step (/authorize/<uid>) carries no request parameters of its own.
    if (params.response_type !== undefined || params.grant_type !== undefined) {
      // At authorize only the client id travels.
      const wanted =
        params.grant_type === undefined ? renames.filter(([standard]) => standard === 'client_id') : renames;
      const problem = missingRenamed(params, wanted);
      if (problem) throw invalidRequest(problem);
      // The renamed ones stay (the journal shows what was sent; oidc-provider ignores unknown parameters).
      adjustParams(ctx, Object.fromEntries(wanted.map(([standard, renamed]) => [standard, params[renamed]!])));
    }
    await next();
  };
}

/** The first renamed parameter the request lacks, as a sentence; undefined when all are there. */
function missingRenamed(
  params: Record<string, string>,
  wanted: ReadonlyArray<readonly [standard: string, renamed: string]>,
): string | undefined {
  for (const [standard, renamed] of wanted) {
    if (params[renamed] !== undefined) continue;
    const sent =
      params[standard] === undefined ? '' : ` (the request sent "${standard}", which this IdP does not read)`;
    return `missing ${renamed}${sent}`;
  }
  return undefined;
}
