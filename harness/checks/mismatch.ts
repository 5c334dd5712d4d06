import type { JournalEntry } from '../../mock-idp/journal.ts';
import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';
import { journalViews } from './journal-views.ts';
import { sideBySide, sideBySideLine, type SideBySide } from './side-by-side.ts';

/**
 * The comparisons a sign-in fails on, each with both sides: what the config (or the request) says
 * and what the IdP sent, the difference marked. Read from the IdP's journal (the id_token's header
 * and claims as the mock decoded them, the requests as sent, the fixture's clients); a comparison
 * whose sides agree, or whose side the run did not see, yields nothing.
 */
interface Comparison {
  field: string;
  what: string;
  sides: SideBySide;
  hint: string;
}

type Verification = { issuer?: string | string[]; algorithms?: string[] };

const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The closest of `candidates` to `actual` (the one that shares the longest start), compared with it. */
function closest(candidates: string[], actual: string): SideBySide | undefined {
  if (candidates.length === 0 || candidates.includes(actual)) return undefined;
  const score = (candidate: string) => {
    let index = 0;
    while (index < candidate.length && candidate[index] === actual[index]) index += 1;
    return index - Math.abs(candidate.length - actual.length) / 100;
  };
  const best = [...candidates].sort((a, b) => score(b) - score(a))[0]!;
  return sideBySide(best, actual);
}

function idTokenComparisons(observation: Observation, exchange: JournalEntry | undefined): Comparison[] {
  const idToken = exchange?.idToken;
  if (observation.scenario.connector !== 'oidc' || !idToken) return [];
  const { header, claims } = idToken;
  const verification = (observation.config.idTokenVerificationConfig ?? {}) as Verification;
  const comparisons: Comparison[] = [];
  const iss = textOf(claims.iss);
  const issuers = typeof verification.issuer === 'string' ? [verification.issuer] : (verification.issuer ?? []);
  const issuer = iss ? closest(issuers, iss) : undefined;
  if (issuer && iss)
    comparisons.push({
      field: 'issuer',
      what: "idTokenVerificationConfig.issuer against the id_token's iss",
      sides: issuer,
      hint: `set idTokenVerificationConfig.issuer to ${JSON.stringify(iss)} (exactly the id_token's iss)`,
    });
  const clientId = textOf(observation.config.clientId);
  const audiences = Array.isArray(claims.aud)
    ? claims.aud.filter((aud) => typeof aud === 'string')
    : [textOf(claims.aud)];
  const audience = clientId && !audiences.includes(clientId) ? sideBySide(clientId, audiences.join(' ')) : undefined;
  if (audience)
    comparisons.push({
      field: 'audience',
      what: "clientId against the id_token's aud (the connector verifies aud = clientId)",
      sides: audience,
      hint: 'set "clientId" to the client id the IdP puts in aud, or fix the audience of the IdP client',
    });
  const alg = textOf(header.alg);
  const algorithm = alg && verification.algorithms ? closest(verification.algorithms, alg) : undefined;
  if (algorithm && alg)
    comparisons.push({
      field: 'alg',
      what: "idTokenVerificationConfig.algorithms against the id_token's alg",
      sides: algorithm,
      hint: `add "${alg}" to idTokenVerificationConfig.algorithms (or leave algorithms out to accept the key's own)`,
    });
  const kid = textOf(header.kid);
  const jwks = observation.journal.find((entry) => entry.endpoint === 'jwks' && entry.response.status === 200);
  const keys = (jwks?.response.body as { keys?: Array<{ kid?: unknown }> } | undefined)?.keys ?? [];
  const kids = keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : []));
  const keyId = kid && jwks ? closest(kids, kid) : undefined;
  if (keyId && kid)
    comparisons.push({
      field: 'kid',
      what: "the JWKS at idTokenVerificationConfig.jwksUri against the id_token's kid",
      sides: keyId,
      hint: "point idTokenVerificationConfig.jwksUri at the JWKS of the key that signs the id_tokens (the IdP's discovery names it as jwks_uri)",
    });
  const sent = textOf(journalViews(observation).authorize?.params.nonce);
  const echoed = textOf(claims.nonce);
  const nonce = sent && echoed ? sideBySide(sent, echoed) : undefined;
  if (nonce)
    comparisons.push({
      field: 'nonce',
      what: "the nonce the connector sent at authorize against the id_token's nonce",
      sides: nonce,
      hint: 'the IdP must echo the nonce of the authorization request unchanged: no connector setting fixes this',
    });
  return comparisons;
}

function requestComparisons(observation: Observation, authorize: JournalEntry | undefined): Comparison[] {
  const { idp } = observation.scenario;
  if (idp.kind !== 'fixture' || !authorize) return [];
  const { fixture } = idp;
  const comparisons: Comparison[] = [];
  const clientId = textOf(authorize.params.client_id);
  const ids = fixture.clients.map((client) => client.clientId);
  const client = clientId ? closest(ids, clientId) : undefined;
  if (client)
    comparisons.push({
      field: 'client_id',
      what: 'the client id sent at authorize against the clients the IdP knows',
      sides: client,
      hint: `set "clientId" to ${JSON.stringify(client.expected)}, the id the IdP registered`,
    });
  const registered = fixture.clients.find((candidate) => candidate.clientId === clientId)?.redirectUris;
  const redirectUri = textOf(authorize.params.redirect_uri);
  const redirect = registered && redirectUri ? closest(registered, redirectUri) : undefined;
  if (redirect)
    comparisons.push({
      field: 'redirect_uri',
      what: "the redirect_uri sent at authorize against the IdP client's registered redirect URIs",
      sides: redirect,
      hint: `register ${JSON.stringify(redirectUri)} (Logto's callback URL for this connector) as a redirect URI at the IdP`,
    });
  return comparisons;
}

/** Each failed comparison as a check `mismatch.<field>`, both sides in the message and the evidence. Pure. */
export function checkMismatches(observation: Observation): CheckResult[] {
  const { authorize, codeExchange } = journalViews(observation);
  return [...requestComparisons(observation, authorize), ...idTokenComparisons(observation, codeExchange)].map(
    ({ field, what, sides, hint }) => ({
      id: `mismatch.${field}`,
      title: `${field} compared`,
      status: 'fail',
      message: `${field}: ${sideBySideLine(sides)}`,
      evidence: { compared: what, ...sides },
      hint,
    }),
  );
}
