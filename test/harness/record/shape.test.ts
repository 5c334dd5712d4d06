import { describe, expect, it } from 'vitest';
import { Placeholders, scrubText } from '../../../harness/record/anonymize.ts';
import { diffShapes, fixtureShape, typeLeaves } from '../../../harness/record/shape.ts';
import { parseFixture } from '../../../mock-idp/index.ts';

describe('placeholders keep the shape, not the values', () => {
  const original = {
    id: 583231,
    login: 'octocat',
    sub: 'octocat',
    ratio: 0.25,
    zero: 0,
    empty: '',
    verified: 'true',
    active: false,
    gone: null,
    email: 'jane.roe@corp.example',
    phone: '+44 20 7946 0958',
    numericId: '00123456',
    avatar: 'https://cdn.corp.example/u/583231.png',
    born: '1990-04-01',
    nested: { emails: [{ value: 'jane.roe@corp.example', primary: true }, { value: 'j@other.example', primary: false }] },
    client_secret: 'should-never-survive',
  };
  const placeholders = new Placeholders();
  const replaced = placeholders.value(original) as typeof original;

  it('keeps types, nesting, falsy values and type quirks', () => {
    expect(typeLeaves(replaced, '')).toEqual(typeLeaves(original, ''));
    expect(Number.isInteger(replaced.id)).toBe(true);
    expect(Number.isInteger(replaced.ratio)).toBe(false);
    expect([replaced.zero, replaced.empty, replaced.verified, replaced.active, replaced.gone]).toEqual([0, '', 'true', false, null]);
    expect(replaced.numericId).toMatch(/^\d{8}$/);
    expect(replaced.born).toBe('2000-01-01');
  });

  it('keeps equal values equal and different values different', () => {
    expect(replaced.sub).toBe(replaced.login);
    expect(replaced.nested.emails[0]!.value).toBe(replaced.email);
    expect(replaced.nested.emails[1]!.value).not.toBe(replaced.email);
  });

  it('leaves no original value behind', () => {
    const text = JSON.stringify(replaced);
    for (const value of ['583231', 'octocat', 'jane.roe', 'corp.example', '7946', '00123456', '1990', 'should-never-survive']) expect(text).not.toContain(value);
  });

  it('scrubs known values and any email out of free text', () => {
    expect(scrubText('code abc123456 expired for x.y@corp.example', ['abc123456'])).toBe('code [removed] expired for user@example.com');
  });
});

describe('shape diff', () => {
  it('names added, removed and changed paths', () => {
    const before = typeLeaves({ id: 1, name: 'a', tags: ['x'] }, 'userinfo.body');
    const after = typeLeaves({ id: '1', tags: ['x', 2], plan: { seats: 3 } }, 'userinfo.body');
    expect(diffShapes(before, after)).toEqual([
      { path: 'userinfo.body.id', kind: 'changed', before: 'number', after: 'string of digits' },
      { path: 'userinfo.body.name', kind: 'removed', before: 'string' },
      { path: 'userinfo.body.plan.seats', kind: 'added', after: 'number' },
      { path: 'userinfo.body.tags[]', kind: 'changed', before: 'string', after: 'number | string' },
    ]);
  });
});

describe('fixture shape of error answers', () => {
  const shapeOf = (extra: Record<string, unknown>) =>
    fixtureShape(parseFixture({ clients: [{ clientId: 'c', clientSecret: 'secret' }], users: [{ id: 'u', profile: { sub: 'u' } }], ...extra }));

  it('names an authorize refusal, and which headers an answer carries (not their values)', () => {
    const shape = shapeOf({
      faults: [
        { endpoint: 'authorize', errorRedirect: { error: 'access_denied', error_description: 'no' } },
        { endpoint: 'token', status: 401, body: { error: 'invalid_client' }, headers: { 'WWW-Authenticate': 'Basic realm="a"', 'retry-after': '5' }, nth: 1 },
      ],
      userinfo: { override: { status: 401, body: '', headers: { 'www-authenticate': 'Bearer' } } },
    });
    expect(shape).toMatchObject({
      'authorize.error answer (call every)': 'redirect back error=access_denied',
      'token.error answer (call 1)': '401 error=invalid_client',
      'token.error answer (call 1) headers': 'retry-after, www-authenticate',
      'userinfo.answer': '401 text/plain',
      'userinfo.answer headers': 'www-authenticate',
    });
  });

  it('reads the error code of a form-encoded body, and sees the answer turn from JSON to a form', () => {
    const json = shapeOf({ faults: [{ endpoint: 'token', status: 200, nth: 1, body: { error: 'bad_verification_code' } }] });
    const form = shapeOf({ faults: [{ endpoint: 'token', status: 200, nth: 1, body: 'error=bad_verification_code&error_description=The+code+passed', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } }] });
    expect(form).toMatchObject({ 'token.error answer (call 1)': '200 error=bad_verification_code', 'token.error answer (call 1) headers': 'content-type' });
    expect(diffShapes(json, form)).toEqual([{ path: 'token.error answer (call 1) headers', kind: 'added', after: 'content-type' }]);
    const text = shapeOf({ faults: [{ endpoint: 'token', status: 400, body: 'error=bad_verification_code' }] });
    expect(text['token.error answer (call every)']).toBe('400 text body');
  });

  it('sees a provider start sending a challenge, and none when only its wording changes', () => {
    const fault = (headers?: Record<string, string>) => shapeOf({ faults: [{ endpoint: 'token', status: 401, ...(headers ? { headers } : {}) }] });
    expect(diffShapes(fault(), fault({ 'www-authenticate': 'Basic realm="a"' }))).toEqual([{ path: 'token.error answer (call every) headers', kind: 'added', after: 'www-authenticate' }]);
    expect(diffShapes(fault({ 'www-authenticate': 'Basic realm="a"' }), fault({ 'www-authenticate': 'Basic realm="b"' }))).toEqual([]);
  });
});
