import { mask, maskSecrets } from '../../../../lib/mask.ts';
import type { AccountCall, AccountClient } from '../../../logto-api/account-client.ts';
import type { Hop } from '../../../model.ts';

/** The IdP journal's range a step covers: what Logto's connector or the browser sent while it was open. */
export interface JournalRange {
  after: number;
  until: number;
}

/**
 * One step of a link as the sequence diagram draws it: an Account API call by the app (the IdP
 * calls Logto's connector made inside it), the browser's trip through the IdP, or the app trying
 * the stored token at the IdP's userinfo; or hops drawn already (a social sign-in in between).
 */
export type LinkStep =
  | { kind: 'account'; call: AccountCall; sent?: Record<string, string>; journal: JournalRange }
  | { kind: 'browser'; journal: JournalRange; error?: string }
  | { kind: 'probe'; journal: JournalRange }
  | { kind: 'drawn'; hops: Hop[] };

// What a request carried that identifies it; the verification record ids and the IdP's code are credentials.
const CREDENTIAL_KEYS = new Set(['code', 'verificationRecordId', 'newIdentifierVerificationRecordId']);

/** The request body's fields as one-line params, every credential masked. Pure. */
export function sentParams(json: unknown, verificationId?: string): Record<string, string> {
  const params: Record<string, string> = verificationId ? { 'logto-verification-id': mask(verificationId) } : {};
  const flat = (value: unknown, prefix: string): void => {
    if (value === undefined || value === null) return;
    if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(maskSecrets(value as Record<string, unknown>)))
        if (typeof item === 'string' && CREDENTIAL_KEYS.has(key)) params[`${prefix}${key}`] = mask(item);
        else flat(item, `${prefix}${key}.`);
      return;
    }
    params[prefix.slice(0, -1)] = typeof value === 'string' ? value : JSON.stringify(value);
  };
  flat(json, '');
  return params;
}

/**
 * The Account API calls of a link with the IdP journal's range around each, for the diagram: it
 * answers as the AccountClient does and keeps the steps in order.
 */
export class LinkSteps {
  readonly steps: LinkStep[] = [];
  readonly #account: AccountClient;
  readonly #lastSeq: () => Promise<number>;

  constructor(account: AccountClient, lastSeq: () => Promise<number>) {
    this.#account = account;
    this.#lastSeq = lastSeq;
  }

  get calls(): AccountCall[] {
    return this.#account.calls;
  }

  async call(method: string, path: string, json?: unknown, verificationId?: string): ReturnType<AccountClient['call']> {
    const after = await this.#lastSeq();
    const answer = await this.#account.call(method, path, json, verificationId);
    const sent = sentParams(json, verificationId);
    this.steps.push({
      kind: 'account',
      call: answer.call,
      ...(Object.keys(sent).length > 0 ? { sent } : {}),
      journal: { after, until: await this.#lastSeq() },
    });
    return answer;
  }

  /** The browser (or the app, `probe`) at the IdP while `work` runs. */
  async atIdp<T>(kind: 'browser' | 'probe', work: () => Promise<T>): Promise<T> {
    const after = await this.#lastSeq();
    try {
      const result = await work();
      this.steps.push({ kind, journal: { after, until: await this.#lastSeq() } });
      return result;
    } catch (error) {
      const until = await this.#lastSeq();
      this.steps.push(
        kind === 'browser'
          ? { kind, journal: { after, until }, error: (error as Error).message }
          : { kind, journal: { after, until } },
      );
      throw error;
    }
  }
}
