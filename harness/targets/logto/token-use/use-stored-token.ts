import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { JournalEntry } from '../../../../mock-idp/journal.ts';
import { maskSecrets } from '../../../../lib/mask.ts';
import type { LaunchedIdp } from '../idp-launcher.ts';
import { LogtoHttp, undefinedOnLogtoError } from '../../../logto-api/logto-http.ts';
import type { ManagementClient } from '../../../logto-api/management-client.ts';
import type { TokenUsePlan } from './plan.ts';

/** A refresh_token grant the IdP received, as its journal shows it (params masked there). */
export interface RefreshRequestSeen {
  method: string;
  params: Record<string, string>;
  status: number;
  body?: unknown;
  fault?: string;
}

export type ReadStep = 'before-expiry' | 'after-expiry' | 'after-second-expiry';

/**
 * The Account API's answer to GET /api/my-account/identities/{target}/access-token: the token set
 * (200), or Logto's error body. Pure.
 */
const accountTokenAnswer = z
  .looseObject({
    access_token: z.string().min(1).optional(),
    code: z.string().optional(),
    message: z.string().optional(),
  })
  // Logto's own 500 ({"message":"Internal server error."}, when a refresh the connector refused
  // escapes its error mapping) is an answer of Logto's too: the checks read it as http_500.
  .refine(
    (body) => body.access_token !== undefined || body.code !== undefined || body.message !== undefined,
    'neither an access_token nor an error code or message',
  )
  .describe("the Account API's stored token or its error");

/** One GET /api/my-account/identities/{target}/access-token, and what followed from it. */
export interface TokenRead {
  step: ReadStep;
  /** How long the harness slept before this read. */
  waitedMs: number;
  status: number;
  /** Logto's error code; `http_<status>` for an error answer without one. */
  code?: string;
  /** The Account API's answer, masked. */
  body: unknown;
  /** The access token came back: whether it is the previous read's, and what the IdP's userinfo said to it. */
  token?: { sameAsBefore?: boolean; idpUserinfo: { status: number; sub?: unknown } };
  /** The stored secret's metadata after the read; absent: Logto keeps no secret any more. */
  metadata?: { expiresAt?: number; hasRefreshToken: boolean };
  /** Refresh requests the IdP received during the read. */
  refreshRequests: RefreshRequestSeen[];
  /**
   * The IdP journal's seqs around the read, for the report's diagram: entries in (after, answered]
   * are Logto's (its refresh), those in (answered, until] the harness's userinfo call with the token.
   */
  journal: { after: number; answered: number; until: number };
}

export interface TokenUse {
  plan: TokenUsePlan;
  reads: TokenRead[];
  durationMs: number;
}

/** The refresh_token grants in a journal after `afterSeq`, summarized. Pure. */
export function refreshRequestsIn(journal: readonly JournalEntry[], afterSeq = 0): RefreshRequestSeen[] {
  return journal
    .filter(
      (entry) => entry.seq > afterSeq && entry.endpoint === 'token' && entry.params.grant_type === 'refresh_token',
    )
    .map((entry) => ({
      method: entry.clientAuth?.method ?? 'unknown',
      params: entry.params,
      status: entry.response.status,
      ...(entry.response.body === undefined ? {} : { body: entry.response.body }),
      ...(entry.fault ? { fault: entry.fault } : {}),
    }));
}

export interface TokenUseInput {
  endpoint: string;
  /** Per Account API call (default DEFAULT_API_TIMEOUT_MS). */
  apiTimeoutMs?: number;
  /** The signed-in user's Logto access token (opaque, with the `identities` scope). */
  userToken: string;
  /** The connector's `metadata.target`: the identity the Account API reads. */
  connectorTarget: string;
  userId: string;
  management: ManagementClient;
  idp: LaunchedIdp;
  /** The IdP's userinfo URL as Logto names it (`reachable` maps it for this process). */
  userinfoUrl?: string;
  plan: TokenUsePlan;
  /** When the sign-in stored the token (ms): the IdP's token dies idpTtlSeconds after it. */
  storedAt: number;
  /** Upper bound for one wait (ms). */
  maxWaitMs?: number;
  /** Called once the read before expiry has its answer: the race with the expiry is over. */
  onFirstRead?: () => void;
}

