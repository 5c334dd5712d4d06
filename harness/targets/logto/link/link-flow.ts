import { randomUUID } from 'node:crypto';
import type { AccountCall } from '../../../logto-api/account-client.ts';
import { throughTheIdp } from '../idp-browser.ts';
import type { LinkSteps } from './steps.ts';

/** Where the application's account page receives the IdP's answer; never loaded, the browser stops before it. */
export const LINK_CALLBACK_URI = 'http://localhost:3000/harness/link-callback';

export interface LinkInput {
  /** The Account API, each call kept with the IdP journal's range around it. */
  account: LinkSteps;
  /** The Logto connector id (the instance). */
  connectorId: string;
  /** The identity verification record (`POST /api/verifications/password`). */
  verificationId: string;
  /** POST links a new identity; PUT replaces the one the user has under the connector's target. */
  method: 'POST' | 'PUT';
  /** The link-time scope, overriding the connector's. */
  scope?: string;
  idpUser?: string;
  rewriteIdpUrl?: (url: string) => string;
}

/** The first call Logto refused, or none: the identity is linked. */
export type LinkOutcome = { linked: true } | { linked: false; refusal: AccountCall };

/**
 * What an application's account page does to link a social account, headless: a social
 * verification record with the IdP's authorization URI, the browser through the IdP, the callback's
 * query verified by Logto (its connector exchanges the code and reads userinfo then), and the
 * verified record linked (POST) or put in place of the user's identity (PUT).
 */
export async function linkThroughAccountApi(input: LinkInput): Promise<LinkOutcome> {
  const { account } = input;
  const started = await account.call('POST', '/api/verifications/social', {
    connectorId: input.connectorId,
    redirectUri: LINK_CALLBACK_URI,
    state: randomUUID(),
    ...(input.scope ? { scope: input.scope } : {}),
  });
  if (started.call.status >= 400) return { linked: false, refusal: started.call };
  const { verificationRecordId, authorizationUri } = started.body;
  if (typeof verificationRecordId !== 'string' || typeof authorizationUri !== 'string')
    throw new Error(`POST /api/verifications/social answered ${started.call.status} without a verification record`);
  const connectorData = await account.atIdp('browser', () =>
    throughTheIdp({
      authorizationUri,
      callbackUri: LINK_CALLBACK_URI,
      ...(input.rewriteIdpUrl ? { rewrite: input.rewriteIdpUrl } : {}),
      ...(input.idpUser ? { idpUser: input.idpUser } : {}),
    }),
  );
  const verified = await account.call('POST', '/api/verifications/social/verify', {
    verificationRecordId,
    connectorData,
  });
  if (verified.call.status >= 400) return { linked: false, refusal: verified.call };
  const linked = await account.call(
    input.method,
    '/api/my-account/identities',
    { newIdentifierVerificationRecordId: verificationRecordId },
    input.verificationId,
  );
  return linked.call.status >= 400 ? { linked: false, refusal: linked.call } : { linked: true };
}
