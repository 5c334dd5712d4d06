import { generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

// node:crypto, not jose: a start asks for these before its port opens (start.ts), when jose is not
// loaded yet and the key's 50–200 ms in the thread pool can run while oidc-provider loads. The JWKs
// are jose's exportJWK's, member for member.
const keyPair = (alg: 'RS256' | 'ES256') =>
  new Promise<KeyObject>((resolve, reject) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject) =>
      error ? reject(error) : resolve(privateKey);
    if (alg === 'RS256') generateKeyPair('rsa', { modulusLength: 2048 }, done);
    else generateKeyPair('ec', { namedCurve: 'P-256' }, done);
  });

async function generate(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const privateKey = await keyPair(alg);
  return {
    ...privateKey.export({ format: 'jwk' }),
    alg,
    use: 'sig',
    kid: `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`,
  };
}

// Made once per process and shared by every IdP in it that brings no keys: an RSA key takes about
// 100 ms to make, and a harness run starts one IdP per fixture (half of a sequential run's time went
// to waiting for them). Each IdP still publishes and signs with its own issuer; the key is not a secret.
let generated: Promise<JWK[]> | undefined;
export const generatedKeys = () => {
  if (!generated) {
    generated = Promise.all([generate('RS256'), generate('ES256')]);
    // A failed generation is not kept: the next IdP tries again.
    generated.catch(() => (generated = undefined));
  }
  return generated;
};
