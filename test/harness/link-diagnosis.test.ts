import { afterAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../harness/model.ts';
import { leadingCheck } from '../../harness/report/leading-check.ts';
import { runScenario } from '../../harness/run.ts';
import { loadScenario } from '../../harness/scenario/load.ts';
import { createInProcessTarget } from '../../harness/targets/in-process/index.ts';

// Wrong configs the shipped known-bad scenarios hold, each a different part of the connector.
const WRONG = {
  'a profileMap path that misses': 'fixtures/scenarios/known-bad/profile-path-miss.yaml',
  'a wrong tokenEndpointAuthMethod': 'fixtures/scenarios/known-bad/wrong-auth-method.yaml',
  'a missing scope': 'fixtures/scenarios/known-bad/claims-follow-scopes.yaml',
  'a config the refresh path cannot use': 'fixtures/scenarios/known-bad/refresh-without-auth-method.yaml',
};

/** What a report says of a failed run: its cause (the leading check) and every failing check, with fix. */
const diagnosis = (result: ScenarioResult) => {
  const said = (check: ScenarioResult['checks'][number]) => ({
    id: check.id,
    message: check.message,
    hint: check.hint ?? null,
    unfixable: check.unfixable ?? null,
  });
  const lead = leadingCheck(result.checks);
  return {
    status: result.status,
    cause: lead ? said(lead) : null,
    failing: result.checks.filter((check) => check.status === 'fail').map(said),
  };
};

describe('a wrong config gets the same diagnosis when the user links as when they sign in (in-process)', () => {
  const target = createInProcessTarget();
  afterAll(() => target.close?.());

  it.each(Object.entries(WRONG))('%s', async (_what, file) => {
    // As a normal scenario (not knownBad), once signing in and once linking: same fixture, same config.
    const signIn = { ...(await loadScenario(file)), knownBad: false };
    const link = { ...signIn, link: { action: 'link' as const, linkingOnly: false } };
    const [signedIn, linked] = [await runScenario(signIn, target), await runScenario(link, target)];
    expect(signedIn.status).toBe('failed');
    expect(diagnosis(signedIn).cause?.hint ?? diagnosis(signedIn).cause?.unfixable).toBeTruthy();
    expect(diagnosis(linked)).toEqual(diagnosis(signedIn));
  });
});
