import { generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { generatedKeys } from './generated-keys.ts';

export interface SigningKeys {
  /** Private JWKs handed to oidc-provider (it publishes their public halves at the JWKS endpoint). */
  jwks: JWK[];
  /** The key the mock signs quirky id_tokens with, per alg (same key material oidc-provider uses). */
  privateKeyFor(alg: string): Promise<{ key: CryptoKey; kid: string }>;
  /** A key the JWKS does not contain, for the `wrongKid` quirk. */
  strayKey(alg: string): Promise<CryptoKey>;
}

/** Fixture keys when given, otherwise this process's RS256 and ES256 keys (generated in parallel, once). */
export async function loadSigningKeys(fixtureKeys: Record<string, unknown>[] | undefined): Promise<SigningKeys> {
  // Copies: oidc-provider and the quirks get key objects of their own IdP's.
  const jwks = fixtureKeys ? (fixtureKeys as JWK[]) : (await generatedKeys()).map((jwk) => ({ ...jwk }));
  const imported = new Map<string, Promise<{ key: CryptoKey; kid: string }>>();
  const strays = new Map<string, Promise<CryptoKey>>();
  return {
    jwks,
    privateKeyFor(alg) {
      let entry = imported.get(alg);
      if (!entry) {
        const jwk =
          jwks.find((candidate) => candidate.alg === alg) ??
          jwks.find((candidate) => (alg.startsWith('RS') ? candidate.kty === 'RSA' : candidate.kty === 'EC'));
        if (!jwk) throw new Error(`no signing key for ${alg}`);
        entry = importJWK(jwk, alg).then((key) => ({ key: key as CryptoKey, kid: jwk.kid ?? '' }));
        imported.set(alg, entry);
      }
      return entry;
    },
    strayKey(alg) {
      let entry = strays.get(alg);
      if (!entry) {
        entry = generateKeyPair(alg).then(({ privateKey }) => privateKey);
        strays.set(alg, entry);
      }
      return entry;
    },
  };
}