/**
 * Drives Logto's own use of a stored token: reads it through the Account API before expiry,
 * waits until it expired (a few seconds at most) and reads again, as often as the plan says.
 * Token values stay in this function; what it returns is masked.
 */
export async function useStoredToken(input: TokenUseInput): Promise<TokenUse> {
  const started = performance.now();
  const { idp, plan } = input;
  const maxWaitMs = input.maxWaitMs ?? 8_000;
  const account = new LogtoHttp(input.endpoint, input.apiTimeoutMs ? { timeoutMs: input.apiTimeoutMs } : {});
  let previous: string | undefined;
  const reads: TokenRead[] = [];

  const lastSeq = async () => (await idp.journal()).at(-1)?.seq ?? 0;
  const read = async (step: ReadStep, waitedMs: number): Promise<TokenRead> => {
    const mark = await lastSeq();
    // Its error answers are what the checks compare; an answer that is not Logto's stops the run.
    const response = await account.answer(
      'GET',
      `/api/my-account/identities/${encodeURIComponent(input.connectorTarget)}/access-token`,
      {
        schema: accountTokenAnswer,
        headers: { authorization: `Bearer ${input.userToken}` },
      },
    );
    const body = response.body;
    const accessToken = response.status === 200 ? body.access_token : undefined;
    const identity = await input.management
      .getIdentity(input.userId, input.connectorTarget)
      .catch(undefinedOnLogtoError);
    const seen = await idp.journal();
    const answered = seen.at(-1)?.seq ?? mark;
    const result: TokenRead = {
      step,
      waitedMs,
      status: response.status,
      ...(response.status >= 400
        ? { code: typeof body.code === 'string' ? body.code : `http_${response.status}` }
        : {}),
      body: maskSecrets(body),
      ...(identity?.tokenSecret
        ? {
            metadata: {
              ...(identity.tokenSecret.metadata.expiresAt === undefined
                ? {}
                : { expiresAt: identity.tokenSecret.metadata.expiresAt }),
              hasRefreshToken: identity.tokenSecret.metadata.hasRefreshToken,
            },
          }
        : {}),
      refreshRequests: refreshRequestsIn(seen, mark),
      journal: { after: mark, answered, until: answered },
    };
    if (accessToken) {
      result.token = {
        ...(previous === undefined ? {} : { sameAsBefore: previous === accessToken }),
        idpUserinfo: await askUserinfo(accessToken),
      };
      result.journal.until = await lastSeq();
      previous = accessToken;
    }
    return result;
  };
  const askUserinfo = async (accessToken: string) => {
    if (!input.userinfoUrl) return { status: 0 };
    const response = await fetch(idp.reachable(input.userinfoUrl), {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    });
    const parsed = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    return { status: response.status, ...(parsed && 'sub' in parsed ? { sub: parsed.sub } : {}) };
  };
  // Until Logto's `now < expiresAt` (whole seconds) is false, or the IdP's own token died.
  const waitForExpiry = async (metadata: TokenRead['metadata']) => {
    const until =
      metadata?.expiresAt !== undefined
        ? metadata.expiresAt * 1000 + 300
        : input.storedAt + (plan.idpTtlSeconds ?? 0) * 1000 + 1_000;
    const waitMs = Math.min(maxWaitMs, Math.max(0, Math.ceil(until - Date.now())));
    await sleep(waitMs);
    return waitMs;
  };

  reads.push(await read('before-expiry', 0));
  input.onFirstRead?.();
  const steps: ReadStep[] = ['after-expiry', 'after-second-expiry'];
  for (let index = 0; index < plan.expiries; index += 1) {
    const last = reads.at(-1)!;
    if (index > 0 && last.status !== 200) break;
    const waitedMs = await waitForExpiry(last.metadata);
    reads.push(await read(steps[index]!, waitedMs));
  }
  return { plan, reads, durationMs: Math.round(performance.now() - started) };
}
