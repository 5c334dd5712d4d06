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
    nested: {
      emails: [
        { value: 'jane.roe@corp.example', primary: true },
        { value: 'j@other.example', primary: false },
      ],
    },
    client_secret: 'should-never-survive',
  };
  const placeholders = new Placeholders();
  const replaced = placeholders.value(original) as typeof original;

  it('keeps types, nesting, falsy values and type quirks', () => {
    expect(typeLeaves(replaced, '')).toEqual(typeLeaves(original, ''));
    expect(Number.isInteger(replaced.id)).toBe(true);
    expect(Number.isInteger(replaced.ratio)).toBe(false);
    expect([replaced.zero, replaced.empty, replaced.verified, replaced.active, replaced.gone]).toEqual([
      0,
      '',
      'true',
      false,
      null,
    ]);
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
    for (const value of [
      '583231',
      'octocat',
      'jane.roe',
      'corp.example',
      '7946',
      '00123456',
      '1990',
      'should-never-survive',
    ])
      expect(text).not.toContain(value);
  });

  it('scrubs known values and any email out of free text', () => {
    expect(scrubText('code abc123456 expired for x.y@corp.example', ['abc123456'])).toBe(
      'code [removed] expired for user@example.com',
    );
  });
});

describe('placeholders for object keys that hold personal values', () => {
  // A team named after the user, accounts keyed by email and by id, a key equal to the user's login.
  const original = {
    sub: 'alice-4711',
    name: 'Alice Smith',
    email: 'alice.smith@corp.example',
    account_id: 58323110,
    teams: {
      'alice-smith-team': { role: 'owner' },
      platform: { role: 'member' },
      'Alice Smith (personal)': { role: 'owner' },
    },
    by_email: { 'alice.smith@corp.example': 'primary', 'bob.jones@corp.example': 'delegate' },
    accounts: { '58323110': { plan: 'pro' }, '99887766': { plan: 'free' } },
    seen_by: { 'alice-4711': true },
    'x-request-id': 'r-123',
    'https://corp.example/roles': ['admin'],
  };
  const placeholders = new Placeholders();
  const replaced = placeholders.value(original) as Record<string, Record<string, unknown>>;
  const text = JSON.stringify(replaced);

  it('leaves no personal value behind in a key', () => {
    for (const value of ['alice', 'Alice', 'smith', 'Smith', 'bob.jones', '58323110', '99887766'])
      expect(text).not.toContain(value);
  });

  it('gives a key the placeholder of the value it equals or holds, so key and value stay linked', () => {
    expect(Object.keys(replaced.seen_by!)).toEqual([replaced.sub]);
    expect(Object.keys(replaced.by_email!)[0]).toBe(replaced.email);
    expect(Object.keys(replaced.accounts!)[0]).toBe(String(replaced.account_id));
    const nameSlug = `${replaced.name}-team`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    expect(Object.keys(replaced.teams!)).toEqual([nameSlug, 'platform', `${replaced.name} (personal)`]);
    // Shaped like a person's (an email, a long number): replaced even when no value named it, as a value of that shape would be.
    expect(Object.keys(replaced.by_email!)[1]).toMatch(/^user\d+@example\.com$/);
    expect(Object.keys(replaced.accounts!)[1]).toMatch(/^\d{8}$/);
  });

  it('keeps field names (a URL key is a namespaced claim name), and counts the kept keys that are no plain field name', () => {
    expect(Object.keys(replaced)).toEqual(Object.keys(original));
    expect(placeholders.keptDataKeys).toBe(1); // x-request-id: a field name or a value, no one can tell
  });

  it('keeps the keys a profileMap path names, which the replay reads by name', () => {
    const kept = new Placeholders({ keepKeys: ['alice-4711'] }).value(original) as typeof original;
    expect(Object.keys(kept.seen_by)).toEqual(['alice-4711']);
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
    fixtureShape(
      parseFixture({
        clients: [{ clientId: 'c', clientSecret: 'secret' }],
        users: [{ id: 'u', profile: { sub: 'u' } }],
        ...extra,
      }),
    );

  it('names an authorize refusal, and which headers an answer carries (not their values)', () => {
    const shape = shapeOf({
      faults: [
        { endpoint: 'authorize', errorRedirect: { error: 'access_denied', error_description: 'no' } },
        {
          endpoint: 'token',
          status: 401,
          body: { error: 'invalid_client' },
          headers: { 'WWW-Authenticate': 'Basic realm="a"', 'retry-after': '5' },
          nth: 1,
        },
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
    const json = shapeOf({
      faults: [{ endpoint: 'token', status: 200, nth: 1, body: { error: 'bad_verification_code' } }],
    });
    const form = shapeOf({
      faults: [
        {
          endpoint: 'token',
          status: 200,
          nth: 1,
          body: 'error=bad_verification_code&error_description=The+code+passed',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        },
      ],
    });
    expect(form).toMatchObject({
      'token.error answer (call 1)': '200 error=bad_verification_code',
      'token.error answer (call 1) headers': 'content-type',
    });
    expect(diffShapes(json, form)).toEqual([
      { path: 'token.error answer (call 1) headers', kind: 'added', after: 'content-type' },
    ]);
    const text = shapeOf({ faults: [{ endpoint: 'token', status: 400, body: 'error=bad_verification_code' }] });
    expect(text['token.error answer (call every)']).toBe('400 text body');
  });

  it('sees a provider start sending a challenge, and none when only its wording changes', () => {
    const fault = (headers?: Record<string, string>) =>
      shapeOf({ faults: [{ endpoint: 'token', status: 401, ...(headers ? { headers } : {}) }] });
    expect(diffShapes(fault(), fault({ 'www-authenticate': 'Basic realm="a"' }))).toEqual([
      { path: 'token.error answer (call every) headers', kind: 'added', after: 'www-authenticate' },
    ]);
    expect(
      diffShapes(fault({ 'www-authenticate': 'Basic realm="a"' }), fault({ 'www-authenticate': 'Basic realm="b"' })),
    ).toEqual([]);
  });
});
