import { mask, maskSecrets } from '../../lib/mask.ts';
import { LogtoHttp } from './logto-http.ts';

/** One Account API call as a check's evidence shows it: the request, Logto's status and its masked body. */
export interface AccountCall {
  request: string;
  status: number;
  /** Logto's error code (`http_<status>` for an error answer without one). */
  code?: string;
  body?: unknown;
}

const VERIFICATION_HEADER = 'logto-verification-id';

// A verification record id is a credential for ten minutes: sent as logto-verification-id, it stands for the password.
const withRecordIdMasked = (body: Record<string, unknown>) =>
  typeof body.verificationRecordId === 'string'
    ? { ...body, verificationRecordId: mask(body.verificationRecordId) }
    : body;

/**
 * Logto's Account API (`/api/my-account`, `/api/verifications`) with a signed-in user's access
 * token. Its error answers are what the checks read, so every call returns its AccountCall, masked,
 * whatever the status; an answer that is not Logto's still throws (LogtoHttp).
 */
export class AccountClient {
  readonly #http: LogtoHttp;
  readonly #userToken: string;
  /** Every call so far, in order. */
  readonly calls: AccountCall[] = [];

  constructor(endpoint: string, userToken: string, options: { timeoutMs?: number } = {}) {
    this.#http = new LogtoHttp(endpoint, options);
    this.#userToken = userToken;
  }

  /** `verificationId`: the identity verification record the route wants (`logto-verification-id`). */
  async call(
    method: string,
    path: string,
    json?: unknown,
    verificationId?: string,
  ): Promise<{ call: AccountCall; body: Record<string, unknown> }> {
    const response = await this.#http.answer(method, path, {
      ...(json === undefined ? {} : { json }),
      headers: {
        authorization: `Bearer ${this.#userToken}`,
        ...(verificationId ? { [VERIFICATION_HEADER]: verificationId } : {}),
      },
    });
    const body = response.body as Record<string, unknown> | undefined;
    const code = typeof body?.code === 'string' ? body.code : `http_${response.status}`;
    const call: AccountCall = {
      request: `${method} ${path}`,
      status: response.status,
      ...(response.status >= 400 ? { code } : {}),
      ...(body === undefined ? {} : { body: maskSecrets(withRecordIdMasked(body)) }),
    };
    this.calls.push(call);
    // The unmasked body (a verification record id, an authorization URI) goes to the caller only, never to evidence.
    return { call, body: body ?? {} };
  }
}
