import { isRecord } from '../../lib/is-record.ts';
import { isSecretKey, secretValuesOf } from '../../lib/mask.ts';
import { parsedBody } from './exchange.ts';
import type { Recording } from './recording.ts';

/**
 * Every secret, token and code of the live run: the config's secret-like values (the client secret, a customConfig
 * `partner_key`), what the connector sent (the Basic credentials, decoded too; secret-like parameters; the code) and
 * what the IdP issued. Cut out of anything written, in any encoding; remembered for masking what is printed.
 */
export function liveSecrets(recording: Pick<Recording, 'config' | 'observation' | 'exchanges'>): Set<string> {
  const secrets = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && value.length >= 4) secrets.add(value);
  };
  for (const value of secretValuesOf(recording.config)) add(value);
  add(recording.observation.callback?.code);
  for (const exchange of recording.exchanges) {
    const authorization = exchange.requestHeaders.authorization;
    if (authorization) {
      const credential = authorization.split(' ').slice(1).join(' ');
      add(credential);
      if (/^basic/i.test(authorization))
        for (const part of Buffer.from(credential, 'base64').toString('utf8').split(':')) add(decodeParam(part));
    }
    for (const [key, value] of Object.entries({ ...exchange.form, ...exchange.query }))
      if (isSecretKey(key) || key === 'code') add(value);
    const body = parsedBody(exchange);
    if (isRecord(body)) for (const value of secretValuesOf(body)) add(value);
  }
  return secrets;
}

// A Basic credential's parts are form-encoded (RFC 6749 2.3.1) by some clients, not by others; a stray % is no encoding.
const decodeParam = (part: string): string => {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
};

/** Every live secret, and what identifies this run at the real IdP (the client id, the state): cut out of free text. */
export function secretsOf(recording: Recording): Set<string> {
  const secrets = liveSecrets(recording);
  for (const value of [recording.config.clientId, recording.observation.state])
    if (typeof value === 'string' && value.length >= 4) secrets.add(value);
  return secrets;
}

/**
 * `value` with every live secret cut out of every string and object key, at any depth: the last pass over what
 * is written, for what the IdP controls and a fixture keeps as sent (an error code, a content type, token_type,
 * the id_token's alg, a key of an error body). Pure.
 */
export function withoutSecrets<T>(value: T, replace: (text: string) => string): T {
  if (typeof value === 'string') return replace(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutSecrets(item, replace)) as T;
  if (isRecord(value))
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [replace(key), withoutSecrets(item, replace)]),
    ) as T;
  return value;
}
