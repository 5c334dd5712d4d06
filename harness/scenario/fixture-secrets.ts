import type { Scenario } from './scenario.ts';

/** What a scenario's fixture holds that output must never show: its clients' secrets and its private signing keys. */
export const fixtureSecrets = (scenario: Scenario): unknown[] =>
  scenario.idp.kind === 'fixture' ? [scenario.idp.fixture.clients, scenario.idp.fixture.keys ?? []] : [];
