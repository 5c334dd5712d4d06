import { ConnectorError, ConnectorErrorCodes } from '@logto/connector-kit';
import { errors as jose } from 'jose';
import { describe, expect, it } from 'vitest';
import { isConnectorError, observeError } from '../../harness/errors.ts';

describe('a ConnectorError is recognised by its shape, not by its message', () => {
  it.each(Object.values(ConnectorErrorCodes))('the kit code %s', (code) => {
    expect(isConnectorError(new ConnectorError(code, { message: 'x' }))).toBe(true);
    expect(isConnectorError(new ConnectorError(code))).toBe(true);
  });

  it('whatever its message says', () => {
    const reworded = new ConnectorError(ConnectorErrorCodes.InvalidResponse, { message: 'the body is no JSON' });
    reworded.message = 'invalid response from the IdP';
    expect(observeError(reworded, 'sign-in')).toMatchObject({
      logtoCode: 'connector.invalid_response',
      connectorCode: 'invalid_response',
      message: 'the body is no JSON',
    });
  });

  it('an error that only reads like one is none: its code is no connector code, or it has no data', () => {
    const lookalike = Object.assign(new Error('ConnectorError: invalid_response'), { code: 'ERR_SOMETHING' });
    expect(observeError(lookalike, 'sign-in')).toMatchObject({ logtoCode: 'http_500', errorCode: 'ERR_SOMETHING' });
    expect(isConnectorError(Object.assign(new Error('ConnectorError: general'), { code: 'general' }))).toBe(false);
  });

  it("any other error keeps its own code: jose's, a system error's", () => {
    expect(observeError(new jose.JWSSignatureVerificationFailed(), 'sign-in')).toMatchObject({
      logtoCode: 'http_500',
      logtoStatus: 500,
      errorCode: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(observeError(refused, 'refresh').errorCode).toBe('ECONNREFUSED');
    expect(observeError(new TypeError('x is undefined'), 'sign-in')).not.toHaveProperty('errorCode');
  });
});
