import { describe, expect, it } from 'vitest';
import type { Observed, RunContext, Scenario, Target } from '../../harness/model.ts';
import { crashObserved, scenarioResult } from '../../harness/result.ts';
import { runScenarios } from '../../harness/run.ts';

const scenario = (overrides: Partial<Scenario> = {}): Scenario => ({
  file: 'suite.yaml',
  line: 12,
  name: 'second of the list',
  knownBad: false,
  connector: 'oauth2',
  config: {},
  syncProfile: false,
  enableTokenStorage: false,
  idp: { kind: 'url', url: 'http://idp.test' },
  expect: {},
  ...overrides,
});

// What a Logto target reports: no connector version, an error without the IdP's answer, hops when it has some.
const fromLogto: Observed = {
  checks: [{ id: 'logto.profile', title: 'Profile', status: 'pass', message: 'as predicted' }],
  error: {
    code: 'connector.general',
    message: 'the IdP refused',
    idpResponse: { endpoint: 'token', status: 400, body: { refresh_token: 'rt-0123456789abcdef' } },
  },
  hops: [
    {
      role: 'code-exchange',
      from: 'connector',
      to: 'idp',
      request: 'POST /token',
      params: { client_secret: 'cs-0123456789' },
    },
  ],
};

describe('scenarioResult: the one builder of a ScenarioResult', () => {
  it('masks the error and the hops as it masks the checks, and keeps the line, whatever the target', () => {
    const result = scenarioResult({
      scenario: scenario(),
      target: 'logto',
      observed: {
        ...fromLogto,
        checks: [
          {
            id: 'token',
            title: 'Token',
            status: 'pass',
            message: 'stored',
            evidence: { access_token: 'at-0123456789abcdef' },
          },
        ],
      },
      startedAt: performance.now(),
    });
    expect(result).toMatchObject({ name: 'second of the list', file: 'suite.yaml', line: 12, target: 'logto' });
    expect(result.checks[0]!.evidence).toEqual({ access_token: 'at-0…(19)' });
    expect(result.error?.idpResponse).toEqual({ endpoint: 'token', status: 400, body: { refresh_token: 'rt-0…(19)' } });
    expect(result.hops?.[0]!.params).toEqual({ client_secret: 'cs-0…(13)' });
    expect(JSON.stringify(result)).not.toMatch(/0123456789/);
  });

  it('says what it was given and no more: no connector version, no hops, no line on a file of one scenario', () => {
    const result = scenarioResult({
      scenario: scenario({ line: 1 }),
      target: 'logto',
      observed: { checks: fromLogto.checks },
      startedAt: performance.now(),
    });
    expect(Object.keys(result)).toEqual(['name', 'file', 'target', 'knownBad', 'status', 'checks', 'durationMs']);
    expect(result.status).toBe('passed');
  });

  it('a known-bad scenario the checks did not catch fails, with the known-bad check saying what was missed', () => {
    const result = scenarioResult({
      scenario: scenario({ knownBad: true, expect: { error: 'connector.invalid_response', catches: ['auth.method'] } }),
      target: 'in-process',
      observed: { checks: fromLogto.checks, connectorVersion: '1.7.8' },
      startedAt: performance.now(),
    });
    expect(result.status).toBe('failed');
    expect(result.connectorVersion).toBe('1.7.8');
    expect(result.checks.at(-1)).toEqual({
      id: 'known-bad',
      title: 'Known-bad config caught',
      status: 'fail',
      message:
        'not caught as expected: missing auth.method, sign-in error connector.invalid_response, any failing check',
    });
  });

  it('a crash is status error with its one harness check, and no verdict (no known-bad check)', () => {
    const result = scenarioResult({
      scenario: scenario({ knownBad: true, expect: { catches: ['auth.method'] } }),
      target: 'in-process',
      observed: crashObserved(new TypeError('boom')),
      startedAt: performance.now(),
      crashed: true,
    });
    expect(result.status).toBe('error');
    expect(result.checks).toEqual([{ id: 'harness', title: 'Harness', status: 'fail', message: 'boom' }]);
  });
});

describe('runScenarios over a target that only observes', () => {
  it('builds each result from what the target observed, and a throw as that scenario error', async () => {
    const target: Target = {
      name: 'stand-in',
      observe: async (run: Scenario, _context: RunContext) => {
        if (run.name === 'throws') throw new Error('could not drive it');
        return fromLogto;
      },
    };
    const results = await runScenarios([scenario(), scenario({ name: 'throws', line: 30 })], target);
    expect(results.map((result) => [result.name, result.target, result.line, result.status])).toEqual([
      ['second of the list', 'stand-in', 12, 'passed'],
      ['throws', 'stand-in', 30, 'error'],
    ]);
    expect(results[0]!.error?.idpResponse).toMatchObject({ body: { refresh_token: 'rt-0…(19)' } });
    expect(results[1]!.checks[0]!.message).toBe('could not drive it');
  });
});
