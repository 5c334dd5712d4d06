import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load.ts';
import type { Scenario } from '../../harness/model.ts';
import { secondThread } from '../../harness/targets/in-process/second-thread.ts';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';
import { UserError } from '../../lib/user-error.ts';

const until = async (ready: () => boolean) => {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('the second thread of in-process runs', () => {
  it('observes as the main thread does; a run that throws there fails alone (a user error as one), and the thread goes on', async () => {
    const [scenario] = await loadScenarios(['fixtures/scenarios/github-like.yaml']);
    const source = { projectRoot: PACKAGE_ROOT };
    const fixture = scenario!.idp.kind === 'fixture' ? scenario!.idp.fixture : undefined;
    const session = secondThread().open({ source, kinds: [scenario!.connector] });
    try {
      await until(() => session.available);
      // No such connector package: loading it throws, which reaches the target as that scenario's error.
      const broken = { ...scenario!, connector: 'no-such-kind' } as unknown as Scenario;
      await expect(session.observe(broken)).rejects.toThrow();
      // A mistake of the user's stays one (the run stops with exit 2, as on the main thread), located as there.
      const refused = { ...scenario!, idp: { kind: 'fixture', fixture: { ...fixture, accessTokenTtlSeconds: -5 } } };
      const error: unknown = await session.observe(refused as Scenario).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).problems[0]?.field).toBe('fixture.accessTokenTtlSeconds');
      const observed = await session.observe(scenario!);
      expect(observed.checks.find((check) => check.id === 'sign-in')?.status).toBe('pass');
      expect(observed.connectorVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(session.observedCount).toBe(1);
      expect(session.idpsStarted).toBe(2); // the refused fixture's attempt, and the IdP that ran
    } finally {
      await session.close();
    }
  });

  it('is one per process: a later target opens a session of its own on the same thread', async () => {
    const first = secondThread();
    const session = first.open({ source: { projectRoot: PACKAGE_ROOT }, kinds: [] });
    await until(() => session.available);
    await session.close();
    expect(secondThread()).toBe(first);
    expect(first.alive).toBe(true);
  });
});
